"""Data-subject requests and their deadlines (GDPR Art. 12(3)): one calendar
month from the day of receipt in the controller's time zone, across month ends,
leap years and clock changes; one extension of up to two months, with a reason
and a notice within the first month; bad input refused with nothing written."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from audit.models import AuditEvent
from core.errors import Conflict, RuleViolation
from data_requests import deadlines, services, tasks
from data_requests.models import SubjectRequest
from tests.factories import UserFactory

Kind, Source, Outcome = SubjectRequest.Kind, SubjectRequest.Source, SubjectRequest.Outcome


@pytest.fixture
def clock(monkeypatch):
    """Set the time Django's timezone.now() gives (the services' and the database defaults')."""
    from django.utils import timezone

    def set_to(moment: datetime):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def at(text: str) -> datetime:
    return (
        datetime.fromisoformat(text).replace(tzinfo=UTC) if "+" not in text else datetime.fromisoformat(text)
    )


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-01-31T10:00", date(2026, 2, 28)),  # no 31 February: the month's last day
        ("2028-01-31T10:00", date(2028, 2, 29)),  # a leap year
        ("2028-02-29T10:00", date(2028, 3, 29)),
        ("2026-03-15T10:00", date(2026, 4, 15)),
        ("2026-12-31T10:00", date(2027, 1, 31)),  # over the year end
        ("2026-08-31T10:00", date(2026, 9, 30)),
        # Late evening UTC is the next day in Stockholm; the local day decides.
        ("2026-01-31T23:30", date(2026, 3, 1)),  # 1 February 00:30 CET → 1 March
        ("2026-03-28T23:30", date(2026, 4, 29)),  # 29 March 00:30 CET, the night clocks go forward
        ("2026-06-30T22:30", date(2026, 8, 1)),  # 1 July 00:30 CEST (UTC+2)
        ("2026-10-24T22:30", date(2026, 11, 25)),  # 25 October 00:30 CEST, the night clocks go back
        ("2026-10-24T21:59", date(2026, 11, 24)),  # still 24 October, 23:59 CEST
    ],
)
def test_one_calendar_month_in_the_controllers_time_zone(received, due):
    assert deadlines.due_on(at(received)) == due


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        ("2026-01-31T10:00", 2, date(2026, 4, 30)),  # counted from receipt: not 28 April
        ("2026-01-31T10:00", 1, date(2026, 3, 31)),
        ("2027-11-30T10:00", 2, date(2028, 2, 29)),
    ],
)
def test_an_extension_counts_from_receipt(received, months, due):
    assert deadlines.due_on(at(received), extension_months=months) == due


@pytest.fixture
def person(db):
    return UserFactory(email="person@example.org")


@pytest.fixture
def officer(db):
    return UserFactory(email="officer@icentrex.example")


