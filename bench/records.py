"""Records of processing (issue 20) at scale: 1,000 providers, a register of 50
models and 10,000 organisations. Generation time, peak memory (tracemalloc)
and queries, for the controller record and for every organisation's processor
record (streamed, each hashed whole), at 1,000 and at 10,000 organisations
side by side (queries must not grow); then the daily editions (first run keeps
one per organisation, the second keeps nothing) and the pages.

The register has 39 real declarations; 11 synthetic ones (fake models, real
activities and categories) bring it to 50, as a bigger product would have.
Providers, organisations, their data policies, verified domains and installed
integrations are seeded with INSERT ... SELECT from generate_series."""

import time
import tracemalloc
from types import SimpleNamespace

PROVIDERS = 1_000
ORGANIZATIONS = 10_000
MODELS = 50


def seed(organizations: int, *, start: int = 0) -> dict:
    from django.db import connection

    from domains.models import DomainClaim

    claims = DomainClaim._meta.db_table  # the table kept its old name when the model moved apps

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO organizations_organization (name, slug, created_at)
            SELECT 'Organisation ' || n, 'bench-org-' || n, now()
            FROM generate_series(%s::bigint, %s::bigint) AS n
            """,
            [start + 1, start + organizations],
        )
        cursor.execute(
            """
            INSERT INTO organizations_datapolicy
                (organization_id, retention_days, review_allowed_for, notify_member_on_review,
                 export_allowed_for, updated_at)
            SELECT id, CASE WHEN id %% 3 = 0 THEN 30 + id %% 365 END, 'owners', true,
                   'owners_and_admins', now()
            FROM organizations_organization WHERE slug LIKE 'bench-org-%%' AND id %% 2 = 0
              AND id NOT IN (SELECT organization_id FROM organizations_datapolicy)
            """,
            [],
        )
        cursor.execute(
            f"""
            INSERT INTO {claims}
                (organization_id, domain, include_subdomains, token, status, created_at, verified_at,
                 last_check_result)
            SELECT id, 'org' || id || '.example', false, md5(id::text), 'verified', now(), now(), ''
            FROM organizations_organization WHERE slug LIKE 'bench-org-%%' AND id %% 10 < 3
              AND id NOT IN (SELECT organization_id FROM {claims})
            """,
            [],
        )
        cursor.execute(
            """
            INSERT INTO integrations_installation
                (public_id, provider_id, organization_id, audience, granted_fields, status, created_at)
            SELECT gen_random_uuid(), p.id, o.id, 'me', '["identity.id", "organisation.name"]'::jsonb,
                   'active', now()
            FROM organizations_organization o
            JOIN LATERAL (SELECT id FROM integrations_provider WHERE kind = 'integration'
                          ORDER BY id OFFSET (o.id %% 3) LIMIT 1) p ON true
            WHERE o.slug LIKE 'bench-org-%%' AND o.id %% 5 = 0
              AND o.id NOT IN (SELECT organization_id FROM integrations_installation
                               WHERE organization_id IS NOT NULL)
            """,
            [],
        )
    return {"organizations": organizations, "seconds": round(time.perf_counter() - started, 1)}


def seed_providers(total: int) -> None:
    """Providers up to ``total``: half integrations, half service providers of
    every kind, a quarter of them outside the EEA (some with no safeguard)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM integrations_provider")
        (existing,) = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO integrations_provider
                (slug, name, kind, role, advertising, description, purpose, fields, webhook_url,
                 signing_secret_sealed, service, agreement_reference, country, transfer_mechanism,
                 active, created_at, updated_at)
            SELECT 'bench-provider-' || n, 'Provider ' || n,
                   CASE WHEN n %% 2 = 0 THEN 'integration' ELSE 'service_provider' END,
                   'service_provider', false, '', 'Does bench work number ' || n || ' for iCentrex.',
                   '["identity.id", "identity.email"]'::jsonb,
                   CASE WHEN n %% 2 = 0 THEN 'https://hooks.example/' || n ELSE '' END, '',
                   CASE WHEN n %% 2 = 0 THEN ''
                        ELSE (ARRAY['hosting','email','payment','security','marketing'])
                             [1 + (n / 2) %% 5] END,
                   'DPA-' || n,
                   (ARRAY['SE','DE','US','IN','IE','NL','GB','FR'])[1 + n %% 8],
                   CASE WHEN n %% 17 = 0 THEN '' ELSE 'Standard Contractual Clauses' END,
                   true, now(), now()
            FROM generate_series(1, %s) AS n
            """,
            [total - existing],
        )


def _synthetic_declarations():
    """The real register plus fake models up to MODELS."""
    from core.processing import ACTIVITIES, DATA_CATEGORIES
    from core.register import Deleted, Exported, PersonalData, declarations

    real = declarations()
    activities, categories = list(ACTIVITIES), list(DATA_CATEGORIES)
    fake = [
        (
            SimpleNamespace(_meta=SimpleNamespace(label_lower=f"bench.model{n}")),
            PersonalData(
                person="user",
                export=Exported("profile", "A bench model's rows."),
                erasure=Deleted("Deleted."),
                retention="Kept while the account exists.",
                activity=activities[n % len(activities)],
                categories=(categories[n % len(categories)],),
            ),
        )
        for n in range(MODELS - len(real))
    ]
    return lambda: real + fake


def _measure(work) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    tracemalloc.start()
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queries = len(captured.captured_queries)  # read before the log is reset
    reset_queries()
    return {
        "seconds": round(seconds, 2),
        "peak_mib": round(peak / 2**20, 1),
        "queries": queries,
        **(result or {}),
    }


def _processor_records() -> dict:
    from registers import records

    common = records.processor_common()
    hasher = records.ProcessorRecordHasher(common)
    count = 0
    for _organization, part in records.organization_parts():
        hasher.sha256(part)
        count += 1
    return {"organizations": count, "record_bytes_each": len(records.canonical(common))}


def _time_page(client, url: str, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return round(sorted(timings)[len(timings) // 2] * 1000, 1)


def run() -> dict:
    from django.conf import settings

    from bench.registers import _officer_client
    from registers import records, services

    records.declarations = _synthetic_declarations()
    seed_providers(PROVIDERS)
    report = {"register": {"models": len(records.declarations()), "providers": PROVIDERS}}
    report["controller_record"] = _measure(
        lambda: {"recipients": len(records.controller_record()["recipients"])}
    )
    report["seed_1k"] = seed(ORGANIZATIONS // 10)
    report["processor_records_1k"] = _measure(_processor_records)
    report["seed_10k"] = seed(ORGANIZATIONS - ORGANIZATIONS // 10, start=ORGANIZATIONS // 10)
    report["processor_records_10k"] = _measure(_processor_records)
    report["daily_editions_first"] = _measure(
        lambda: services.record_editions_daily(language=settings.LANGUAGE_CODE)
    )
    report["daily_editions_unchanged"] = _measure(
        lambda: services.record_editions_daily(language=settings.LANGUAGE_CODE)
    )
    client = _officer_client()
    report["pages_median_ms"] = {
        "controller_record": _time_page(client, "/staff/records/"),
        "controller_record_json_download": _time_page(client, "/staff/records/?format=json"),
        "processor_record": _time_page(client, "/staff/records/processor/bench-org-5000/"),
        "processor_records_list": _time_page(client, "/staff/records/processor/?page=100"),
    }
    return report
