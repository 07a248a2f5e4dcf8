"""Records of processing activities (GDPR art. 30), generated from the
registers that already exist, never typed twice:

- the personal-data register beside every model (``core.register``): what each
  model holds, for which activity, how long it is kept;
- the processing activities (``core.processing``): purposes, legal bases,
  data subjects, security measures;
- the provider register (``integrations.Provider``): recipients, their
  purpose, role, country and transfer safeguard;
- the organisations, their data policies, verified domains and installed
  integrations, for the records iCentrex keeps as their processor.

A record is a plain dict (our JSON is the primary form; ``formats`` writes CSV
and JSON-LD from it). It holds no time stamp and no personal data, so the same
registers always give the same bytes and the same SHA-256, and an edition can
be kept for ever. Organisations are read in one streamed pass: generating the
processor records costs the same number of queries for ten organisations or
ten thousand.
"""

import hashlib
import json
from collections.abc import Iterator

from django.db.models import Q

from core.controller import controller
from core.processing import (
    ACTIVITIES,
    DATA_CATEGORIES,
    DATA_SUBJECTS,
    EEA,
    LEGAL_BASES,
    ORGANISATION_CONTACT,
    RECIPIENT_GROUPS,
    SECURITY_MEASURES,
)
from core.register import Pseudonymised, declarations
from domains.models import DomainClaim
from integrations.catalog import field_label
from integrations.models import Installation, Provider
from organizations.models import DataPolicy, Organization

SCHEMA = "https://icentrex.example/schemas/records-of-processing/1"
STREAM_CHUNK = 2000


def canonical(document: dict) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(document: dict) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def _named(keys, names) -> list[dict]:
    return [{"key": key, "name": str(names[key])} for key in keys]


def _model_name(model) -> str:
    return model._meta.label_lower


def personal_data_by_activity() -> dict[str, dict[str, list[dict]]]:
    """{activity: {category: [{model, retention, erasure}, ...]}} from the register."""
    held: dict[str, dict[str, list[dict]]] = {key: {} for key in ACTIVITIES}
    for model, declaration in sorted(declarations(), key=lambda pair: _model_name(pair[0])):
        for category in declaration.categories:
            held[declaration.activity].setdefault(category, []).append(
                {
                    "model": _model_name(model),
                    "retention": str(declaration.retention),
                    "on_erasure": "pseudonymised"
                    if isinstance(declaration.erasure, Pseudonymised)
                    else "deleted",
                }
            )
    return held


def _activities_receiving(provider: Provider) -> list[str]:
    if provider.kind == Provider.Kind.INTEGRATION:
        return [key for key, a in ACTIVITIES.items() if a.to_integrations]
    return [key for key, a in ACTIVITIES.items() if provider.service in a.services]


def _recipient(provider: Provider) -> dict:
    activities = _activities_receiving(provider)
    third_country = bool(provider.country) and provider.country.upper() not in EEA
    return {
        "key": provider.slug,
        "name": provider.name,
        "kind": provider.kind,
        "service": provider.service,
        "role": provider.role,
        "purpose": provider.purpose,
        "activities": activities,
        "legal_bases": sorted({ACTIVITIES[key].legal_basis for key in activities}),
        "data_received": [field_label(f) for f in provider.fields],
        "country": provider.country.upper(),
        "third_country": third_country,
        "transfer_mechanism": provider.transfer_mechanism,
        "agreement": provider.agreement_reference,
    }


def _providers(**filters) -> Iterator[Provider]:
    return (
        Provider.objects.filter(active=True, **filters)
        .only(
            "slug",
            "name",
            "kind",
            "service",
            "role",
            "purpose",
            "fields",
            "country",
            "transfer_mechanism",
            "agreement_reference",
        )
        .order_by("kind", "slug")
        .iterator(chunk_size=STREAM_CHUNK)
    )


def _transfers(recipients: list[dict]) -> list[dict]:
    return [
        {
            "recipient": r["key"],
            "country": r["country"],
            "safeguard": r["transfer_mechanism"],
            "safeguard_missing": not r["transfer_mechanism"].strip(),
        }
        for r in recipients
        if r["third_country"]
    ]


def _activity(key: str, held: dict[str, list[dict]]) -> dict:
    activity = ACTIVITIES[key]
    categories = [c for c in DATA_CATEGORIES if c in held or c in activity.held_elsewhere]
    recipient_groups = [
        group
        for group, present in (
            ("service_providers", True),
            ("integrations", activity.to_integrations),
            ("organisations", activity.to_organisations),
        )
        if present
    ]
    return {
        "key": key,
        "name": str(activity.name),
        "purpose": str(activity.purpose),
        "legal_basis": {"key": activity.legal_basis, "name": str(LEGAL_BASES[activity.legal_basis])},
        "data_subjects": _named(activity.data_subjects, DATA_SUBJECTS),
        "personal_data": [
            {
                "category": category,
                "name": str(DATA_CATEGORIES[category]),
                "held_in": held.get(category, []),
                "held_by_providers_only": category not in held,
            }
            for category in categories
        ],
        "recipient_groups": recipient_groups,
        "service_kinds": _named(activity.services, dict(Provider.Service.choices)),
        "for_customers": activity.for_customers,
    }


