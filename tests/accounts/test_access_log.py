"""Who looked at my data: staff opening a person's support case, privacy
question, a report about them or their data-subject request is recorded, and
the person sees it — by role, not name, unless the setting says otherwise."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from audit.events import EventType
from audit.models import AuditEvent
from data_requests.models import SubjectRequest
from support.models import MinorReport, PrivacyQuestion, SupportCase
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _staff(role: str, **extra):
    user = UserFactory(is_staff=True, name=f"Sam {role.title()}", **extra)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def _seen_by(client, person) -> str:
    client.force_login(person)
    return client.get(reverse("privacy_access_log")).content.decode()


def test_opening_a_case_question_report_or_request_is_shown_to_the_person(client, alice, bob):
    agent, officer = _staff("support"), _staff("privacy_officer")
    case = SupportCase.objects.create(reporter=alice, subject="Export", body="It fails.")
    question = PrivacyQuestion.objects.create(
        email="ALICE@example.org", subject="Where?", message="Which country?"
    )
    report = MinorReport.objects.create(
        reporter_email="p@example.org", reported_email=alice.email, description="11"
    )
    asked = SubjectRequest.objects.create(
        kind="access",
        source="other",
        user=alice,
        received_at=timezone.now(),
        due_on=timezone.localdate() + timedelta(30),
    )
    client.force_login(agent)
    assert client.get(reverse("staff_case", args=[case.pk])).status_code == 200
    assert client.get(reverse("staff_privacy_question", args=[question.pk])).status_code == 200
    assert client.get(reverse("staff_minor_report", args=[report.pk])).status_code == 200
    client.force_login(officer)
    assert client.get(reverse("staff_subject_request", args=[asked.public_id])).status_code == 200

    page = _seen_by(client, alice)
    for shown in ("Your support case", "Your privacy question", "under 13", "Your request about your data"):
        assert shown in page
    assert page.count("A support agent") == 3 and page.count("A privacy officer") == 1
    assert "To answer your request within its deadline." in page
    assert "Sam" not in page  # roles, not names
    assert "No one at iCentrex has opened your data." in _seen_by(client, bob)
    events = AuditEvent.objects.filter(event_type=EventType.STAFF_OPENED_PERSONAL_DATA)
    assert events.count() == 4 and {e.changes["role"] for e in events} == {"support", "privacy_officer"}


def test_only_opening_counts_and_no_one_is_logged_for_their_own_or_an_unknown_address(client, alice):
    agent = _staff("support", email="agent@icentrex.example")
    own = SupportCase.objects.create(reporter=agent, subject="Mine", body="My own case.")
    stranger = PrivacyQuestion.objects.create(email="nobody@example.org", subject="Hi", message="No account.")
    case = SupportCase.objects.create(reporter=alice, subject="Export", body="It fails.")
    client.force_login(agent)
    client.get(reverse("staff_case", args=[own.pk]))
    client.get(reverse("staff_privacy_question", args=[stranger.pk]))
    client.post(reverse("staff_case", args=[case.pk]), {"body": ""})  # a (bad) reply is not an opening
    assert not AuditEvent.objects.filter(event_type=EventType.STAFF_OPENED_PERSONAL_DATA).exists()


def test_names_are_shown_when_the_setting_says_so(client, alice, settings):
    settings.ACCESS_LOG_SHOWS_STAFF_NAMES = True
    agent = _staff("support")
    case = SupportCase.objects.create(reporter=alice, subject="Export", body="It fails.")
    client.force_login(agent)
    client.get(reverse("staff_case", args=[case.pk]))
    assert "Sam Support" in _seen_by(client, alice)
