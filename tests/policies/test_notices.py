"""Policy change notices: the outbox row, the fan-out by user ranges, retries,
the sweep, evidence (frozen rows and seals) and what staff and people see."""

import email.policy
import threading
from datetime import timedelta
from email import message_from_bytes
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.db.utils import DatabaseError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.streams import StreamCheck, stream_verify
from audit.tasks import evidence_verify
from icentrex.settings.base import _mailer_from_url
from integrations.models import SharingEvent
from policies import selectors, services
from policies.models import NoticeChunk, NoticeRun, NoticeSeal, PolicyAcceptance, PolicyDocument, PolicyNotice
from tests.factories import UserFactory
from tests.tamper import bypass_triggers

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    user = UserFactory(email="po@icentrex.example", date_joined=timezone.now() - timedelta(days=90))
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


def make_users(count: int, *, prefix="member", language="") -> list[User]:
    joined = timezone.now()  # after the seeded versions, before the ones a test publishes
    return User.objects.bulk_create(
        [User(email=f"{prefix}{i}@example.org", language=language, date_joined=joined) for i in range(count)]
    )


def publish(officer, *, material=False, slug="privacy", effective_in=timedelta(0)):
    document = PolicyDocument.objects.get(slug=slug)
    body = selectors.version_in_force(document=document).body + f"\n\nChange {timezone.now().isoformat()}.\n"
    return services.policy_draft_create(
        actor=officer,
        document=document,
        body=body,
        summary="We now keep support tickets for two years.",
        effective_at=timezone.now() + effective_in,
        material=material,
        publish=True,
    )


def run_fan_out(version) -> NoticeRun:
    """What the worker does, in process: plan the ranges, deliver each."""
    run = NoticeRun.objects.get(version=version)
    for chunk_id in services.notice_run_plan(run_id=run.pk):
        assert services.notice_chunk_deliver(chunk_id=chunk_id) is None
    run.refresh_from_db()
    return run


def test_publishing_writes_the_outbox_row_and_enqueues_after_commit(
    officer, django_capture_on_commit_callbacks, settings
):
    make_users(3)
    with django_capture_on_commit_callbacks() as callbacks:
        version = publish(officer)
    run = NoticeRun.objects.get(version=version)
    assert run.status == NoticeRun.Status.PENDING
    assert run.last_user_pk == User.objects.order_by("-pk").first().pk
    assert len(callbacks) == 1  # notices_fan_out, only once the version is committed