def controller_record() -> dict:
    """Art. 30(1): what iCentrex processes as controller."""
    held = personal_data_by_activity()
    recipients = [_recipient(p) for p in _providers()]
    return {
        "$schema": SCHEMA,
        "record": "controller",
        "controller": controller(),
        "activities": [_activity(key, held[key]) for key in ACTIVITIES],
        "recipients": recipients,
        "recipient_groups": {key: str(name) for key, name in RECIPIENT_GROUPS.items()},
        "transfers": _transfers(recipients),
        "retention": [
            {"category": category, "activity": key, **row}
            for key, categories in held.items()
            for category, rows in categories.items()
            for row in rows
        ],
        "security_measures": [str(m) for m in SECURITY_MEASURES],
    }


def processor_common() -> dict:
    """The part of every art. 30(2) record that does not depend on the
    organisation: iCentrex as processor, the categories of processing,
    sub-processors, transfers and security."""
    held = personal_data_by_activity()
    sub_processors = [_recipient(p) for p in _providers(kind=Provider.Kind.SERVICE_PROVIDER)]
    return {
        "$schema": SCHEMA,
        "record": "processor",
        "processor": controller(),
        "processing": [_activity(key, held[key]) for key, a in ACTIVITIES.items() if a.for_customers],
        "sub_processors": sub_processors,
        "recipient_groups": {key: str(name) for key, name in RECIPIENT_GROUPS.items()},
        "transfers": _transfers(sub_processors),
        "security_measures": [str(m) for m in SECURITY_MEASURES],
    }


def _organization_part(organization, policy, domains: list[str], integrations: list[dict]) -> dict:
    return {
        "controller": {
            "organisation": organization.name,
            "key": organization.slug,
            "contact": str(ORGANISATION_CONTACT),
        },
        "instructions": {
            "data_policy": {
                "member_content_kept_days": policy.retention_days if policy else None,
                "review_allowed_for": policy.review_allowed_for if policy else DataPolicy.Who.NOBODY,
                "member_told_of_review": policy.notify_member_on_review if policy else True,
                "export_allowed_for": policy.export_allowed_for if policy else DataPolicy.Who.OWNERS,
            },
            "verified_domains": domains,
            "integrations_installed": integrations,
        },
    }


def _grouped_by_organization(rows: Iterator[tuple[int, object]]):
    """Turn a stream of (organization_id, value) sorted by id into a function
    that, asked for ids in increasing order, returns each id's values."""
    pending = next(rows, None)

    def values_of(organization_id: int) -> list:
        nonlocal pending
        found = []
        while pending is not None and pending[0] <= organization_id:
            if pending[0] == organization_id:
                found.append(pending[1])
            pending = next(rows, None)
        return found

    return values_of


def organization_parts(organizations=None) -> Iterator[tuple[Organization, dict]]:
    """(organisation, its part of the processor record) for every organisation
    (or those of the queryset given), by id. Three streamed queries whatever
    the number: organisations with their data policy, verified domains, and
    organisation-wide integrations, merged by organisation id."""
    organizations = (organizations if organizations is not None else Organization.objects.all()).order_by(
        "pk"
    )
    ids = organizations.values("pk")
    domains = _grouped_by_organization(
        (row[0], row[1])
        for row in DomainClaim.objects.filter(organization__in=ids, status=DomainClaim.Status.VERIFIED)
        .order_by("organization_id", "domain")
        .values_list("organization_id", "domain")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    integrations = _grouped_by_organization(
        (
            installation.organization_id,
            {
                "key": installation.provider.slug,
                "name": installation.provider.name,
                "data_received": [field_label(f) for f in installation.granted_fields],
            },
        )
        for installation in Installation.objects.filter(
            Q(organization__in=ids), status=Installation.Status.ACTIVE
        )
        .select_related("provider")
        .only("organization_id", "granted_fields", "provider__slug", "provider__name")
        .order_by("organization_id", "provider__slug", "pk")
        .iterator(chunk_size=STREAM_CHUNK)
    )
    for organization in organizations.select_related("data_policy").iterator(chunk_size=STREAM_CHUNK):
        policy = organization.data_policy if hasattr(organization, "data_policy") else None
        yield (
            organization,
            _organization_part(organization, policy, domains(organization.pk), integrations(organization.pk)),
        )


def processor_record(common: dict, part: dict) -> dict:
    """The whole art. 30(2) record of one organisation."""
    return common | part


def processor_parts_of(organization) -> tuple[dict, dict]:
    """(the shared part, the organisation's part) of one organisation's record."""
    ((_organization, part),) = organization_parts(Organization.objects.filter(pk=organization.pk))
    return processor_common(), part


class ProcessorRecordHasher:
    """``sha256(processor_record(common, part))`` for many organisations
    without serialising the shared part (the sub-processor list can be long)
    again for each: its pieces are serialised once, and the canonical form is
    hashed piece by piece in key order."""

    def __init__(self, common: dict):
        self.pieces = {key: _piece(key, value) for key, value in common.items()}

    def sha256(self, part: dict) -> str:
        pieces = self.pieces | {key: _piece(key, value) for key, value in part.items()}
        digest = hashlib.sha256(b"{")
        for n, key in enumerate(sorted(pieces)):
            if n:
                digest.update(b",")
            digest.update(pieces[key])
        digest.update(b"}")
        return digest.hexdigest()


def _piece(key: str, value) -> bytes:
    return (json.dumps(key, ensure_ascii=False) + ":" + canonical(value).decode()).encode()
