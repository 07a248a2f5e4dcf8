from django.db import connection


def bypass_triggers(sql: str, params=()) -> None:
    """Run SQL the way an attacker with database access would: with the
    append-only triggers (and every other trigger) off, for this statement only."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = origin")


def logged_rows_of_every_stream(count: int = 4) -> None:
    """``count`` rows or more of every stream with a transparency log."""
    import uuid
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from audit.events import EventType
    from audit.services import audit_record
    from consent.services import consent_record
    from cookies.selectors import current_revision
    from domains.models import DomainClaim
    from integrations.services import processor_shares_record
    from organizations.models import Organization
    from tests.domains.disclosure_support import run_now
    from tests.factories import UserFactory

    signals = {"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""}
    for _ in range(count):
        audit_record(event_type=EventType.USER_SIGN_IN_FAILED, changes={"account": "unknown"})
        consent_record(
            subject_key=uuid.uuid4(),
            subject_type="visitor",
            method="banner_accept_all",
            revision_hash=current_revision().content_hash,
            signals=signals,
        )
    processor_shares_record(
        provider_slug=settings.EMAIL_VENDOR_PROVIDER,
        subject_keys=[uuid.uuid4() for _ in range(count)],
        fields=["identity.email"],
        purpose="Sending you policy notices",
    )
    acme = Organization.objects.create(name="Acme", slug=f"acme-{uuid.uuid4().hex[:6]}")
    now = timezone.now()
    DomainClaim.objects.create(
        organization=acme,
        domain="acme.test",
        token="t0ken",
        status="verified",
        verified_at=now,
        disclosures_from=now - timedelta(minutes=1),
    )
    for i in range(count):
        UserFactory(email=f"member{i}@acme.test")
    run_now()
    _policy_notices_sent()
    _subprocessor_records(acme, count)


def _subprocessor_records(organization, count: int) -> None:
    """A sub-processor change, its notices to ``count`` subscribers and an objection."""
    from django.contrib.auth.models import Group

    from integrations import services
    from integrations.models import Provider, SubprocessorChange, SubprocessorSubscription
    from organizations.models import Membership
    from tests.factories import UserFactory

    officer = UserFactory()
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    SubprocessorSubscription.objects.bulk_create(
        SubprocessorSubscription(email=f"watcher{i}@example.test", confirmed_at=organization.created_at)
        for i in range(count)
    )
    mailstream = Provider.objects.get(slug="mailstream")
    services.provider_update(actor=officer, provider=mailstream, country="US", transfer_mechanism="SCCs")
    change = SubprocessorChange.objects.filter(provider=mailstream).latest("pk")
    services.subprocessor_notices_plan(change_id=change.pk)
    services.subprocessor_notices_send()
    admin = Membership.objects.create(organization=organization, user=UserFactory(), role="admin")
    services.subprocessor_objection_raise(actor=admin, change=change, text="Keep it in the EEA.")


def _policy_notices_sent() -> None:
    """A published policy version whose notices (email and in-app, to every
    account) are delivered: final notices, each with its log entry."""
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from policies import services as policy_services
    from policies.models import NoticeRun, PolicyDocument
    from policies.selectors import version_in_force
    from tests.factories import UserFactory

    officer = UserFactory(date_joined=timezone.now() - timedelta(days=90))
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    document = PolicyDocument.objects.get(slug="privacy")
    version = policy_services.policy_draft_create(
        actor=officer,
        document=document,
        body=version_in_force(document=document).body + "\n\nA new clause.\n",
        summary="We now keep support tickets for two years.",
        effective_at=timezone.now(),
        material=False,
        publish=True,
    )
    run = NoticeRun.objects.get(version=version)
    for chunk_id in policy_services.notice_run_plan(run_id=run.pk):
        policy_services.notice_chunk_deliver(chunk_id=chunk_id)
