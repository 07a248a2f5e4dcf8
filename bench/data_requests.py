"""A person's export and erasure at scale (issue 9).

One person with 50,000 consent records and 100,000 sharing events
(BENCH_EXPORT_CONSENT, BENCH_EXPORT_SHARING): 90 % of the events are shares
with service providers, 10 % came with webhook deliveries of a team
integration (each delivery also carries two colleagues), plus a few hundred
audit events and a handful of sealed disclosures; everything sealed as the
minute jobs would. Seeded with COPY: set-up, not what we measure.

Then a real Celery worker (one process, solo pool: the task runs in the
process whose memory we read) and Redis: the export is asked for through the
service, as the privacy centre does, and timed until its row says done; the
worker's peak memory (VmHWM) is read from /proc. Then the erasure: asked for,
made due, started by the sweep, and timed until done; afterwards every seal
and the audit chain are verified."""

import json
import os
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from bench.common import celery_worker

CONSENT = int(os.environ.get("BENCH_EXPORT_CONSENT", "50000"))
SHARING = int(os.environ.get("BENCH_EXPORT_SHARING", "100000"))
DELIVERED_SHARE = 0.1
TARGETS = {"export_seconds": 30, "worker_peak_mb": 200, "erasure_seconds": 30}


def _copy(table: str, columns: str, rows) -> None:
    from django.db import connection

    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _consent_rows(key, revision):
    from django.utils import timezone

    from consent.models import ConsentRecord

    now = timezone.now()
    for i in range(CONSENT):
        record = ConsentRecord(
            record_id=uuid.uuid4(),
            subject_key=key,
            subject_type="account",
            choices={
                "analytics": i % 2 == 0,
                "marketing": i % 3 == 0,
                "necessary": True,
                "preferences": True,
            },
            action="update",
            method="privacy_centre",
            revision=revision,
            revision_hash=revision.content_hash,
            policy_version="v1",
            language="sv",
            page_url="https://app.icentrex.example/settings",
            ip_prefix="192.0.2.0/24",
            ua_family="Firefox",
            ua_version="140",
            recorded_at=now - timedelta(seconds=CONSENT - i),
        )
        yield (
            record.record_id,
            key,
            "account",
            json.dumps(record.choices),
            "update",
            "privacy_centre",
            revision.pk,
            revision.content_hash,
            "v1",
            "sv",
            record.page_url,
            "",
            None,
            None,
            record.ip_prefix,
            "Firefox",
            "140",
            record.recorded_at,
            record.compute_hash(),
            record.hash_version,
            "[]",
        )


