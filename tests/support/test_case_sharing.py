"""Sharing a support case, masked, with its organisation's admins (issue 8,
items 2-7): staff review the masks, the share fails closed, admins see only the
masked text (never the case), the reporter is told and sees what was shared,
another organisation's admins get 404, and every step is audited."""

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from audit.events import EventType
from audit.evidence import EvidenceImmutableError
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, RuleViolation
from organizations.models import Membership, Organization
from organizations.sessions import SESSION_KEY
from support import services, tasks
from support.models import CaseMessage, CaseShare, SharedCaseReply
from tests.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SUBJECT = "alice@example.org cannot export"
BODY = (
    "Hi, I am Alice Andersson (alice@example.org, phone 070-123 45 67). "
    "Bob Berg in our team says the export is broken. Project Nightjar is affected. "
    "<script>alert(1)</script>"
)


@pytest.fixture
def acme(alice, bob):
    organization = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=organization, user=alice, role="member")
    Membership.objects.create(organization=organization, user=bob, role="admin")
    return organization


@pytest.fixture
def globex(db):
    organization = Organization.objects.create(name="Globex", slug="globex")
    Membership.objects.create(
        organization=organization, user=UserFactory(email="gadmin@example.net"), role="admin"
    )
    return organization


@pytest.fixture
def case(alice, acme):
    return services.case_open(actor=alice, subject=SUBJECT, body=BODY, organization=acme)


@pytest.fixture
def staff_client(client, sign_in, agent):
    return sign_in(agent)


def admin_client(user, slug="acme"):
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = {slug: slug.title()}
    session.save()
    return client


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def shared(agent, case, django_capture_on_commit_callbacks, **kwargs):
    """Share, then run the reporter's email task the commit enqueued."""
    with django_capture_on_commit_callbacks() as callbacks:
        share = services.case_share(actor=agent, case=case, **kwargs)
    assert len(callbacks) == 1
    assert tasks.case_share_notify.apply(args=[share.notice.pk]).get() == "sent"
    return share


# --- The services ------------------------------------------------------------------------


def test_preview_finds_the_reporter_the_members_and_contact_details(agent, case):
    preview = services.case_mask_preview(actor=agent, case=case)
    kinds = {(d.kind, d.rule) for d in preview["detections"]["body"]}
    assert ("name", "reporter-name") in kinds and ("name", "member-name") in kinds
    assert ("phone", "phonenumbers") in kinds
    assert {d.kind for d in preview["detections"]["body"]} >= {"email", "phone", "name"}
    assert preview["masked"]["subject"] == "[email 1] cannot export"
    body = preview["masked"]["body"]
    assert "Alice" not in body and "Bob Berg" not in body and "070" not in body and "@" not in body
    assert "Nightjar" in body  # not a name anyone has: stays
    assert CaseShare.objects.count() == 0


def test_sharing_stores_only_masked_text_with_a_report_and_tells_the_reporter(
    agent, case, alice, django_capture_on_commit_callbacks
):
    share = shared(agent, case, django_capture_on_commit_callbacks, extra=[("Nightjar", "name")])
    assert share.organization == case.organization and share.reviewed_by == agent
    assert "Nightjar" not in share.masked_body and "[name 3]" in share.masked_body
    for value in ("alice@example.org", "Alice", "Andersson", "Bob Berg", "070-123 45 67"):
        assert value not in share.masked_subject + share.masked_body
    rows = {(r["kind"], r["rule"]): r["count"] for r in share.redaction_report}
    assert rows[("name", "manual")] == 1 and rows[("name", "member-name")] == 1
    assert all(set(r) == {"kind", "rule", "count"} for r in share.redaction_report)
    # The reporter: a notice in their thread and one email with the link.
    notice = CaseMessage.objects.get(kind=CaseMessage.Kind.SHARE_NOTICE)
    assert notice.share == share and notice.emailed_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]
    assert "Acme" in mail.outbox[0].body and str(case.public_id) in mail.outbox[0].body
    assert "Bob" not in mail.outbox[0].body
    assert tasks.case_share_notify(notice.pk) == "skipped" and len(mail.outbox) == 1
    event = AuditEvent.objects.get(event_type=EventType.SUPPORT_CASE_SHARED)
    assert event.target_id == str(case.pk) and event.organization_id is None
    assert "alice@example.org" not in str(event.changes)


