"""The embedded profile's local tools: the mailbox that shows what the app sent
(decoded, links working) and the demo webhook receiver that checks signatures.
Both exist only with DEBUG on."""

import json
import time

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMessage

from icentrex.mailbox import mail_link_key, mailbox_list
from integrations.models import Provider
from integrations.services import webhook_signature
from subjects.services import secret_unseal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.DEBUG = True
    settings.MAILERS = {
        "default": {"BACKEND": "icentrex.mailbox.MailboxBackend", "OPTIONS": {"folder": str(tmp_path)}}
    }
    return tmp_path


def send(to: str, body: str, subject: str = "Your copy is ready") -> None:
    EmailMessage(subject, body, None, [to]).send()


def test_a_sent_mail_is_kept_whole_and_read_back_decoded(mailbox, capsys):
    link = "http://127.0.0.1:8000/privacy/data/exports/3f2a/?token=" + "x" * 90
    send("ann@example.org", f"Hej Åsa,\n\nDownload it here: {link}\n", subject="Din kopia är klar")
    [stored] = mailbox_list(mailbox)
    assert stored.to == ["ann@example.org"] and stored.subject == "Din kopia är klar"
    # Decoded: no quoted-printable soft breaks or =3D in the link a person follows.
    assert link in stored.body and "Åsa" in stored.body
    console = capsys.readouterr().out
    assert "Mail to ann@example.org: Din kopia är klar" in console
    assert f"/dev/mailbox/{stored.name}?k={mail_link_key(stored.name)}" in console


def test_the_recipient_and_staff_read_a_mail_and_others_do_not(mailbox, client):
    ann = UserFactory(email="ann@example.org")
    bob = UserFactory(email="bob@example.org")
    staff = UserFactory(email="staff@icentrex.example", is_staff=True)
    send("ann@example.org", "Confirm: http://127.0.0.1:8000/accounts/confirm-email/abc/")
    [stored] = mailbox_list(mailbox)
    page = f"/dev/mailbox/{stored.name}"

    assert client.get(page).status_code == 404  # anonymous, no key
    assert client.get(f"{page}?k=wrong").status_code == 404
    by_key = client.get(f"{page}?k={mail_link_key(stored.name)}")
    assert by_key.status_code == 200
    assert 'href="http://127.0.0.1:8000/accounts/confirm-email/abc/"' in by_key.content.decode()
    client.force_login(bob)
    assert client.get(page).status_code == 404
    assert stored.name not in client.get("/dev/mailbox/").content.decode()
    for person in (ann, staff):
        client.force_login(person)
        assert client.get(page).status_code == 200
        assert stored.name in client.get("/dev/mailbox/").content.decode()


def test_no_path_outside_the_mailbox_can_be_asked_for(mailbox, client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    for name in ("..%2F..%2Fetc%2Fpasswd", ".hidden.eml", "1765000000000000000-zzzz.eml", "x.txt"):
        assert client.get(f"/dev/mailbox/{name}").status_code == 404


def test_local_tools_do_not_exist_without_debug(settings, client, tmp_path):
    settings.DEBUG = False
    client.force_login(UserFactory(is_staff=True))
    for path in ("/dev/mailbox/", "/dev/webhooks/"):
        assert client.get(path).status_code == 404
    assert (
        client.post("/dev/webhooks/calendar-sync/", b"{}", content_type="application/json").status_code == 404
    )


def signed(provider: Provider, body: bytes, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = webhook_signature(secret_unseal(provider.signing_secret_sealed), timestamp, body)
    return {"HTTP_X_ICENTREX_SIGNATURE": f"t={timestamp},v1={signature}"}


@pytest.fixture
def receiver(settings, tmp_path):
    settings.DEBUG = True
    settings.DEMO_WEBHOOK_DIR = tmp_path
    return tmp_path


def test_the_demo_receiver_keeps_only_signed_fresh_webhooks(receiver, client):
    provider = Provider.objects.get(slug="calendar-sync")
    body = json.dumps({"id": "1", "type": "installation.created", "data": {"person": "p-1"}}).encode()
    url = "/dev/webhooks/calendar-sync/"

    assert client.post(url, body, content_type="application/json").status_code == 401
    forged = signed(Provider.objects.get(slug="standup-bot"), body)  # another provider's secret
    assert client.post(url, body, content_type="application/json", **forged).status_code == 401
    stale = signed(provider, body, timestamp=int(time.time()) - 3600)
    assert client.post(url, body, content_type="application/json", **stale).status_code == 401
    assert not list(receiver.glob("*/*.json"))

    assert (
        client.post(url, body, content_type="application/json", **signed(provider, body)).status_code == 204
    )
    [kept] = receiver.glob("calendar-sync/*.json")
    assert json.loads(kept.read_text())["event"]["data"] == {"person": "p-1"}


def test_staff_switch_a_receiver_to_fail_to_watch_retries(receiver, client):
    provider = Provider.objects.get(slug="calendar-sync")
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    client.post("/dev/webhooks/", {"provider": "calendar-sync", "fail": "on"})
    body = b'{"id":"2","type":"x","data":{}}'
    response = client.post(
        "/dev/webhooks/calendar-sync/", body, content_type="application/json", **signed(provider, body)
    )
    assert response.status_code == 503
    client.post("/dev/webhooks/", {"provider": "calendar-sync", "fail": "off"})
    response = client.post(
        "/dev/webhooks/calendar-sync/", body, content_type="application/json", **signed(provider, body)
    )
    assert response.status_code == 204
    page = client.get("/dev/webhooks/").content.decode()
    assert "Calendar Sync" in page and "signature verified" in page
    # Only staff see what the receivers got.
    client.force_login(UserFactory())
    assert client.get("/dev/webhooks/").status_code == 404
    assert django_mail.outbox == []
