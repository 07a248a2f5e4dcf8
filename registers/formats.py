"""The records of processing in the forms people ask for: a spreadsheet (CSV,
one row per processing activity, the layout supervisory authorities' templates
use) and JSON-LD in W3C Data Privacy Vocabulary terms. Our JSON stays the
primary form: DPV is a community vocabulary, so this is a mapping of it, and
the JSON-LD says which edition of our record it was made from."""

import json

from django.http import HttpResponse

from core.csv_export import csv_download
from core.processing import SECURITY_MEASURES

from .records import canonical

FORMATS = ("json", "csv", "jsonld")

DPV_VERSION = "2.1"
JSONLD_CONTEXT = {
    "dpv": "https://w3id.org/dpv#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "dct": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}
# GDPR art. 6(1) in DPV's GDPR extension.
DPV_LEGAL_BASES = {
    "consent": "eu-gdpr:A6-1-a",
    "contract": "eu-gdpr:A6-1-b",
    "legal_obligation": "eu-gdpr:A6-1-c",
    "legitimate_interests": "eu-gdpr:A6-1-f",
}

CSV_HEADER = [
    "record",
    "controller",
    "activity",
    "purpose",
    "legal_basis",
    "data_subjects",
    "personal_data",
    "recipients",
    "third_country_transfers",
    "retention",
    "security_measures",
]


def _recipients_of(record: dict, activity: dict) -> list[dict]:
    listed = record.get("recipients", record.get("sub_processors", []))
    return [r for r in listed if activity["key"] in r["activities"]]


def csv_rows(record: dict):
    """One row per activity (as controller) or category of processing (as
    processor), multiple values joined by "; "."""
    if record["record"] == "controller":
        controller, activities = record["controller"]["name"], record["activities"]
    else:
        controller, activities = record["controller"]["organisation"], record["processing"]
    groups = record.get("recipient_groups", {})
    security = "; ".join(record["security_measures"])
    for activity in activities:
        recipients = _recipients_of(record, activity)
        yield [
            record["record"],
            controller,
            activity["name"],
            activity["purpose"],
            activity["legal_basis"]["name"],
            "; ".join(s["name"] for s in activity["data_subjects"]),
            "; ".join(c["name"] for c in activity["personal_data"]),
            "; ".join(
                [f"{r['name']} ({r['country'] or '?'})" for r in recipients]
                + [
                    groups[g]
                    for g in activity["recipient_groups"]
                    if g != "service_providers" and g in groups
                ]
            ),
            "; ".join(
                f"{r['name']}: {r['country']}, {r['transfer_mechanism'] or 'NO SAFEGUARD RECORDED'}"
                for r in recipients
                if r["third_country"]
            ),
            "; ".join(
                f"{c['name']}: {row['retention']} ({row['model']})"
                for c in activity["personal_data"]
                for row in c["held_in"]
            ),
            security,
        ]


def _entity(name: str, **extra) -> dict:
    return {"rdfs:label": name, **extra}


def jsonld(record: dict, *, sha256: str) -> dict:
    """The record as a DPV graph: one ``dpv:Process`` per activity."""
    if record["record"] == "controller":
        controller = _entity(record["controller"]["name"], **{"@type": "dpv:DataController"})
        processor = None
        activities = record["activities"]
    else:
        controller = _entity(record["controller"]["organisation"], **{"@type": "dpv:DataController"})
        processor = _entity(record["processor"]["name"], **{"@type": "dpv:DataProcessor"})
        activities = record["processing"]
    processes = []
    for activity in activities:
        process = {
            "@id": f"#activity-{activity['key']}",
            "@type": "dpv:Process",
            "rdfs:label": activity["name"],
            "dpv:hasPurpose": {"@type": "dpv:Purpose", "rdfs:label": activity["purpose"]},
            "dpv:hasLegalBasis": {"@id": DPV_LEGAL_BASES[activity["legal_basis"]["key"]]},
            "dpv:hasDataSubject": [
                {"@type": "dpv:DataSubject", "rdfs:label": s["name"]} for s in activity["data_subjects"]
            ],
            "dpv:hasPersonalData": [
                {
                    "@type": "dpv:PersonalData",
                    "rdfs:label": c["name"],
                    "dpv:hasStorageCondition": [
                        {"@type": "dpv:StorageDuration", "rdfs:label": row["retention"]}
                        for row in c["held_in"]
                    ],
                }
                for c in activity["personal_data"]
            ],
            "dpv:hasRecipient": [
                _entity(
                    r["name"],
                    **{"@type": "dpv:DataProcessor" if r["role"] == "service_provider" else "dpv:ThirdParty"},
                    **({"dpv:hasCountry": {"rdfs:label": r["country"]}} if r["country"] else {}),
                )
                for r in _recipients_of(record, activity)
            ],
            "dpv:hasDataController": controller,
        }
        if processor:
            process["dpv:hasDataProcessor"] = processor
        processes.append(process)
    return {
        "@context": JSONLD_CONTEXT,
        "@id": f"urn:sha256:{sha256}",
        "@type": "dpv:RecordsOfActivities",
        "dct:conformsTo": f"https://w3id.org/dpv/{DPV_VERSION}",
        "dct:source": f"urn:sha256:{sha256}",
        "dpv:hasApplicableLaw": {"@id": "eu-gdpr:GDPR"},
        "dpv:hasTechnicalOrganisationalMeasure": [
            {"@type": "dpv:TechnicalOrganisationalMeasure", "rdfs:label": str(m)} for m in SECURITY_MEASURES
        ],
        "@graph": processes,
    }


def download(record: dict, *, sha256: str, fmt: str, filename: str) -> HttpResponse:
    """A record as a file: ``json`` is exactly the bytes whose SHA-256 the
    edition keeps; ``csv`` and ``jsonld`` are made from them."""
    if fmt == "csv":
        response = csv_download(header=CSV_HEADER, rows=csv_rows(record), filename=f"{filename}.csv")
    elif fmt == "jsonld":
        response = HttpResponse(
            json.dumps(jsonld(record, sha256=sha256), ensure_ascii=False, indent=2),
            content_type="application/ld+json",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.jsonld"'
    else:
        response = HttpResponse(canonical(record), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    response["X-Record-SHA256"] = sha256
    return response