@pytest.mark.django_db
def test_a_request_is_logged_with_its_due_date_and_audited(person, clock):
    received = datetime(2026, 1, 31, 9, tzinfo=UTC)
    clock(datetime(2026, 2, 2, tzinfo=UTC))
    subject_request = services.subject_request_open(
        kind=Kind.ACCESS, source=Source.PRIVACY_QUESTION, received_at=received, user=person, source_ref="q:7"
    )
    assert subject_request.due_on == date(2026, 2, 28) and subject_request.is_open
    assert subject_request.identity == SubjectRequest.Identity.NOT_CHECKED
    assert AuditEvent.objects.filter(event_type="data.subject_request_opened").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"kind": "complaint"}, "unknown_kind"),
        ({"source": "pigeon"}, "unknown_source"),
        ({"received_at": datetime.now(UTC) + timedelta(days=1)}, "received_in_future"),
        ({"user": None, "contact_email": ""}, "no_requester"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(person, values, code):
    good = {"kind": Kind.ERASURE, "source": Source.OTHER, "received_at": datetime.now(UTC), "user": person}
    with pytest.raises(RuleViolation) as refused:
        services.subject_request_open(**{**good, **values})
    assert refused.value.code == code
    assert not SubjectRequest.objects.exists() and not AuditEvent.objects.filter(
        target_type__contains="subject"
    )


@pytest.mark.django_db
def test_an_extension_within_the_first_month_tells_the_person_once(
    person, officer, clock, django_capture_on_commit_callbacks
):
    clock(datetime(2026, 1, 31, 12, tzinfo=UTC))
    subject_request = services.subject_request_open(
        kind=Kind.ACCESS,
        source=Source.SELF_SERVICE,
        received_at=datetime(2026, 1, 31, 12, tzinfo=UTC),
        user=person,
    )
    clock(datetime(2026, 2, 27, 12, tzinfo=UTC))
    with django_capture_on_commit_callbacks() as queued:
        extended = services.subject_request_extend(
            actor=officer, subject_request=subject_request, months=2, reason="Ten years of records to gather."
        )
    assert len(queued) == 1  # the notice goes to the workers once this commits
    assert tasks.subject_request_send_extension_notice.apply(args=[extended.pk]).get() == "sent"
    assert extended.due_on == date(2026, 4, 30) and extended.extension_months == 2
    [notice] = mail.outbox
    assert notice.to == ["person@example.org"] and "Ten years of records to gather." in notice.body
    assert "30 April 2026" in notice.body or "April 30, 2026" in notice.body
    extended.refresh_from_db()
    assert extended.extension_notice_sent_at is not None
    # A duplicate delivery of the task sends nothing more.
    assert tasks.subject_request_send_extension_notice.apply(args=[extended.pk]).get() == "skipped"
    assert len(mail.outbox) == 1
    with pytest.raises(Conflict):
        services.subject_request_extend(actor=officer, subject_request=extended, months=1, reason="More.")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("months", "reason", "today", "code"),
    [
        (1, "   ", "2026-02-10", "reason_required"),
        (3, "Complex.", "2026-02-10", "invalid_extension"),
        (0, "Complex.", "2026-02-10", "invalid_extension"),
        (1, "Complex.", "2026-03-01", "extension_too_late"),  # the first month ended on 28 February
    ],
)
def test_a_bad_extension_is_refused_and_changes_nothing(person, officer, months, reason, today, code, clock):
    clock(datetime(2026, 1, 31, 12, tzinfo=UTC))
    subject_request = services.subject_request_open(
        kind=Kind.ACCESS,
        source=Source.SELF_SERVICE,
        received_at=datetime(2026, 1, 31, 12, tzinfo=UTC),
        user=person,
    )
    clock(datetime.fromisoformat(today + "T12:00").replace(tzinfo=UTC))
    with pytest.raises(RuleViolation) as refused:
        services.subject_request_extend(
            actor=officer, subject_request=subject_request, months=months, reason=reason
        )
    assert refused.value.code == code
    subject_request.refresh_from_db()
    assert subject_request.due_on == date(2026, 2, 28) and subject_request.extension_months == 0
    assert not mail.outbox


@pytest.mark.django_db
def test_closing_needs_an_outcome_and_a_reason_for_anything_less_than_full(person, officer):
    subject_request = services.subject_request_open(
        kind=Kind.RECTIFICATION,
        source=Source.OTHER,
        received_at=datetime.now(UTC),
        contact_email="x@example.org",
    )
    for outcome, note, code in [
        ("open", "", "unknown_outcome"),
        ("maybe", "", "unknown_outcome"),
        ("denied", " ", "reason_required"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            services.subject_request_close(
                actor=officer, subject_request=subject_request, outcome=outcome, note=note
            )
        assert refused.value.code == code
    closed = services.subject_request_close(
        actor=officer,
        subject_request=subject_request,
        outcome=Outcome.COMPLIED_IN_PART,
        note="Logs are kept.",
    )
    assert closed.closed_at and closed.outcome == "complied_in_part"
    with pytest.raises(Conflict):
        services.subject_request_close(actor=officer, subject_request=closed, outcome=Outcome.COMPLIED)
