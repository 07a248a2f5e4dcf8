"""A person's copy of their data: complete for every kind, nobody else's data
in it, built in the background with progress, and reached through one emailed
link that needs sign-in, works once and expires after 7 days."""

import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.events import EventType
from audit.models import AuditEvent
from core.register import EXPORT_KINDS
from data_requests import services, tasks
from data_requests.models import PersonalExport
from tests.conftest import assert_error

from .people import EMAIL, NAME, SECOND_EMAIL, make_rich_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(owner, admin, outsider):
    return make_rich_person(acme_owner=owner, acme_admin=admin, globex_owner=outsider)


def _build(user) -> PersonalExport:
    export = services.personal_export_request(actor=user)
    assert tasks.personal_export_build(export.pk) == "done"
    assert tasks.personal_export_build(export.pk) == "skipped"  # a duplicate message does nothing
    export.refresh_from_db()
    return export


def _open(export) -> dict:
    with default_storage.open(export.file.name, "rb") as handle, zipfile.ZipFile(handle) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return {
        name.removesuffix(".json"): json.loads(body) if name.endswith(".json") else body.decode()
        for name, body in files.items()
    }


def _link(mail) -> str:
    url = next(line for line in mail.body.splitlines() if "/download/" in line).strip()
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_export_holds_every_kind_of_data(person, bob):
    export = _build(person.user)
    files = _open(export)
    assert set(files) == {*EXPORT_KINDS, "index.html"}
    assert export.status == "done" and export.percent == 100 and export.processed == export.total > 0

    profile = files["profile"]
    assert profile["account"]["email"] == EMAIL and profile["account"]["name"] == NAME
    assert profile["subject_key"] == str(person.key)
    assert {a["email"] for a in profile["email_addresses"]} == {EMAIL, SECOND_EMAIL}
    assert [m["type"] for m in profile["two_factor_methods"]] == ["totp"]
    assert "secret" not in json.dumps(profile["two_factor_methods"])
    assert [t["name"] for t in profile["api_tokens"]] == ["laptop script"]
    assert "token_hash" not in json.dumps(profile["api_tokens"])
    assert len(profile["copies_of_your_data"]) == 1

    memberships = files["memberships"]
    assert {o["organisation"]: o["role"] for o in memberships["organisations"]} == {
        "Acme AB": "member",
        "Northwind": "owner",
    }
    acme = next(o for o in memberships["organisations"] if o["organisation"] == "Acme AB")
    assert acme["teams"] == [{"team": "Design", "role": "member"}]
    assert [i["organisation"] for i in memberships["invitations"]] == ["Globex"]

    consent = files["consent"]
    assert len(consent["records"]) == 2 and all(r["record_hash"] and r["sealed"] for r in consent["records"])
    assert {r["method"] for r in consent["records"]} == {"banner_accept_all", "banner_reject_all"}
    assert [d["visitor_key"] for d in consent["linked_devices"]] == [str(person.visitor_key)]
    assert consent["current_choices"]["choices"]

    policies = files["policies"]
    assert {n["channel"] for n in policies["change_notices"]} == {"email", "in_app"}
    assert [a["kind"] for a in policies["acceptances"]] == ["accepted"]

    sharing = files["data_sharing"]
    assert {s["provider"] for s in sharing["shares"]} == {"Calendar Sync", "Standup Bot", "Mailstream"}
    assert all(s["fields"] and s["purpose"] and s["record_hash"] for s in sharing["shares"])
    assert [i["provider__name"] for i in sharing["integrations_you_added"]] == ["Calendar Sync"]

    [disclosure] = files["disclosures"]["disclosures"]
    assert disclosure["organisation"] == "Acme AB" and disclosure["email"] == EMAIL
    assert disclosure["teams"] == [["Acme AB", "Design"]]

    support = files["support_cases"]
    shared_case = next(c for c in support["cases"] if c["organisation"] == "Acme AB")
    assert NAME in shared_case["message"]
    kinds = [m["kind"] for m in shared_case["thread"]]
    assert kinds == ["staff_reply", "share_notice"]  # never the internal note
    assert "SSO logs" not in json.dumps(support)
    notice = shared_case["thread"][1]
    assert "[name 1]" in notice["shared_masked_body"] and NAME not in notice["shared_masked_body"]
    assert [q["email"] for q in support["privacy_questions"]] == [SECOND_EMAIL]
    assert [r["reported_email"] for r in support["reports_you_sent"]] == [
        "kid@example.org"
    ]  # not the one about her

    events = files["audit_events"]["events"]
    assert {e["event"] for e in events} >= {
        "user.profile_changed",
        "user.api_token_created",
        "org.created",
        "support.case_opened",
        "data.export_requested",
    }
    renamed = next(e for e in events if e["event"] == "user.profile_changed")
    assert renamed["personal_changes"] == {"name": ["Z. Q.", NAME]}  # decrypted for her

    summary = files["index.html"]
    assert "<table>" in summary and "consent.json" in summary and EMAIL in summary

    # Nothing about anyone else.
    everything = json.dumps(files)
    assert bob.email not in everything and "owner@acme.example" not in everything


