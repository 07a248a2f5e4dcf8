"""Self-service erasure: the request (re-authentication, the primary-owner rule,
the grace period and cancelling it), the job, and what it leaves: nothing that
names the person anywhere in the database, and every evidence chain and seal
still verifying."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import PersonalAccessToken, User
from audit.events import EventType
from audit.models import AuditEvent
from audit.streams import stream_names, stream_verify
from consent.models import ConsentLink, ConsentState
from core.errors import Conflict, Forbidden
from data_requests import services, tasks
from data_requests.erasure import STEPS, erasure_continue
from data_requests.models import ErasureRequest, PersonalExport
from domains.models import DisclosureState, EmailDisclosure
from integrations.models import Installation, SharingEvent, WebhookDelivery
from organizations.models import Invitation, Membership, Organization, TeamMembership
from policies.models import PolicyAcceptance, PolicyNotice
from subjects.models import SubjectLink
from subjects.services import subject_unseal
from support.models import CaseShare, MinorReport, PrivacyQuestion, SupportCase
from tests.conftest import assert_error
from tests.factories import PASSWORD

from .people import EMAIL, NAME, SECOND_EMAIL, make_rich_person, scan_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(owner, admin, outsider):
    return make_rich_person(acme_owner=owner, acme_admin=admin, globex_owner=outsider)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _fall_due(erasure: ErasureRequest) -> None:
    ErasureRequest.objects.filter(pk=erasure.pk).update(scheduled_for=timezone.now() - timedelta(seconds=1))


@pytest.fixture
def erase_now(django_capture_on_commit_callbacks):
    """Ask, let the grace period pass, and run the job in this process (with
    what it does after each commit: deleting files, the confirmation email)."""

    def erase(user) -> ErasureRequest:
        erasure = services.erasure_request(actor=user)
        _fall_due(erasure)
        assert tasks.data_requests_sweep.run()["started"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert erasure_continue(erasure_id=erasure.pk) == "done"
        erasure.refresh_from_db()
        return erasure

    return erase


def _every_chain_verifies() -> None:
    checks = [stream_verify(name) for name in stream_names()]
    assert {check.stream for check in checks} == {
        "audit",
        "consent",
        "sharing",
        "disclosures",
        "notices",
        "subprocessors",
    }
    assert [check for check in checks if not check.intact] == []


# --- Asking ---------------------------------------------------------------------------


def test_the_api_asks_for_the_password_again_and_writes_nothing_without_it(alice):
    api = _api(alice)
    assert_error(api.post("/api/v1/me/erasure", {}, format="json"), 400)
    assert_error(
        api.post("/api/v1/me/erasure", {"password": "wrong"}, format="json"), 403, "reauthentication_failed"
    )
    assert_error(api.post("/api/v1/me/erasure", {"password": PASSWORD, "x": 1}, format="json"), 400)
    assert not ErasureRequest.objects.exists()
    response = api.post("/api/v1/me/erasure", {"password": PASSWORD}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "scheduled"
    due = timezone.datetime.fromisoformat(body["scheduled_for"])
    assert timedelta(days=13, hours=23) < due - timezone.now() <= timedelta(days=14)
    assert_error(
        api.post("/api/v1/me/erasure", {"password": PASSWORD}, format="json"), 409, "erasure_scheduled"
    )
    assert api.get("/api/v1/me/erasure").json()["status"] == "scheduled"


def test_with_two_factor_sign_in_the_api_also_wants_a_current_code(alice):
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        generate_totp_secret,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    secret = generate_totp_secret()
    TOTP.activate(alice, secret)
    api = _api(alice)
    assert_error(
        api.post("/api/v1/me/erasure", {"password": PASSWORD}, format="json"), 403, "reauthentication_failed"
    )
    assert_error(
        api.post("/api/v1/me/erasure", {"password": PASSWORD, "code": "000000"}, format="json"),
        403,
        "reauthentication_failed",
    )
    code = f"{hotp_value(secret, next(iter(yield_hotp_counters_from_time()))):06d}"
    assert (
        api.post("/api/v1/me/erasure", {"password": PASSWORD, "code": code}, format="json").status_code == 202
    )


def test_a_primary_owner_is_told_to_transfer_ownership_first(owner, member):
    body = assert_error(
        _api(owner.user).post("/api/v1/me/erasure", {"password": PASSWORD}, format="json"),
        409,
        "primary_owner",
    )
    assert "Acme AB" in body["detail"] and "Transfer ownership" in body["detail"]
    assert not ErasureRequest.objects.exists()


def test_the_only_member_of_an_organisation_takes_it_with_them(alice, erase_now):
    from organizations.services import organization_create

    organization_create(actor=alice, name="Solo", slug="solo")
    erasure = erase_now(alice)
    assert erasure.summary["organizations"]["organizations_deleted"] == 1
    assert not Organization.objects.filter(slug="solo").exists()


def test_staff_accounts_are_not_deleted_here(alice):
    alice.is_staff = True
    alice.save()
    with pytest.raises(Forbidden):
        services.erasure_request(actor=alice)


def test_the_web_page_needs_a_fresh_sign_in_then_schedules(alice, client, password, mailoutbox):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    page = client.get(reverse("privacy_delete_account"))
    assert page.status_code == 200 and "14 days" in page.content.decode()
    response = client.post(reverse("privacy_delete_confirm"), {"understood": "yes"})
    assert response.status_code == 302 and reverse("account_reauthenticate") in response.url
    assert not ErasureRequest.objects.exists()
    # allauth asks for the password, then carries on with the suspended request.
    resumed = client.post(response.url, {"password": password})
    assert resumed.status_code == 302 and resumed.url == reverse("privacy_data")
    erasure = ErasureRequest.objects.get(user=alice)
    assert erasure.status == "scheduled"
    assert AuditEvent.objects.filter(event_type=EventType.ERASURE_REQUESTED).count() == 1
    tasks.erasure_scheduled_notify(erasure.pk)
    tasks.erasure_scheduled_notify(erasure.pk)  # once
    [email] = mailoutbox
    assert email.to == [alice.email] and "cancel" in email.body
    data = client.get(reverse("privacy_data")).content.decode()
    assert "scheduled for deletion" in data and "Cancel the deletion" in data


def test_the_box_must_be_ticked(alice, client, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    reauth = client.post(reverse("privacy_delete_confirm"), {})
    response = client.post(reauth.url, {"password": password})
    assert response.status_code == 400 and "Tick the box" in response.content.decode()
    assert not ErasureRequest.objects.exists()


# --- The grace period -------------------------------------------------------------------


def test_cancelling_in_the_grace_period_keeps_the_account(alice):
    api = _api(alice)
    api.post("/api/v1/me/erasure", {"password": PASSWORD}, format="json")
    response = api.delete("/api/v1/me/erasure")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert_error(api.delete("/api/v1/me/erasure"), 409, "no_erasure")
    erasure = ErasureRequest.objects.get()
    _fall_due(erasure)
    assert tasks.data_requests_sweep.run()["started"] == 0
    alice.refresh_from_db()
    assert alice.is_active and alice.email == "alice@example.org"
    # A new request can be made later.
    assert api.post("/api/v1/me/erasure", {"password": PASSWORD}, format="json").status_code == 202


def test_nothing_happens_before_the_grace_period_ends(alice):
    services.erasure_request(actor=alice)
    assert tasks.data_requests_sweep.run()["started"] == 0
    assert User.objects.get(pk=alice.pk).is_active


def test_a_started_erasure_cannot_be_cancelled(alice):
    erasure = services.erasure_request(actor=alice)
    _fall_due(erasure)
    tasks.data_requests_sweep.run()
    with pytest.raises(Conflict) as refused:
        services.erasure_cancel(actor=alice)
    assert refused.value.code == "erasure_running"


def test_a_person_who_became_primary_owner_meanwhile_is_held_not_half_erased(alice, owner, member):
    erasure = services.erasure_request(actor=member.user)
    Membership.objects.filter(pk=owner.pk).update(is_primary_owner=False, role="member")
    Membership.objects.filter(pk=member.pk).update(is_primary_owner=True, role="owner")
    _fall_due(erasure)
    assert tasks.data_requests_sweep.run()["held"] == 1
    erasure.refresh_from_db()
    assert erasure.status == "scheduled" and erasure.summary["held_by_organizations"] == ["Acme AB"]
    assert erasure.scheduled_for > timezone.now() + timedelta(hours=23)
    assert User.objects.get(pk=member.user.pk).is_active


# --- The erasure ----------------------------------------------------------------------------


def test_erasure_removes_the_person_and_every_chain_still_verifies(person, client, mailoutbox, erase_now):
    user = person.user
    client.force_login(user)  # a live session, to be ended
    before = {
        "audit": AuditEvent.objects.count(),
        "sharing": SharingEvent.objects.filter(subject_key=person.key).count(),
        "disclosures": EmailDisclosure.objects.filter(subject_key=person.key).count(),
        "notices": PolicyNotice.objects.filter(subject_key=person.key).count(),
        "acceptances": PolicyAcceptance.objects.filter(subject_key=person.key).count(),
        "shares": CaseShare.objects.count(),
    }
    assert before["sharing"] >= 3 and before["disclosures"] == 1 and before["notices"] == 2
    assert scan_for(EMAIL, NAME, "Quintrell", SECOND_EMAIL)  # the scan does find her while she exists
    _every_chain_verifies()
    mailoutbox.clear()

    erasure = erase_now(user)

    assert erasure.status == "done" and erasure.steps_done == len(STEPS)
    assert scan_for(EMAIL, NAME, "Quintrell", SECOND_EMAIL) == []
    _every_chain_verifies()
    # The evidence is all still there, unchanged, but leads to nobody.
    assert SharingEvent.objects.filter(subject_key=person.key).count() == before["sharing"]
    assert EmailDisclosure.objects.filter(subject_key=person.key).count() == before["disclosures"]
    assert PolicyNotice.objects.filter(subject_key=person.key).count() == before["notices"]
    assert PolicyAcceptance.objects.filter(subject_key=person.key).count() == before["acceptances"]
    assert CaseShare.objects.count() == before["shares"]
    assert AuditEvent.objects.count() > before["audit"]
    assert not SubjectLink.objects.filter(subject_key=person.key).exists()
    disclosure = EmailDisclosure.objects.get(subject_key=person.key)
    assert subject_unseal(subject_key=disclosure.subject_key, token=disclosure.sealed) is None
    # The account is an empty placeholder that cannot sign in.
    user = User.objects.get(pk=user.pk)
    assert (user.email, user.name, user.is_active, user.has_usable_password()) == (
        f"deleted-{user.pk}@deleted.invalid",
        "",
        False,
        False,
    )
    assert not client.get(reverse("privacy_centre")).wsgi_request.user.is_authenticated
    assert not Session.objects.exists()
    # What the register says is deleted is gone.
    for model, lookup in [
        (EmailAddress, {"user": user}),
        (Authenticator, {"user": user}),
        (PersonalAccessToken, {"user": user}),
        (Membership, {"user": user}),
        (TeamMembership, {"membership__user": user}),
        (Invitation, {"email__in": [EMAIL, SECOND_EMAIL]}),
        (DisclosureState, {"user": user}),
        (ConsentState, {"subject_key": person.key}),
        (PrivacyQuestion, {"email__in": [EMAIL, SECOND_EMAIL]}),
        (PersonalExport, {"user": user}),
    ]:
        assert not model.objects.filter(**lookup).exists(), model
    assert not Organization.objects.filter(pk=person.northwind.pk).exists()
    assert ConsentLink.objects.filter(account_subject_key=person.key).count() == 1  # evidence, unlinked
    # Support: the shared case is an empty row the share points at; the other case is gone.
    assert list(SupportCase.objects.filter(reporter=user).values_list("subject", "body")) == [("", "")]
    assert not SupportCase.objects.get(reporter=user).messages.exists()
    about_her = MinorReport.objects.get(reporter_email="worried@example.org")
    assert (about_her.status, about_her.reported_email, about_her.reported_details) == (
        "deleted",
        user.email,
        "",
    )
    assert "[name]" in about_her.description
    # Integrations: hers is removed and the provider told; the team's stays; her records in deliveries erased.
    assert Installation.objects.get(provider__slug="calendar-sync").status == "removed"
    assert Installation.objects.get(provider__slug="standup-bot").status == "active"
    assert not Installation.objects.filter(installed_by=user).exists()
    team_delivery = WebhookDelivery.objects.filter(
        installation__provider__slug="standup-bot", kind="data.shared"
    ).first()
    assert {"erased": True} in team_delivery.payload["people"]
    assert any(p.get("identity.name") for p in team_delivery.payload["people"] if "erased" not in p)
    # Once, to the address she had; then it is gone.
    [confirmation] = mailoutbox
    assert confirmation.to == [EMAIL] and "raderats" in confirmation.subject  # in her language
    assert AuditEvent.objects.filter(event_type=EventType.USER_ERASED, subject_key=person.key).count() == 1


def test_each_step_commits_with_its_progress_and_a_repeat_does_nothing(alice):
    erasure = services.erasure_request(actor=alice)
    _fall_due(erasure)
    tasks.data_requests_sweep.run()
    assert erasure_continue(erasure_id=erasure.pk) == "done"
    events = AuditEvent.objects.count()
    assert erasure_continue(erasure_id=erasure.pk) == "skipped"
    assert tasks.data_requests_sweep.run()["erasures_resumed"] == 0
    assert AuditEvent.objects.count() == events
    erasure.refresh_from_db()
    assert set(erasure.summary) == {name for name, _step in STEPS}  # jsonb keeps no key order


def test_a_step_that_fails_is_rolled_back_and_the_next_run_resumes_there(alice, monkeypatch, enqueued):
    from data_requests import erasure as erasure_module
    from support.services import case_open

    case_open(actor=alice, subject="Help", body="Please help.")
    erasure = services.erasure_request(actor=alice)
    _fall_due(erasure)
    tasks.data_requests_sweep.run()

    def dies_half_way(user, request):
        SupportCase.objects.filter(reporter=user).delete()
        raise RuntimeError("worker lost")

    steps = list(erasure_module.STEPS)
    steps[2] = ("support", dies_half_way)
    with monkeypatch.context() as patched:
        patched.setattr(erasure_module, "STEPS", steps)
        with pytest.raises(RuntimeError):
            erasure_continue(erasure_id=erasure.pk)
    erasure.refresh_from_db()
    assert (erasure.status, erasure.steps_done) == ("running", 2)
    assert SupportCase.objects.filter(reporter=alice).exists()  # the step's half was rolled back
    assert not User.objects.get(pk=alice.pk).is_active  # locked out since the first step
    # The sweep resumes a job that stopped moving.
    ErasureRequest.objects.filter(pk=erasure.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    enqueued["erasure_run"].clear()
    assert tasks.data_requests_sweep.run()["erasures_resumed"] == 1
    assert enqueued["erasure_run"] == [erasure.pk]
    assert erasure_continue(erasure_id=erasure.pk) == "done"
    assert User.objects.get(pk=alice.pk).email.endswith("@deleted.invalid")
    assert not SupportCase.objects.filter(reporter=alice).exists()


def test_the_erasure_email_names_no_one_else(alice, bob, erase_now):
    erase_now(alice)
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert User.objects.get(pk=bob.pk).email == "bob@example.org"