def test_a_share_is_append_only(agent, case, django_capture_on_commit_callbacks):
    share = shared(agent, case, django_capture_on_commit_callbacks)
    with pytest.raises(EvidenceImmutableError):
        share.save()
    with pytest.raises(EvidenceImmutableError):
        CaseShare.objects.filter(pk=share.pk).update(masked_body="x")


def test_unmasking_the_email_address_is_refused_and_nothing_is_written(agent, case):
    preview = services.case_mask_preview(actor=agent, case=case)
    email = next(d for d in preview["detections"]["body"] if d.kind == "email")
    with pytest.raises(Conflict) as refused:
        services.case_share(actor=agent, case=case, unmask=[("body", email.start, email.end)])
    assert refused.value.code == "still_identifying"
    assert not CaseShare.objects.exists() and not CaseMessage.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.SUPPORT_CASE_SHARED).exists()
    assert mail.outbox == []


def test_unmasking_the_reporters_name_is_refused(agent, case):
    preview = services.case_mask_preview(actor=agent, case=case)
    names = [("body", d.start, d.end) for d in preview["detections"]["body"] if d.rule == "reporter-name"]
    with pytest.raises(Conflict):
        services.case_share(actor=agent, case=case, unmask=names)
    assert not CaseShare.objects.exists()


def test_client_spans_are_not_trusted(agent, case):
    with pytest.raises(RuleViolation) as refused:
        services.case_share(actor=agent, case=case, unmask=[("body", 0, 5)])
    assert refused.value.code == "unknown_detection" and not CaseShare.objects.exists()
    with pytest.raises(RuleViolation) as refused:
        services.case_share(actor=agent, case=case, extra=[("Not in the case", "name")])
    assert refused.value.code == "phrase_not_found"
    with pytest.raises(RuleViolation) as refused:
        services.case_share(actor=agent, case=case, extra=[("Nightjar", "secret")])
    assert refused.value.code == "invalid_kind" and not CaseShare.objects.exists()


def test_only_staff_share_and_only_cases_with_a_current_organisation(alice, bob, agent, case):
    with pytest.raises(Forbidden):
        services.case_share(actor=bob, case=case)
    with pytest.raises(Forbidden):
        services.case_mask_preview(actor=alice, case=case)
    no_org = services.case_open(actor=alice, subject="Hi", body="Help")
    with pytest.raises(RuleViolation) as refused:
        services.case_share(actor=agent, case=no_org)
    assert refused.value.code == "no_organization"
    Membership.objects.filter(user=alice).delete()
    with pytest.raises(RuleViolation) as refused:
        services.case_share(actor=agent, case=case)
    assert refused.value.code == "reporter_not_member"
    assert not CaseShare.objects.exists()


# --- The organisation's side -------------------------------------------------------------


@pytest.fixture
def share(agent, case, django_capture_on_commit_callbacks):
    return shared(agent, case, django_capture_on_commit_callbacks)


def test_admins_see_only_the_masked_version_in_the_console(bob, share, case):
    client = admin_client(bob)
    listing = client.get(reverse("org_shared_cases", args=["acme"]))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert share.masked_subject in page and "alice@example.org" not in page
    detail = client.get(reverse("org_shared_case", args=["acme", share.public_id]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "[email 1]" in html and "[phone 1]" in html and "[name 1]" in html
    for raw in ("alice@example.org", "Andersson", "Bob Berg", "070-123 45 67", "<script>alert(1)"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "member-name" not in html  # counts per kind only
    # No admin path to the raw case: neither staff pages nor the case API.
    assert client.get(reverse("staff_case", args=[case.pk])).status_code == 403
    assert api_as(bob).get(f"/api/v1/support/cases/{case.public_id}").status_code == 404


def test_admins_reply_and_it_reaches_staff_not_the_reporter(
    bob, agent, share, case, django_capture_on_commit_callbacks
):
    services.case_assign(actor=agent, case=case, assignee=agent)
    mail.outbox.clear()
    client = admin_client(bob)
    url = reverse("org_shared_case_reply", args=["acme", share.public_id])
    assert client.post(url, {"body": " "}).status_code == 400
    assert client.post(url, {"body": "x" * 10_001}).status_code == 400
    assert not SharedCaseReply.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"body": "We restored <b>the export</b>."})
    assert response.status_code == 302 and len(callbacks) == 1
    reply = SharedCaseReply.objects.get()
    assert tasks.shared_case_reply_send.apply(args=[reply.pk]).get() == "sent"
    reply.refresh_from_db()
    assert reply.author == bob and reply.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[agent.email]]
    event = AuditEvent.objects.get(event_type=EventType.SUPPORT_SHARED_CASE_REPLY)
    assert event.organization_id == share.organization_id
    staff_page = admin_client(agent).get(reverse("staff_case", args=[case.pk])).content.decode()
    assert "We restored &lt;b&gt;the export&lt;/b&gt;." in staff_page
    reporter_page = admin_client(case.reporter).get(reverse("privacy_case", args=[case.public_id]))
    assert "We restored" not in reporter_page.content.decode()
    assert tasks.shared_case_reply_send(reply.pk) == "skipped" and len(mail.outbox) == 1


