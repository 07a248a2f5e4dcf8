"""Support cases: the reporter's side in the privacy centre, the staff console,
the emails of staff replies, the API, and what each side may see."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from audit.events import EventType
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, RuleViolation
from organizations.models import Membership, Organization
from support import services, tasks
from support.models import CaseMessage, SupportCase
from tests.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTE = "Internal: reporter seems to mix up two accounts"


@pytest.fixture
def acme(alice):
    organization = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=organization, user=alice, role="member")
    return organization


@pytest.fixture
def globex(db):
    return Organization.objects.create(name="Globex", slug="globex")


@pytest.fixture
def case(alice, acme):
    return services.case_open(
        actor=alice,
        subject="I cannot export my data",
        body="The export button does nothing.",
        organization=acme,
    )


@pytest.fixture
def noted_case(case, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.case_reply_by_staff(actor=agent, case=case, body="Which browser do you use?")
    services.case_add_internal_note(actor=agent, case=case, body=NOTE)
    return case


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


# --- Opening a case ------------------------------------------------------------------


def test_a_person_opens_a_case_in_the_privacy_centre(client, sign_in, alice, acme):
    sign_in(alice)
    form = client.get(reverse("privacy_case_new"))
    assert form.status_code == 200
    page = form.content.decode()
    assert "Acme" in page and "Globex" not in page
    response = client.post(
        reverse("privacy_case_new"),
        {"subject": "  Export\nbroken ", "body": "It fails.", "organization": acme.pk},
    )
    case = SupportCase.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "privacy_case", args=[case.public_id]
    )
    assert case.subject == "Export broken" and case.reporter == alice and case.organization == acme
    assert case.status == SupportCase.Status.OPEN
    assert events(EventType.SUPPORT_CASE_OPENED).get().target_id == str(case.pk)
    listing = client.get(reverse("privacy_cases")).content.decode()
    assert "Export broken" in listing and reverse("privacy_cases") in listing


@pytest.mark.parametrize(
    "data, field",
    [
        ({"subject": "Help", "body": "   "}, "body"),
        ({"subject": "Help", "body": "x" * 20_001}, "body"),
        ({"subject": "", "body": "Text"}, "subject"),
        ({"subject": "s" * 201, "body": "Text"}, "subject"),
    ],
)
def test_empty_or_oversized_input_is_refused_and_nothing_is_written(client, sign_in, alice, data, field):
    sign_in(alice)
    response = client.post(reverse("privacy_case_new"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not SupportCase.objects.exists() and not events(EventType.SUPPORT_CASE_OPENED).exists()


def test_an_organisation_one_does_not_belong_to_is_refused(client, sign_in, alice, acme, globex):
    sign_in(alice)
    response = client.post(
        reverse("privacy_case_new"), {"subject": "Help", "body": "Text", "organization": globex.pk}
    )
    assert response.status_code == 400 and response.context["form"].errors["organization"]
    # The service refuses it too, whoever calls it.
    with pytest.raises(RuleViolation) as refused:
        services.case_open(actor=alice, subject="Help", body="Text", organization=globex)
    assert refused.value.status_code == 400 and refused.value.code == "organization_not_yours"
    with pytest.raises(RuleViolation):
        services.case_open(actor=alice, subject="Help", body="x" * 20_001)
    assert (
        not SupportCase.objects.exists()
        and not AuditEvent.objects.filter(event_type__startswith="support.case_").exists()
    )


def test_signed_out_visitors_are_sent_to_sign_in(client, case):
    for url in [
        reverse("privacy_cases"),
        reverse("privacy_case_new"),
        reverse("privacy_case", args=[case.public_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_html_is_escaped_on_every_page(client, sign_in, alice, agent):
    case = services.case_open(actor=alice, subject="<b>bold</b>", body="<script>alert(1)</script>")
    sign_in(alice)
    for url in [reverse("privacy_cases"), reverse("privacy_case", args=[case.public_id])]:
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<b>bold</b>" not in page
        assert "&lt;b&gt;bold&lt;/b&gt;" in page
    client.logout()
    sign_in(agent)
    for url in [reverse("staff_cases"), reverse("staff_case", args=[case.pk])]:
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


# --- What the reporter sees -----------------------------------------------------------


def test_a_reporter_sees_only_their_own_cases(client, sign_in, bob, case):
    sign_in(bob)
    assert case.subject not in client.get(reverse("privacy_cases")).content.decode()
    assert client.get(reverse("privacy_case", args=[case.public_id])).status_code == 404
    assert client.post(reverse("privacy_case", args=[case.public_id]), {"body": "Me too"}).status_code == 404
    assert not case.messages.exists()


def test_internal_notes_never_reach_the_reporter(client, sign_in, alice, noted_case):
    sign_in(alice)
    page = client.get(reverse("privacy_case", args=[noted_case.public_id])).content.decode()
    assert "Which browser do you use?" in page and NOTE not in page
    assert "Answered — waiting for you" in page


def test_the_reporter_replies_and_the_case_goes_back_to_staff(client, sign_in, alice, noted_case):
    sign_in(alice)
    url = reverse("privacy_case", args=[noted_case.public_id])
    assert client.post(url, {"body": ""}).status_code == 400
    assert client.post(url, {"body": "x" * 20_001}).status_code == 400
    assert not noted_case.messages.filter(kind="reporter").exists()
    assert client.post(url, {"body": "Firefox 140"}).status_code == 302
    noted_case.refresh_from_db()
    assert noted_case.status == SupportCase.Status.OPEN
    assert noted_case.messages.filter(kind="reporter").get().body == "Firefox 140"
    assert events(EventType.SUPPORT_CASE_REPORTER_REPLIED).count() == 1


def test_a_closed_case_takes_no_more_replies(client, sign_in, alice, agent, case):
    services.case_set_status(actor=agent, case=case, status="closed")
    sign_in(alice)
    url = reverse("privacy_case", args=[case.public_id])
    assert "This case is closed" in client.get(url).content.decode()
    assert client.post(url, {"body": "Hello?"}).status_code == 409
    with pytest.raises(Conflict):
        services.case_reply_by_staff(actor=agent, case=case, body="Too late")
    assert not case.messages.exists()


# --- Staff console -----------------------------------------------------------------------


def staff_actions(case):
    return [
        (reverse("staff_case", args=[case.pk]), {"reply-body": "An answer"}),
        (reverse("staff_case_note", args=[case.pk]), {"note-body": "A note"}),
        (reverse("staff_case_assign", args=[case.pk]), {"assign_to_me": "1"}),
        (reverse("staff_case_status", args=[case.pk]), {"status": "closed"}),
    ]


@pytest.mark.parametrize("groups", [[], ["some_other_group"]])
def test_people_without_a_support_role_get_403(
    client, sign_in, bob, case, groups, django_capture_on_commit_callbacks
):
    bob.groups.add(*(Group.objects.get_or_create(name=g)[0] for g in groups))
    sign_in(bob)
    for url in [reverse("staff_cases"), reverse("staff_case", args=[case.pk])]:
        assert client.get(url).status_code == 403, url
    with django_capture_on_commit_callbacks() as callbacks:
        for url, data in staff_actions(case):
            assert client.post(url, data).status_code == 403, url
    case.refresh_from_db()
    assert case.status == "open" and case.assigned_to is None and not case.messages.exists()
    assert callbacks == []
    for call in [
        lambda: services.case_reply_by_staff(actor=bob, case=case, body="x"),
        lambda: services.case_add_internal_note(actor=bob, case=case, body="x"),
        lambda: services.case_assign(actor=bob, case=case, assignee=bob),
        lambda: services.case_set_status(actor=bob, case=case, status="closed"),
    ]:
        with pytest.raises(Forbidden):
            call()


def test_signed_out_visitors_cannot_reach_the_staff_pages(client, case):
    for url, data in staff_actions(case):
        assert client.post(url, data).status_code == 302
    assert client.get(reverse("staff_cases")).status_code == 302
    case.refresh_from_db()
    assert case.status == "open" and not case.messages.exists()


def test_staff_reply_note_assign_and_status(
    client, sign_in, agent, officer, alice, case, django_capture_on_commit_callbacks
):
    sign_in(agent)
    url = reverse("staff_case", args=[case.pk])
    page = client.get(url).content.decode()
    assert case.body in page and reverse("staff_cases") in page
    # Bad input: a clear 400, nothing written.
    assert client.post(url, {"reply-body": ""}).status_code == 400
    assert client.post(reverse("staff_case_note", args=[case.pk]), {"note-body": "  "}).status_code == 400
    assert client.post(reverse("staff_case_status", args=[case.pk]), {"status": "lost"}).status_code == 400
    assert (
        client.post(reverse("staff_case_assign", args=[case.pk]), {"assignee": alice.pk}).status_code == 400
    )
    assert not case.messages.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(url, {"reply-body": "Try again now."}).status_code == 302
    assert len(callbacks) == 1
    reply = case.messages.get(kind="staff_reply")
    assert tasks.case_reply_send.apply(args=[reply.pk]).get() == "sent"
    assert client.post(reverse("staff_case_note", args=[case.pk]), {"note-body": NOTE}).status_code == 302
    assert client.post(reverse("staff_case_assign", args=[case.pk]), {"assign_to_me": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == agent and case.status == SupportCase.Status.WAITING_ON_REPORTER
    response = client.post(reverse("staff_case_assign", args=[case.pk]), {"assignee": officer.pk})
    assert response.status_code == 302
    assert client.post(reverse("staff_case_status", args=[case.pk]), {"status": "closed"}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == officer and case.status == SupportCase.Status.CLOSED
    page = client.get(url).content.decode()
    assert 'class="card internal-note"' in page and NOTE in page and "Try again now." in page
    assert [m.kind for m in case.messages.all()] == ["staff_reply", "internal_note"]
    assert len(mail.outbox) == 1
    for event_type, count in [
        (EventType.SUPPORT_CASE_STAFF_REPLIED, 1),
        (EventType.SUPPORT_CASE_NOTE_ADDED, 1),
        (EventType.SUPPORT_CASE_ASSIGNED, 2),
        (EventType.SUPPORT_CASE_STATUS_CHANGED, 1),
    ]:
        assert events(event_type).count() == count, event_type
    assigned = events(EventType.SUPPORT_CASE_ASSIGNED).order_by("pk").last()
    assert assigned.changes == {"assigned_to": [agent.pk, officer.pk]}
    # Repeating a change changes nothing and records nothing.
    services.case_set_status(actor=agent, case=case, status="closed")
    services.case_assign(actor=agent, case=case, assignee=officer)
    assert events(EventType.SUPPORT_CASE_STATUS_CHANGED).count() == 1
    assert events(EventType.SUPPORT_CASE_ASSIGNED).count() == 2


def test_the_staff_reply_emails_the_reporter_once(alice, agent, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        reply = services.case_reply_by_staff(actor=agent, case=case, body="Fixed: try again.")
        note = services.case_add_internal_note(actor=agent, case=case, body=NOTE)
    assert len(callbacks) == 1  # the note enqueues nothing
    assert [tasks.case_reply_send.apply(args=[reply.pk]).get() for _ in range(3)] == [
        "sent",
        "skipped",
        "skipped",
    ]
    assert tasks.case_reply_send.apply(args=[note.pk]).get() == "skipped"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [alice.email] and "I cannot export my data" in email.subject
    assert "Fixed: try again." in email.body and NOTE not in email.body
    assert reverse("privacy_case", args=[case.public_id]) in email.body
    reply.refresh_from_db()
    assert reply.emailed_at is not None


def test_the_queue_filters_by_status_and_assignee_and_pages(client, sign_in, agent, officer, alice):
    cases = [services.case_open(actor=alice, subject=f"Case {n:02}", body="Text") for n in range(28)]
    services.case_assign(actor=agent, case=cases[0], assignee=agent)
    services.case_assign(actor=agent, case=cases[1], assignee=officer)
    services.case_set_status(actor=agent, case=cases[2], status="closed")
    sign_in(agent)
    url = reverse("staff_cases")

    def subjects(**params):
        return {c.subject for c in client.get(url, params).context["page"]}

    first = client.get(url)
    assert "Page 1 of 2" in first.content.decode() and "Case 02" not in subjects()
    assert subjects(assignee="mine") == {"Case 00"}
    assert "Case 00" not in subjects(assignee="unassigned") and "Case 01" not in subjects(
        assignee="unassigned"
    )
    assert subjects(status="closed") == {"Case 02"}
    assert subjects(status="all", assignee="mine") == {"Case 00"}
    assert "status=all&amp;page=1" in client.get(url, {"status": "all", "page": 2}).content.decode()
    assert (
        "status=all&amp;assignee=unassigned&amp;page=1"
        in client.get(url, {"status": "all", "assignee": "unassigned", "page": 2}).content.decode()
    )


@pytest.mark.parametrize("rows", [3, 30])
def test_the_queue_query_count_does_not_grow(
    client, sign_in, agent, alice, acme, rows, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        for n in range(rows):
            case = services.case_open(actor=alice, subject=f"Case {n}", body="Text", organization=acme)
            services.case_assign(actor=agent, case=case, assignee=agent)
            services.case_reply_by_staff(actor=agent, case=case, body="Answer")
    sign_in(agent)
    url = reverse("staff_cases")
    client.get(url)
    # session, user, the staff navigation's roles, the role check, count, page; the cookie
    # banner's declaration revision and consent state; the material policy versions in force
    with django_assert_num_queries(9):
        assert client.get(url, {"status": "all"}).status_code == 200


# --- API ----------------------------------------------------------------------------


def test_api_a_reporter_opens_and_lists_their_cases(alice_api, alice, acme, bob):
    other = services.case_open(actor=bob, subject="Bob's", body="Private")
    response = alice_api.post(
        "/api/v1/support/cases/", {"subject": "Help", "body": "Text", "organization": "acme"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organization"] == "acme" and body["status"] == "open" and body["messages"] == []
    listed = alice_api.get("/api/v1/support/cases/").json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    assert alice_api.get(f"/api/v1/support/cases/{other.public_id}").status_code == 404
    assert events(EventType.SUPPORT_CASE_OPENED).count() == 2


@pytest.mark.parametrize(
    "data, field",
    [
        ({"subject": "Help", "body": "x" * 20_001}, "body"),
        ({"subject": "Help", "body": ""}, "body"),
        ({"subject": "Help", "body": "Text", "priority": "high"}, "priority"),
        ({"subject": "Help", "body": "Text", "organization": "globex"}, "organization"),
        ({"subject": "Help", "body": "Text", "organization": "nowhere"}, "organization"),
    ],
)
def test_api_bad_input_is_a_400_and_writes_nothing(alice_api, acme, globex, data, field):
    response = alice_api.post("/api/v1/support/cases/", data, format="json")
    body = assert_error(response, 400)
    assert field in body["fields"]
    assert not SupportCase.objects.exists()


def test_api_internal_notes_only_for_staff(alice_api, api_client, agent, noted_case):
    url = f"/api/v1/support/cases/{noted_case.public_id}"
    reporter_view = alice_api.get(url).json()
    assert [m["kind"] for m in reporter_view["messages"]] == ["staff_reply"]
    assert NOTE not in str(reporter_view)
    api_client.force_authenticate(agent)
    staff_view = api_client.get(url).json()
    assert [m["kind"] for m in staff_view["messages"]] == ["staff_reply", "internal_note"]


def test_api_staff_list_every_case_by_status(api_client, agent, alice, bob):
    services.case_open(actor=alice, subject="A", body="Text")
    closed = services.case_open(actor=bob, subject="B", body="Text")
    services.case_set_status(actor=agent, case=closed, status="closed")
    api_client.force_authenticate(agent)
    assert len(api_client.get("/api/v1/support/cases/").json()["results"]) == 2
    assert [
        c["subject"] for c in api_client.get("/api/v1/support/cases/", {"status": "closed"}).json()["results"]
    ] == ["B"]
    assert_error(api_client.get("/api/v1/support/cases/", {"status": "lost"}), 400)


def test_api_needs_credentials(api_client, case):
    assert api_client.get("/api/v1/support/cases/").status_code in (401, 403)
    assert api_client.get(f"/api/v1/support/cases/{case.public_id}").status_code in (401, 403)


def test_a_deactivated_reporter_gets_no_email(alice, agent, case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        reply = services.case_reply_by_staff(actor=agent, case=case, body="Answer")
    type(alice).objects.filter(pk=alice.pk).update(is_active=False)
    assert tasks.case_reply_send.apply(args=[reply.pk]).get() == "skipped"
    assert mail.outbox == [] and CaseMessage.objects.get(pk=reply.pk).emailed_at is None


def test_assigning_to_someone_outside_support_is_refused(agent, case):
    outsider = UserFactory(email="o@example.org")
    with pytest.raises(RuleViolation) as refused:
        services.case_assign(actor=agent, case=case, assignee=outsider)
    assert refused.value.code == "assignee_not_staff"
    case.refresh_from_db()
    assert case.assigned_to is None