def test_every_active_account_gets_one_email_and_one_in_app_notice(officer, settings):
    settings.POLICY_NOTICE_CHUNK_SIZE = 4
    people = make_users(9)
    make_users(2, prefix="swede", language="sv")
    User.objects.filter(pk=people[0].pk).update(is_active=False)
    version = publish(officer)
    make_users(1, prefix="latecomer")  # signed up after publication: reads the new version at sign-up
    run = run_fan_out(version)

    notified = 1 + 8 + 2  # the officer, active members, the two Swedes
    assert run.status == NoticeRun.Status.DONE and run.recipient_count == notified
    first_pk = officer.pk  # the first account; ranges start there
    assert run.chunks.count() == -(-(run.last_user_pk - first_pk + 1) // 4)
    notices = PolicyNotice.objects.filter(version=version)
    assert notices.filter(channel="email", status="sent").count() == notified
    assert notices.filter(channel="in_app", status="sent").count() == notified
    assert len(mail.outbox) == notified
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert "member0@example.org" not in recipients and "latecomer0@example.org" not in recipients
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == notified
    swedish = next(m for m in mail.outbox if m.to == ["swede0@example.org"])
    english = next(m for m in mail.outbox if m.to == ["member1@example.org"])
    assert swedish.subject != english.subject and "Privacy policy" in english.subject
    assert "two years" in english.body and f"/policies/privacy/versions/{version.number}/" in english.body
    # Handing the addresses to the email vendor is logged as a share, per person.
    shares = SharingEvent.objects.filter(provider__slug="mailstream")
    assert shares.count() == notified and set(shares.values_list("legal_basis", flat=True)) == {"contract"}
    assert shares.first().fields == ["identity.email", "profile.language"]
    # Sealed when finished, and the seal verifies.
    seal = NoticeSeal.objects.get(run=run)
    assert seal.notice_count == notified * 2
    assert stream_verify("notices") == StreamCheck("notices", items=notified * 2, seals=1, broken=None)


def test_a_material_change_email_asks_for_acceptance(officer):
    make_users(1)
    run_fan_out(publish(officer, material=True))
    body = next(m for m in mail.outbox if m.to == ["member0@example.org"]).body
    assert "accept" in body and reverse("policy_accept") in body


def test_duplicate_deliveries_send_nothing_twice(officer, settings):
    settings.POLICY_NOTICE_CHUNK_SIZE = 5
    make_users(12)
    version = publish(officer)
    run = NoticeRun.objects.get(version=version)
    first = services.notice_run_plan(run_id=run.pk)
    assert services.notice_run_plan(run_id=run.pk) == first  # planning twice makes no new ranges
    for chunk_id in first + first:  # every task delivered twice
        services.notice_chunk_deliver(chunk_id=chunk_id)
    services.notice_run_finish(run_id=run.pk)
    assert len(mail.outbox) == 13
    assert PolicyNotice.objects.filter(version=version).count() == 26
    assert NoticeSeal.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_range_at_once_never_send_a_notice_twice(settings):
    settings.POLICY_NOTICE_CHUNK_SIZE = 1000
    settings.POLICY_NOTICE_EMAIL_BATCH = 7
    officer = UserFactory(email="po2@icentrex.example", date_joined=timezone.now() - timedelta(days=9))
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    make_users(60)
    version = publish(officer)
    run = NoticeRun.objects.get(version=version)
    (chunk_id,) = services.notice_run_plan(run_id=run.pk)
    barrier = threading.Barrier(2)

    def deliver():
        try:
            barrier.wait()
            services.notice_chunk_deliver(chunk_id=chunk_id)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    services.notices_sweep(stale_after=timedelta(0))  # finishes the range if both left it to the other
    services.notice_chunk_deliver(chunk_id=chunk_id)
    sent_to = [m.to[0] for m in mail.outbox]
    assert len(sent_to) == len(set(sent_to)) == 61
    assert PolicyNotice.objects.filter(version=version, status="sent").count() == 122


def test_email_errors_are_retried_with_back_off_then_marked_failed(officer, settings):
    settings.MAILERS = {"default": _mailer_from_url("smtp://127.0.0.1:9")}  # nothing listens there
    settings.POLICY_NOTICE_MAX_ATTEMPTS = 3
    settings.POLICY_NOTICE_RETRY_SECONDS = 60
    make_users(2)
    version = publish(officer)
    run = NoticeRun.objects.get(version=version)
    (chunk_id,) = services.notice_run_plan(run_id=run.pk)

    come_back = services.notice_chunk_deliver(chunk_id=chunk_id)
    assert 55 <= come_back <= 60
    email = PolicyNotice.objects.filter(version=version, channel="email")
    assert set(email.values_list("status", "attempts")) == {("pending", 1)}
    assert "ConnectionRefusedError" in email.first().failure_reason
    # Nothing is due yet: a second delivery leaves them alone.
    services.notice_chunk_deliver(chunk_id=chunk_id)
    assert set(email.values_list("attempts", flat=True)) == {1}

    # The second retry waits twice as long.
    email.update(next_attempt_at=timezone.now())
    assert 115 <= services.notice_chunk_deliver(chunk_id=chunk_id) <= 120
    email.update(next_attempt_at=timezone.now())
    assert services.notice_chunk_deliver(chunk_id=chunk_id) is None
    assert set(email.values_list("status", "attempts")) == {("failed", 3)}
    run.refresh_from_db()
    assert run.status == NoticeRun.Status.DONE  # failed notices are final: the run is sealed
    progress = selectors.notice_progress(version=version)
    assert progress.channels["email"] == {"sent": 0, "failed": 3, "pending": 0}
    assert progress.failure_reasons[0][1] == 3


def test_the_sweep_relays_lost_runs_releases_dead_claims_and_resumes_stale_ranges(
    officer, settings, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(services, "_enqueue_fan_out", lambda run_id: enqueued.append(("run", run_id)))
    monkeypatch.setattr(
        services, "_enqueue_chunk", lambda chunk_id, countdown=0: enqueued.append(("chunk", chunk_id))
    )
    make_users(3)
    version = publish(officer)  # the broker "lost" the message: nothing ran
    run = NoticeRun.objects.get(version=version)
    assert services.notices_sweep(stale_after=timedelta(minutes=5))["relayed_runs"] == 0  # not stale yet
    assert services.notices_sweep(stale_after=timedelta(0))["relayed_runs"] == 1
    assert enqueued == [("run", run.pk)]

    (chunk_id,) = services.notice_run_plan(run_id=run.pk)
    chunk = NoticeChunk.objects.get(pk=chunk_id)
    services.notice_chunk_prepare(chunk=chunk)
    # A worker claimed two emails and died.
    claimed = PolicyNotice.objects.filter(version=version, channel="email")[:2]
    PolicyNotice.objects.filter(pk__in=[n.pk for n in claimed]).update(
        status="sending", claimed_at=timezone.now() - timedelta(minutes=10)
    )
    enqueued.clear()
    result = services.notices_sweep(stale_after=timedelta(0))
    assert result["released_notices"] == 2 and result["resumed_chunks"] == 1
    assert enqueued == [("chunk", chunk_id)]
    assert services.notice_chunk_deliver(chunk_id=chunk_id) is None
    assert len(mail.outbox) == 4
    run.refresh_from_db()
    assert run.status == NoticeRun.Status.DONE


def test_a_range_query_count_does_not_grow_with_its_users(officer, settings):
    settings.POLICY_NOTICE_EMAIL_BATCH = 1000
    settings.POLICY_NOTICE_CHUNK_SIZE = 1000
    make_users(10, prefix="small")
    small = NoticeRun.objects.get(version=publish(officer))
    (small_chunk,) = services.notice_run_plan(run_id=small.pk)
    with CaptureQueriesContext(connection) as few:
        services.notice_chunk_deliver(chunk_id=small_chunk)

    make_users(200, prefix="large")
    large = NoticeRun.objects.get(version=publish(officer))
    (large_chunk,) = services.notice_run_plan(run_id=large.pk)
    with CaptureQueriesContext(connection) as many:
        services.notice_chunk_deliver(chunk_id=large_chunk)
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]


def test_final_notices_are_frozen_and_tampering_breaks_the_seal(officer):
    make_users(3)
    version = publish(officer)
    run_fan_out(version)
    notice = PolicyNotice.objects.filter(version=version, channel="email").first()
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("UPDATE policies_policynotice SET status = 'failed' WHERE id = %s", [notice.pk])
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("DELETE FROM policies_policynotice WHERE id = %s", [notice.pk])
    with pytest.raises(Exception, match="never deleted"):
        PolicyNotice.objects.filter(pk=notice.pk).delete()


@pytest.mark.parametrize(
    "tamper, reason",
    [
        (
            "UPDATE policies_policynotice SET sent_at = sent_at - interval '3 days' WHERE id = %s",
            "was edited",
        ),
        # The notice and its log entry, or the database's own foreign key would object.
        (
            "DELETE FROM policies_noticeentry WHERE notice_id = %(id)s; "
            "DELETE FROM policies_policynotice WHERE id = %(id)s",
            "deleted or added",
        ),
    ],
)
def test_the_seal_detects_edited_and_deleted_notices(officer, tamper, reason):
    make_users(3)
    version = publish(officer)
    run_fan_out(version)
    sealed = NoticeSeal.objects.get().notice_count
    assert stream_verify("notices") == StreamCheck("notices", items=sealed, seals=1, broken=None)
    out = StringIO()
    call_command("evidence_verify", "--stream", "notices", stdout=out)
    assert out.getvalue().splitlines()[0] == f"notices: intact, 1 seal and {sealed} notices verified."
    notice_id = PolicyNotice.objects.filter(version=version).first().pk
    bypass_triggers(tamper, {"id": notice_id} if "%(id)s" in tamper else [notice_id])
    broken = stream_verify("notices").broken
    assert broken is not None and reason in broken.reason
    with pytest.raises(CommandError, match=reason):
        call_command("evidence_verify", "--stream", "notices", stdout=StringIO())
    assert evidence_verify("notices")["notices"]["broken"]["id"] == broken.id


def test_staff_see_progress_and_others_do_not(officer, client, settings):
    settings.POLICY_NOTICE_CHUNK_SIZE = 2
    make_users(5)
    version = publish(officer)
    run = NoticeRun.objects.get(version=version)
    chunk_ids = services.notice_run_plan(run_id=run.pk)
    services.notice_chunk_deliver(chunk_id=chunk_ids[-1])  # part of the way

    progress = selectors.notice_progress(version=version)
    assert progress.recipients == 6
    assert progress.channels["email"]["sent"] + progress.channels["email"]["pending"] == 6
    assert 0 < progress.done_fraction < 1

    client.force_login(officer)
    page = client.get(reverse("staff_policy_notices", args=[version.pk]))
    assert page.status_code == 200 and b'hx-trigger="every 2s"' in page.content
    partial = client.get(reverse("staff_policy_notices", args=[version.pk]), headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"<html" not in partial.content
    assert client.get(reverse("staff_policy_notice_runs")).status_code == 200
    api = client.get(reverse("api-policy-notice-progress", args=[version.pk]))
    assert api.status_code == 200
    assert api.json()["recipients"] == 6 and api.json()["status"] == "running"

    member = User.objects.get(email="member0@example.org")
    client.force_login(member)
    assert client.get(reverse("staff_policy_notices", args=[version.pk])).status_code == 403
    assert client.get(reverse("api-policy-notice-progress", args=[version.pk])).status_code == 403


def test_a_non_material_change_shows_a_banner_until_acknowledged(officer, client):
    (member,) = make_users(1)
    version = publish(officer, slug="terms")
    client.force_login(member)
    home = client.get(reverse("home"))
    assert home.status_code == 200  # no interstitial for a non-material change
    assert b'id="policy-update"' in home.content and b"two years" in home.content
    response = client.post(
        reverse("policy_updates_acknowledge"), {"version": [version.pk], "next": "/privacy/"}
    )
    assert response.status_code == 302 and response.url == "/privacy/"
    record = PolicyAcceptance.objects.get()
    assert (record.kind, record.how, record.version) == ("notified", "banner", version)
    assert b'id="policy-update"' not in client.get(reverse("home")).content


def test_acknowledging_with_htmx_removes_the_banner_in_place(officer, client):
    (member,) = make_users(1)
    version = publish(officer, slug="terms")
    client.force_login(member)
    response = client.post(
        reverse("policy_updates_acknowledge"), {"version": [version.pk]}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and response.content == b""
    assert PolicyAcceptance.objects.filter(kind="notified").count() == 1


def test_a_material_change_shows_no_banner_and_cannot_be_merely_acknowledged(officer, client):
    (member,) = make_users(1)
    version = publish(officer, material=True)
    client.force_login(member)
    client.post(reverse("policy_updates_acknowledge"), {"version": [version.pk]})
    assert not PolicyAcceptance.objects.exists()
    assert client.get(reverse("home")).status_code == 302  # the interstitial


def test_people_who_joined_after_the_change_see_no_banner(officer, client):
    publish(officer, slug="terms")
    newcomer = UserFactory(email="new@example.org")
    client.force_login(newcomer)
    assert b'id="policy-update"' not in client.get(reverse("home")).content


def test_the_privacy_centre_lists_notices_and_answers(officer, client):
    (member,) = make_users(1)
    terms = publish(officer, slug="terms")
    privacy = publish(officer, material=True)
    run_fan_out(terms)
    run_fan_out(privacy)
    client.force_login(member)
    services.policy_accept(user=member, version=privacy, how="interstitial")
    page = client.get(reverse("privacy_policies"))
    assert page.status_code == 200
    updates = page.context["updates"]
    assert [row["version"] for row in updates] == [privacy, terms]
    assert updates[0]["email"].status == "sent" and updates[0]["accepted"].how == "interstitial"
    assert updates[1]["in_app"].status == "sent" and updates[1]["accepted"] is None
    states = {row["version"].document.slug: row["state"] for row in page.context["current"]}
    assert states["privacy"] == "accepted" and states["terms"] == "notified"


def test_prebuilt_notice_emails_are_what_django_would_build(officer):
    version = publish(officer)
    subject, body, template = services._notice_email_text(version, "en")
    headers = {"Message-ID": "<policy-notice-1@icentrex.example>"}
    fast = services._NoticeEmail(subject, body, to=["ann@example.org"], headers=headers)
    fast.template = template
    usual = EmailMessage(subject, body, to=["ann@example.org"], headers=headers)

    def parsed(message):
        return message_from_bytes(
            message.message(policy=email.policy.SMTP).as_bytes(), policy=email.policy.default
        )

    a, b = parsed(fast), parsed(usual)
    for name in ("From", "To", "Subject", "Message-ID", "Content-Type", "MIME-Version"):
        assert a[name] == b[name], name
    assert a.get_content() == b.get_content()
    # An address that is not plain ASCII is built the usual way.
    other = services._NoticeEmail(subject, body, to=["åsa@exempel.se"], headers=headers)
    other.template = template
    assert parsed(other)["To"] == "åsa@exempel.se"


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "icentrex.mailbox.MailboxBackend",
    ],
)
def test_notices_are_sent_with_every_email_backend(officer, settings, tmp_path, capsys, backend):
    """Only Django's SMTP backend is given the prebuilt bytes; every other backend
    reads the message's headers and charset, and gets Django's own message."""
    options = {"file_path": str(tmp_path)} if "filebased" in backend else {}
    if backend.startswith("icentrex"):
        options = {"folder": str(tmp_path)}
    settings.MAILERS = {
        "default": {"BACKEND": backend, "OPTIONS": options} if options else {"BACKEND": backend}
    }
    make_users(2)
    version = publish(officer, material=True)
    run = run_fan_out(version)
    emails = PolicyNotice.objects.filter(version=version, channel="email")
    assert run.status == NoticeRun.Status.DONE and emails.count() == 3
    assert set(emails.values_list("status", flat=True)) == {"sent"}, list(emails.values_list("last_error"))
    assert NoticeSeal.objects.filter(run=run).exists()
    written = capsys.readouterr().out + "".join(p.read_text() for p in tmp_path.glob("*") if p.is_file())
    if "locmem" in backend:
        written = "".join(m.to[0] for m in mail.outbox)
    assert "member1@example.org" in written