def test_a_member_cannot_reply(alice, share):
    with pytest.raises(Forbidden):
        services.shared_case_reply(actor_membership=Membership.objects.get(user=alice), share=share, body="x")
    assert not SharedCaseReply.objects.exists()


def test_another_organisations_admins_get_404(globex, share):
    gadmin = Membership.objects.get(organization=globex).user
    client = admin_client(gadmin, "globex")
    assert client.get(reverse("org_shared_case", args=["globex", share.public_id])).status_code == 404
    assert client.get(reverse("org_shared_case", args=["acme", share.public_id])).status_code == 404
    response = client.post(reverse("org_shared_case_reply", args=["globex", share.public_id]), {"body": "x"})
    assert response.status_code == 404 and not SharedCaseReply.objects.exists()
    assert (
        share.masked_subject not in client.get(reverse("org_shared_cases", args=["globex"])).content.decode()
    )
    api = api_as(gadmin)
    assert api.get(f"/api/v1/orgs/globex/shared-cases/{share.public_id}").status_code == 404
    assert api.get("/api/v1/orgs/globex/shared-cases/").json()["results"] == []


def test_the_reporter_sees_exactly_the_masked_version(alice, share, case):
    page = admin_client(alice).get(reverse("privacy_case", args=[case.public_id])).content.decode()
    assert "Shared with Acme's administrators on" in page and "in masked form" in page
    assert f'id="share-{share.public_id}"' in page
    assert "[email 1]" in page and "[phone 1]" in page


# --- The API -------------------------------------------------------------------------------


def test_api_mask_preview_and_share(agent, case):
    api = api_as(agent)
    preview = api.post(f"/api/v1/support/cases/{case.public_id}/mask-preview")
    assert preview.status_code == 200
    data = preview.json()
    assert set(data) == {"detections", "masked_subject", "masked_body", "masked_replies", "redaction_report"}
    assert all(set(d) == {"field", "start", "end", "kind", "rule", "tag"} for d in data["detections"])
    assert CaseShare.objects.count() == 0
    email = next(d for d in data["detections"] if d["field"] == "body" and d["kind"] == "email")
    url = f"/api/v1/support/cases/{case.public_id}/share"
    refused = api.post(
        url, {"unmask": [{"field": "body", "start": email["start"], "end": email["end"]}]}, format="json"
    )
    assert_error(refused, 409, "still_identifying")
    assert_error(api.post(url, {"unmask": [], "surprise": 1}, format="json"), 400)
    assert_error(api.post(url, {"extra": [{"phrase": "Nightjar", "kind": "secret"}]}, format="json"), 400)
    assert not CaseShare.objects.exists()
    created = api.post(url, {"extra": [{"phrase": "Nightjar", "kind": "name"}]}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert set(body) == {
        "id",
        "masked_subject",
        "masked_body",
        "masked_replies",
        "redaction_report",
        "reviewed_by",
        "shared_at",
    }
    assert "Nightjar" not in body["masked_body"] and "alice@example.org" not in body["masked_body"]


def test_api_non_staff_share_is_403_and_writes_nothing(alice, bob, case):
    for user in (alice, bob):
        api = api_as(user)
        assert_error(api.post(f"/api/v1/support/cases/{case.public_id}/share", {}, format="json"), 403)
        assert_error(api.post(f"/api/v1/support/cases/{case.public_id}/mask-preview"), 403)
    assert (
        not CaseShare.objects.exists()
        and not AuditEvent.objects.filter(event_type=EventType.SUPPORT_CASE_SHARED).exists()
    )


def test_api_admins_read_masked_shares(bob, alice, share):
    api = api_as(bob)
    listed = api.get("/api/v1/orgs/acme/shared-cases/")
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["results"]] == [str(share.public_id)]
    detail = api.get(f"/api/v1/orgs/acme/shared-cases/{share.public_id}")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "alice@example.org" not in text and "Andersson" not in text and "070-123" not in text
    assert detail.json()["replies"] == []
    # A member (no support_cases:read) is refused.
    assert api_as(alice).get("/api/v1/orgs/acme/shared-cases/").status_code == 403


