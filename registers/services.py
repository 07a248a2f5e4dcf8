"""Keeping editions of the records of processing: each download, and a daily
edition of every record that changed since its last one."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation

from audit.events import EventType
from audit.sealing import seal_lock
from audit.services import audit_record
from subjects.services import subject_key_for_user

from . import records
from .models import RecordDocument, RecordEdition

Kind, Occasion = RecordEdition.Kind, RecordEdition.Occasion
BATCH = 1000
# Any constant: the advisory lock of the daily editions (one run at a time).
DAILY_EDITIONS_LOCK = 0x1C0_30


def _documents_keep(parts: Iterable[dict]) -> list[str]:
    """Store each part once under its SHA-256; returns the hashes."""
    rows = {records.sha256(part): records.canonical(part).decode() for part in parts}
    RecordDocument.objects.bulk_create(
        [RecordDocument(sha256=sha, document=text) for sha, text in rows.items()], ignore_conflicts=True
    )
    return list(rows)


def _download_kept(
    *, kind: str, record: dict, document: dict, common: dict | None, organization_id, actor, request
):
    """Keep a downloaded record as an edition (who, when, its SHA-256) and
    audit it, in one transaction."""
    with transaction.atomic():
        document_sha, *common_sha = _documents_keep([document, *([common] if common else [])])
        edition = RecordEdition.objects.create(
            kind=kind,
            organization_id=organization_id,
            language=translation.get_language(),
            sha256=records.sha256(record),
            document_id=document_sha,
            common_id=common_sha[0] if common_sha else None,
            occasion=Occasion.DOWNLOAD,
            generated_at=timezone.now(),
            generated_by_subject=subject_key_for_user(user=actor),
        )
        audit_record(
            event_type=EventType.RECORD_OF_PROCESSING_GENERATED,
            actor=actor,
            target=edition,
            organization_id=organization_id,
            changes={"kind": kind, "sha256": edition.sha256},
            request=request,
        )
    return record, edition


def controller_record_download(*, actor, request=None) -> tuple[dict, RecordEdition]:
    """The controller record as it stands, kept as an edition and audited."""
    record = records.controller_record()
    return _download_kept(
        kind=Kind.CONTROLLER,
        record=record,
        document=record,
        common=None,
        organization_id=None,
        actor=actor,
        request=request,
    )


def processor_record_download(*, organization, actor, request=None) -> tuple[dict, RecordEdition]:
    """One organisation's processor record, kept as an edition and audited
    (in the organisation's audit log too: its owners may download it)."""
    common, part = records.processor_parts_of(organization)
    return _download_kept(
        kind=Kind.PROCESSOR,
        record=records.processor_record(common, part),
        document=part,
        common=common,
        organization_id=organization.pk,
        actor=actor,
        request=request,
    )


def _latest(kind: str, language: str) -> dict[int | None, tuple[str, str | None]]:
    """Each record's latest edition: (document, common) hashes by
    organisation, in one query (the greatest id per organisation)."""
    latest_ids = (
        RecordEdition.objects.filter(kind=kind, language=language)
        .values("organization_id")
        .annotate(latest=Max("id"))
        .values("latest")
    )
    return {
        organization_id: (document_id, common_id)
        for organization_id, document_id, common_id in RecordEdition.objects.filter(pk__in=latest_ids)
        .values_list("organization_id", "document_id", "common_id")
        .iterator(chunk_size=records.STREAM_CHUNK)
    }


def record_editions_daily(*, language: str) -> dict:
    """A daily edition of every record whose content changed since its last
    edition (idempotent: run twice, the second run keeps nothing new). The
    organisations are streamed; documents and editions go in batches."""
    now = timezone.now()
    kept = {"controller": 0, "processor": 0}
    with transaction.atomic(), translation.override(language):
        seal_lock(DAILY_EDITIONS_LOCK)  # two runs at once would both see "changed"
        controller = records.controller_record()
        sha = records.sha256(controller)
        if _latest(Kind.CONTROLLER, language).get(None, (None,))[0] != sha:
            _documents_keep([controller])
            RecordEdition.objects.create(
                kind=Kind.CONTROLLER,
                language=language,
                sha256=sha,
                document_id=sha,
                occasion=Occasion.SCHEDULED,
                generated_at=now,
            )
            kept["controller"] = 1
        common = records.processor_common()
        (common_sha,) = _documents_keep([common])
        hasher = records.ProcessorRecordHasher(common)
        previous = _latest(Kind.PROCESSOR, language)
        batch: list[tuple[int, dict, str]] = []

        def flush():
            _documents_keep(part for _id, part, _sha in batch)
            RecordEdition.objects.bulk_create(
                [
                    RecordEdition(
                        kind=Kind.PROCESSOR,
                        organization_id=organization_id,
                        language=language,
                        sha256=hasher.sha256(part),
                        document_id=part_sha,
                        common_id=common_sha,
                        occasion=Occasion.SCHEDULED,
                        generated_at=now,
                    )
                    for (organization_id, part, part_sha) in batch
                ]
            )
            kept["processor"] += len(batch)
            batch.clear()

        for organization, part in records.organization_parts():
            part_sha = records.sha256(part)
            if previous.get(organization.pk) != (part_sha, common_sha):
                batch.append((organization.pk, part, part_sha))
                if len(batch) >= BATCH:
                    flush()
        if batch:
            flush()
    return kept