def test_the_link_is_emailed_needs_sign_in_works_once_and_leaves_no_file(person, client, mailoutbox):
    export = _build(person.user)
    mailoutbox.clear()  # the policy notices of the person's making
    assert export.link_state == "ready"
    assert tasks.personal_export_send_link(export.pk) == "sent"
    assert tasks.personal_export_send_link(export.pk) == "skipped"
    [email] = mailoutbox
    assert email.to == [EMAIL] and "fungerar en gång" in email.body  # in her language
    link = _link(email)
    assert client.get(link).status_code == 302  # sign in first
    client.force_login(person.user)
    assert client.get(link.split("?")[0] + "?t=not-the-token").status_code == 404
    page = client.get(link)
    assert page.status_code == 200 and 'action="?t=' in page.content.decode()  # the download form
    download = client.post(link)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    body = b"".join(download.streaming_content)
    assert zipfile.ZipFile(__import__("io").BytesIO(body)).namelist()[0] == "profile.json"
    used = client.post(link)
    assert used.status_code == 410 and 'role="alert"' in used.content.decode()
    assert client.get(link).status_code == 410
    export.refresh_from_db()
    assert export.link_state == "used" and not default_storage.exists(export.file.name)
    assert AuditEvent.objects.filter(event_type=EventType.DATA_EXPORT_DOWNLOADED).count() == 1


def test_someone_elses_export_is_a_404_everywhere(alice, bob, client, mailoutbox):
    export = _build(alice)
    tasks.personal_export_send_link(export.pk)
    link = _link(mailoutbox[0])
    client.force_login(bob)
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    api = APIClient()
    api.force_authenticate(bob)
    assert_error(api.get(f"/api/v1/me/export/{export.public_id}"), 404)
    export.refresh_from_db()
    assert export.downloaded_at is None


def test_an_expired_link_says_so_and_the_nightly_job_deletes_its_file(alice, client, mailoutbox):
    from data_requests.retention import built_files_expire

    export = _build(alice)
    tasks.personal_export_send_link(export.pk)
    link = _link(mailoutbox[0])
    export.refresh_from_db()
    assert timedelta(days=6, hours=23) < export.expires_at - timezone.now() <= timedelta(days=7)
    PersonalExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(alice)
    response = client.post(link)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert default_storage.exists(export.file.name)
    assert built_files_expire() == 1
    assert not default_storage.exists(export.file.name)
    assert PersonalExport.objects.get(pk=export.pk).file.name == ""


def test_one_at_a_time_and_progress_while_it_builds(alice, client):
    api = APIClient()
    api.force_authenticate(alice)
    response = api.post("/api/v1/me/export")
    assert response.status_code == 202
    export_id = response.json()["id"]
    assert response.json()["link_state"] == "building"
    assert_error(api.post("/api/v1/me/export"), 409, "export_running")
    assert_error(api.post("/api/v1/me/export", {"format": "zip"}, format="json"), 400)
    assert PersonalExport.objects.count() == 1
    client.force_login(alice)
    partial = client.get(reverse("privacy_data"), HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="exports"') and 'hx-trigger="every 2s"' in partial
    page = client.post(reverse("privacy_export_request"), follow=True).content.decode()
    assert "already being prepared" in page
    tasks.personal_export_build(PersonalExport.objects.get().pk)
    detail = api.get(f"/api/v1/me/export/{export_id}").json()
    assert (detail["status"], detail["percent"], detail["link_state"]) == ("done", 100, "ready")
    assert "hx-trigger" not in client.get(reverse("privacy_data"), HTTP_HX_REQUEST="true").content.decode()
    assert api.post("/api/v1/me/export").status_code == 202  # a new one once the first is built


def test_anonymous_callers_get_401(api_client):
    assert_error(api_client.post("/api/v1/me/export"), 401)
    assert_error(api_client.post("/api/v1/me/erasure", {"password": "x"}, format="json"), 401)


def test_the_sweep_restarts_a_build_whose_worker_died_and_resends_a_lost_link(alice, enqueued):
    export = services.personal_export_request(actor=alice)
    long_ago = timezone.now() - timedelta(hours=1)
    PersonalExport.objects.filter(pk=export.pk).update(
        status="running", started_at=long_ago, created_at=long_ago
    )
    summary = tasks.data_requests_sweep.run()
    assert summary["personalexport_restarted"] == 1 and enqueued["personal_export_build"] == [export.pk]
    tasks.personal_export_build(export.pk)
    PersonalExport.objects.filter(pk=export.pk).update(finished_at=long_ago)
    assert tasks.data_requests_sweep.run()["personalexport_links_resent"] == 1
    assert enqueued["personal_export_send_link"] == [export.pk]


@pytest.mark.django_db(transaction=True)
def test_a_click_before_the_sending_transaction_commits_waits_for_it(alice, client, monkeypatch):
    """The link is emailed inside the transaction that records it (a failed send
    records nothing), so a fast reader can click before the commit: the download
    waits for the row instead of answering 404."""
    import threading
    import time

    from django.db import connection, connections

    export = _build(alice)
    client.force_login(alice)
    mailed, clicked_and_waiting = threading.Event(), threading.Event()
    urls: list[str] = []

    def send_and_linger(*, context, **_kwargs):
        urls.append(context["url"])
        mailed.set()
        # The SMTP server has the message; the transaction has not committed yet.
        clicked_and_waiting.wait(timeout=20)

    monkeypatch.setattr(tasks, "send_email", send_and_linger)

    def sender():
        try:
            tasks.personal_export_send_link(export.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=sender)
    thread.start()
    assert mailed.wait(timeout=20)

    def watcher():
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    if cursor.fetchone()[0]:
                        break
                time.sleep(0.05)
        finally:
            clicked_and_waiting.set()
            connections.close_all()

    threading.Thread(target=watcher).start()
    link = "/" + urls[0].split("://", 1)[1].split("/", 1)[1]
    download = client.post(link)
    thread.join(timeout=30)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    b"".join(download.streaming_content)