# --- The staff console ---------------------------------------------------------------------


def test_staff_preview_page_unmask_refuses_then_share(staff_client, agent, case):
    url = reverse("staff_case_share", args=[case.pk])
    assert (
        "Review the masks and share"
        in staff_client.get(reverse("staff_case", args=[case.pk])).content.decode()
    )
    page = staff_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and '<mark data-kind="email"' in html and 'value="unmask"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    found = page.context["found"]
    email_key = next(item["key"] for item in found if item["detection"].kind == "email")
    refused = staff_client.post(url, {f"mask-{email_key}": "unmask", "action": "share", "kind": "name"})
    assert refused.status_code == 409 and "still identify" in refused.content.decode()
    assert not CaseShare.objects.exists()
    # Every other choice missing or forged: kept masked (fails closed).
    again = staff_client.post(
        url, {f"mask-{email_key}": "maybe", "action": "preview", "phrase": "Nightjar", "kind": "name"}
    )
    assert again.status_code == 200 and "Project [name 3] is affected" in again.content.decode()
    done = staff_client.post(url, {"extra": ["name|Nightjar"], "action": "share", "kind": "name"})
    assert done.status_code == 302
    assert "Nightjar" not in CaseShare.objects.get().masked_body


def test_staff_share_page_of_a_case_without_organisation(staff_client, alice):
    case = services.case_open(actor=alice, subject="Hi", body="Help")
    assert staff_client.get(reverse("staff_case_share", args=[case.pk])).status_code == 400


def test_non_staff_cannot_open_the_share_page(client, sign_in, bob, case):
    sign_in(bob)
    assert client.get(reverse("staff_case_share", args=[case.pk])).status_code == 403
    assert client.post(reverse("staff_case_share", args=[case.pk]), {"action": "share"}).status_code == 403
    assert not CaseShare.objects.exists()


def test_the_sweep_re_enqueues_a_lost_share_notice_and_reply(
    agent, bob, case, django_capture_on_commit_callbacks
):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    services.case_assign(actor=agent, case=case, assignee=agent)
    with django_capture_on_commit_callbacks():
        share = services.case_share(actor=agent, case=case)
        reply = services.shared_case_reply(
            actor_membership=Membership.objects.get(user=bob), share=share, body="Done."
        )
    hour_ago = timezone.now() - timedelta(hours=1)
    CaseMessage.objects.filter(pk=share.notice.pk).update(created_at=hour_ago)
    SharedCaseReply.objects.filter(pk=reply.pk).update(created_at=hour_ago)
    with (
        mock.patch.object(tasks.case_share_notify, "delay") as notify,
        mock.patch.object(tasks.shared_case_reply_send, "delay") as reply_send,
    ):
        counts = tasks.support_email_sweep()
    assert counts["share_notices"] == 1 and counts["shared_case_replies"] == 1
    notify.assert_called_once_with(share.notice.pk)
    reply_send.assert_called_once_with(reply.pk)


def test_deleting_the_organisation_keeps_the_evidence(share, acme):
    from organizations.services.erasure import _organization_delete

    _organization_delete(actor=None, organization=acme)
    assert CaseShare.objects.filter(pk=share.pk).exists()
