"""Reading the records of processing and their kept editions."""

import json
from datetime import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from organizations.models import Organization

from . import records
from .models import RecordDocument, RecordEdition
from .records import canonical

EDITIONS_PAGE = 50


def record_editions() -> QuerySet[RecordEdition]:
    return RecordEdition.objects.order_by("-generated_at", "-id")


def record_edition_as_of(*, kind: str, moment: datetime, organization_id: int | None = None, language: str):
    """The edition in force at ``moment``: the latest generated at or before it."""
    return (
        RecordEdition.objects.filter(
            kind=kind, organization_id=organization_id, language=language, generated_at__lte=moment
        )
        .order_by("-generated_at", "-id")
        .first()
    )


def access_record_edition(*, edition_id: int) -> RecordEdition:
    return get_object_or_404(RecordEdition, pk=edition_id)


def edition_document(edition: RecordEdition) -> bytes:
    """The record exactly as it was downloaded or kept: its canonical JSON,
    whose SHA-256 is the edition's."""
    documents = dict(
        RecordDocument.objects.filter(pk__in=[edition.document_id, edition.common_id]).values_list(
            "sha256", "document"
        )
    )
    record = json.loads(documents[edition.document_id])
    if edition.common_id:
        record = json.loads(documents[edition.common_id]) | record
    return canonical(record)


def organizations_for_records(*, search: str = "") -> QuerySet[Organization]:
    organizations = Organization.objects.order_by("name", "pk")
    if search:
        organizations = organizations.filter(name__icontains=search) | organizations.filter(
            slug__icontains=search
        )
    return organizations


def record_filtered(record: dict, filters: dict) -> tuple[list[dict], list[dict]]:
    """The activities and recipients of a record that the page's filters
    (activity, data subject, legal basis, outside the EEA only) leave."""
    activities = record.get("activities") or record["processing"]
    if filters.get("activity"):
        activities = [a for a in activities if a["key"] == filters["activity"]]
    if filters.get("subject"):
        activities = [a for a in activities if filters["subject"] in {s["key"] for s in a["data_subjects"]}]
    if filters.get("basis"):
        activities = [a for a in activities if a["legal_basis"]["key"] == filters["basis"]]
    keys = {a["key"] for a in activities}
    recipients = [
        r
        for r in record.get("recipients", record.get("sub_processors", []))
        if keys & set(r["activities"]) and (r["third_country"] or filters.get("where") != "outside_eea")
    ]
    return activities, recipients


def organization_processor_record(organization: Organization) -> dict:
    return records.processor_record(*records.processor_parts_of(organization))