def seed() -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from audit.events import EventType
    from audit.services import audit_record
    from audit.streams import stream_seal
    from cookies.selectors import current_revision
    from domains.models import EmailDisclosure
    from integrations.catalog import categories_of
    from integrations.models import Installation, Provider, SharingEvent, WebhookDelivery
    from organizations.models import Membership, Organization, Team, TeamMembership
    from subjects.services import subject_key_for_user, subject_seal

    started = time.perf_counter()
    person = User.objects.create_user("export-bench@example.org", "bench-password-123", name="Export Bench")
    colleagues = [
        User.objects.create_user(f"colleague{n}@example.org", name=f"Colleague {n}") for n in range(2)
    ]
    organization = Organization.objects.create(name="Bench Org", slug="bench-org")
    team = Team.objects.create(organization=organization, name="Platform", slug="platform")
    for n, user in enumerate([person, *colleagues]):
        membership = Membership.objects.create(
            organization=organization,
            user=user,
            role="owner" if n == 1 else "member",
            is_primary_owner=n == 1,
        )
        TeamMembership.objects.create(team=team, membership=membership)
    key = subject_key_for_user(user=person)
    others = [subject_key_for_user(user=user) for user in colleagues]
    columns = (
        "record_id, subject_key, subject_type, choices, action, method, revision_id, revision_hash, "
        "policy_version, language, page_url, origin, gpc, dnt, ip_prefix, ua_family, ua_version, "
        "recorded_at, record_hash, hash_version, gpc_overridden"
    )
    _copy("consent_consentrecord", columns, _consent_rows(key, current_revision()))

    # Shares: most with service providers, the rest through a team integration's deliveries.
    standup = Provider.objects.get(slug="standup-bot")
    installation = Installation.objects.create(
        provider=standup,
        installed_by=colleagues[1],
        organization=organization,
        team=team,
        audience="team",
        granted_fields=["identity.id", "identity.name", "team.name"],
    )
    delivered = int(SHARING * DELIVERED_SHARE)
    fields = installation.granted_fields
    people = [
        {"identity.name": name, "team.name": "Platform"}
        for name in ("Export Bench", "Colleague 0", "Colleague 1")
    ]
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                installation=installation,
                kind="data.shared",
                status="delivered",
                payload={"installation": str(installation.public_id), "fields": fields, "people": people},
            )
            for _ in range(delivered)
        ],
        batch_size=5000,
    )
    deliveries = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))
    providers = [p for p in Provider.objects.filter(kind="service_provider")]
    now = timezone.now()

    def sharing_rows():
        def row(subject, provider, shared_fields, delivery=None, legal_basis="contract"):
            event = SharingEvent(
                event_id=uuid.uuid4(),
                provider=provider,
                subject_key=subject,
                organization_id=organization.pk if delivery else None,
                team_id=team.pk if delivery else None,
                installation_id=installation.public_id if delivery else None,
                delivery_id=delivery,
                categories="," + ",".join(categories_of(shared_fields)) + ",",
                fields=shared_fields,
                purpose=provider.purpose,
                legal_basis=legal_basis,
                occurred_at=now,
            )
            return (
                event.event_id,
                provider.pk,
                subject,
                event.organization_id,
                event.team_id,
                event.installation_id,
                delivery,
                event.categories,
                json.dumps(shared_fields),
                event.purpose,
                legal_basis,
                now,
                event.compute_hash(),
            )

        for delivery in deliveries:  # her event first, as share_with_integration writes them
            for subject in (key, *others):
                yield row(subject, standup, fields, delivery, "consent")
        for i in range(SHARING - delivered):
            provider = providers[i % len(providers)]
            yield row(key, provider, provider.fields)

    columns = (
        "event_id, provider_id, subject_key, organization_id, team_id, installation_id, delivery_id, "
        "categories, fields, purpose, legal_basis, occurred_at, record_hash"
    )
    _copy("integrations_sharingevent", columns, sharing_rows())
    for n in range(300):
        audit_record(
            event_type=EventType.USER_PROFILE_CHANGED, actor=person, personal_changes={"name": [n, n + 1]}
        )
    for _ in range(5):
        record = EmailDisclosure(
            organization_id=organization.pk,
            organization_name=organization.name,
            claim_id=0,
            domain="example.org",
            run_id=0,
            subject_key=key,
            disclosed_at=now,
            sealed=subject_seal(
                subject_key=key, value={"email": person.email, "teams": [[organization.name, "P"]]}
            ),
        )
        record.record_hash = record.compute_hash()
        record.save()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    for stream in ("consent", "sharing", "disclosures"):
        stream_seal(stream)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "consent_records": CONSENT,
        "sharing_events": SHARING,
        "of_which_with_webhook_deliveries": delivered,
        "email_vendor": settings.EMAIL_VENDOR_PROVIDER,
    }, person


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _wait(condition, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the job did not finish in time")
        time.sleep(0.1)


def run(env: dict) -> dict:
    from django.utils import timezone

    from audit.streams import stream_verify
    from data_requests import services, tasks
    from data_requests.models import ErasureRequest, PersonalExport

    seeded, person = seed()
    media = tempfile.mkdtemp(prefix="icentrex-bench-media-")
    log = Path(tempfile.gettempdir()) / "icentrex-bench-data-requests-worker.log"
    worker = celery_worker({**env, "MEDIA_ROOT": media}, "data-requests", log, "--pool=solo")
    try:
        idle_mb = _peak_mb(worker.pid)
        started = time.perf_counter()
        export = services.personal_export_request(actor=person)
        _wait(lambda: PersonalExport.objects.filter(pk=export.pk, status__in=["done", "failed"]).exists())
        export_seconds = time.perf_counter() - started
        export.refresh_from_db()
        assert export.status == "done", export.error
        export_peak_mb = _peak_mb(worker.pid)
        size_mb = round(Path(media, export.file.name).stat().st_size / 1e6, 1)

        erasure = services.erasure_request(actor=person)
        ErasureRequest.objects.filter(pk=erasure.pk).update(scheduled_for=timezone.now())
        started = time.perf_counter()
        tasks.data_requests_sweep()
        _wait(lambda: ErasureRequest.objects.filter(pk=erasure.pk, status="done").exists())
        erasure_seconds = time.perf_counter() - started
        erasure.refresh_from_db()
        peak_mb = _peak_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    started = time.perf_counter()
    verified = {
        "audit_chain": stream_verify("audit").intact,
        "consent_seals": stream_verify("consent").intact,
        "sharing_seals": stream_verify("sharing").intact,
        "disclosure_seals": stream_verify("disclosures").intact,
    }
    return {
        "seed": seeded,
        "worker": "one process, solo pool",
        "worker_idle_mb": idle_mb,
        "export_seconds": round(export_seconds, 2),
        "export_rows": export.processed,
        "export_zip_mb": size_mb,
        "worker_peak_mb_after_export": export_peak_mb,
        "erasure_seconds": round(erasure_seconds, 2),
        "erasure_summary": {
            step: counts for step, counts in erasure.summary.items() if step in ("integrations", "profile")
        },
        "worker_peak_mb": peak_mb,
        "verified_after_erasure": verified,
        "verify_seconds": round(time.perf_counter() - started, 1),
        "targets": TARGETS,
    }
