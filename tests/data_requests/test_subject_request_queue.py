"""The data-subject request tracker around the deadlines: self-service copies
and deletions logged and settled by themselves, questions and cases classified
by staff, the queue by due date, reminders once per stage, the person's view,
the yearly figures (PostgreSQL's percentiles and the portable path agree) and
the 24-month log."""

import csv
import io
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Conflict, RuleViolation
from data_requests import retention, selectors, services, tasks
from data_requests.erasure import erasure_continue
from data_requests.models import ErasureRequest, SubjectRequest, SubjectRequestReminder
from support.models import PrivacyQuestion, SupportCase
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Kind, Source, Outcome = SubjectRequest.Kind, SubjectRequest.Source, SubjectRequest.Outcome


def _staff(email: str, group: str):
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


@pytest.fixture
def officer():
    return _staff("officer@icentrex.example", "privacy_officer")


@pytest.fixture
def agent():
    return _staff("agent@icentrex.example", "support")


@pytest.fixture
def person():
    return UserFactory(email="person@example.org")


def _log(kind=Kind.ACCESS, *, received_at=None, user=None, email="", **extra) -> SubjectRequest:
    return services.subject_request_open(
        kind=kind,
        source=Source.OTHER,
        received_at=received_at or timezone.now(),
        user=user,
        contact_email=email or ("" if user else "someone@example.org"),
        **extra,
    )


def _backdate(subject_request, *, days: int) -> SubjectRequest:
    """As if received ``days`` ago (the due date follows)."""
    from data_requests import deadlines

    received = timezone.now() - timedelta(days=days)
    SubjectRequest.objects.filter(pk=subject_request.pk).update(
        received_at=received, due_on=deadlines.due_on(received)
    )
    subject_request.refresh_from_db()
    return subject_request


# --- Self-service requests log and settle themselves ---------------------------------------


def test_a_copy_of_ones_data_is_an_access_request_complied_with_when_the_link_goes_out(
    person, django_capture_on_commit_callbacks
):
    export = services.personal_export_request(actor=person)
    [logged] = SubjectRequest.objects.all()
    assert (logged.kind, logged.source, logged.user) == (Kind.ACCESS, Source.SELF_SERVICE, person)
    assert logged.identity == SubjectRequest.Identity.SIGNED_IN and logged.is_open
    assert logged.source_ref == f"personal_export:{export.pk}"
    tasks.personal_export_build(export.pk)
    assert tasks.personal_export_send_link(export.pk) == "sent"
    logged.refresh_from_db()
    assert logged.outcome == Outcome.COMPLIED and logged.days_to_respond == 0
    closing = AuditEvent.objects.get(event_type="data.subject_request_closed")
    assert closing.actor_subject is None and closing.changes["outcome"] == "complied"


def test_a_deletion_is_an_erasure_request_withdrawn_on_cancel_and_complied_with_when_done(person):
    erasure = services.erasure_request(actor=person)
    logged = SubjectRequest.objects.get(source_ref=erasure.received_ref)
    assert logged.kind == Kind.ERASURE
    services.erasure_cancel(actor=person)
    logged.refresh_from_db()
    assert logged.outcome == Outcome.WITHDRAWN

    second = services.erasure_request(actor=person)
    ErasureRequest.objects.filter(pk=second.pk).update(
        status=ErasureRequest.Status.RUNNING, started_at=timezone.now()
    )
    assert erasure_continue(erasure_id=second.pk) == "done"
    done = SubjectRequest.objects.get(source_ref=second.received_ref)
    # Complied with, and no longer linked to the person: the log keeps type, dates and outcome.
    assert done.outcome == Outcome.COMPLIED and done.user is None and done.contact_email == ""


# --- Classified by staff --------------------------------------------------------------------


def test_a_privacy_question_is_logged_from_when_the_person_wrote(agent, person):
    question = PrivacyQuestion.objects.create(
        email="Person@Example.org", subject="My data", message="Delete it"
    )
    logged = services.subject_request_classify(
        actor=agent, source=Source.PRIVACY_QUESTION, ref_id=question.pk, kind=Kind.ERASURE
    )
    assert logged.received_at == question.created_at and logged.user == person
    assert (
        logged.contact_email == "Person@Example.org"
        and logged.identity == SubjectRequest.Identity.NOT_CHECKED
    )
    # The same question may also be an access request, but each type once.
    services.subject_request_classify(
        actor=agent, source=Source.PRIVACY_QUESTION, ref_id=question.pk, kind=Kind.ACCESS
    )
    with pytest.raises(Conflict) as twice:
        services.subject_request_classify(
            actor=agent, source=Source.PRIVACY_QUESTION, ref_id=question.pk, kind=Kind.ERASURE
        )
    assert twice.value.code == "already_logged"
    assert SubjectRequest.objects.count() == 2


def test_classifying_needs_the_permission_and_a_known_source(person):
    case = SupportCase.objects.create(reporter=person, subject="Copy", body="Send me my data")
    with pytest.raises(Exception) as refused:
        services.subject_request_classify(
            actor=UserFactory(), source=Source.SUPPORT_CASE, ref_id=case.pk, kind=Kind.ACCESS
        )
    assert getattr(refused.value, "code", "") == "not_allowed"
    agent = _staff("a2@icentrex.example", "support")
    with pytest.raises(RuleViolation):
        services.subject_request_classify(
            actor=agent, source="carrier_pigeon", ref_id=case.pk, kind=Kind.ACCESS
        )
    with pytest.raises(RuleViolation) as unknown:
        services.subject_request_classify(
            actor=agent, source=Source.SUPPORT_CASE, ref_id=case.pk, kind="complaint"
        )
    assert unknown.value.code == "unknown_kind"
    assert not SubjectRequest.objects.exists()


def test_support_staff_classify_from_the_case_page_but_do_not_open_the_queue(client, agent, person):
    case = SupportCase.objects.create(reporter=person, subject="Copy", body="Send me my data")
    client.force_login(agent)
    page = client.get(reverse("staff_case", args=[case.pk]))
    assert b"Log as a request" in page.content
    response = client.post(
        reverse("staff_subject_request_classify", args=["support_case", case.pk]), {"kind": "portability"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("staff_case", args=[case.pk])
    logged = SubjectRequest.objects.get()
    assert (logged.kind, logged.user, logged.source_ref) == (
        Kind.PORTABILITY,
        person,
        f"support_case:{case.pk}",
    )
    assert b"Portability" in client.get(reverse("staff_case", args=[case.pk])).content
    assert client.get(reverse("staff_subject_requests")).status_code == 403
    assert client.get(reverse("staff_subject_request", args=[logged.public_id])).status_code == 403


def test_a_request_whose_deadline_passed_is_logged_only_with_the_reason(officer, client):
    received = timezone.now() - timedelta(days=45)
    with pytest.raises(RuleViolation) as refused:
        _log(received_at=received)
    assert refused.value.code == "due_in_past" and not SubjectRequest.objects.exists()
    client.force_login(officer)
    form = {
        "kind": "access",
        "received_on": timezone.localdate(received).isoformat(),
        "email": "x@example.org",
    }
    page = client.post(reverse("staff_subject_request_new"), form)
    assert page.status_code == 400 and "has passed" in page.content.decode()
    assert not SubjectRequest.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="data.subject_request").exists()
    page = client.post(
        reverse("staff_subject_request_new"),
        {**form, "late_reason": "The letter was misfiled in the post room."},
    )
    logged = SubjectRequest.objects.get()
    assert page.status_code == 302 and logged.late_reason.startswith("The letter")
    assert logged.due_on < timezone.localdate()
    assert AuditEvent.objects.get(event_type="data.subject_request_opened").changes["logged_late"] is True


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "complaint"}, "kind"),
        ({"received_on": "2026-02-30"}, "received_on"),
        ({"email": "not an address"}, "email"),
        ({"received_on": (date.today() + timedelta(days=3)).isoformat()}, "received_on"),
    ],
)
def test_bad_input_on_the_log_form_is_a_400_that_writes_nothing(officer, client, form, field):
    client.force_login(officer)
    good = {"kind": "access", "received_on": timezone.localdate().isoformat(), "email": "x@example.org"}
    page = client.post(reverse("staff_subject_request_new"), {**good, **form})
    assert page.status_code == 400 and field in page.context["form"].errors
    assert not SubjectRequest.objects.exists()


# --- The queue --------------------------------------------------------------------------


def test_the_queue_is_sorted_by_due_date_and_shows_overdue_and_due_this_week(officer, client):
    later = _log(email="later@example.org")
    overdue = _backdate(_log(email="overdue@example.org"), days=40)
    soon = _backdate(_log(email="soon@example.org"), days=27)
    answered = _log(email="answered@example.org")
    services.subject_request_close(actor=officer, subject_request=answered, outcome=Outcome.COMPLIED)
    assert list(selectors.subject_request_queue()) == [overdue, soon, later]
    assert list(selectors.subject_request_queue(view="overdue")) == [overdue]
    assert list(selectors.subject_request_queue(view="due_week")) == [soon]
    assert list(selectors.subject_request_queue(view="closed")) == [answered]
    assert selectors.subject_request_counts() == {"open": 3, "overdue": 1, "due_week": 1}
    client.force_login(officer)
    page = client.get(reverse("staff_subject_requests")).content.decode()
    assert (
        page.index("overdue@example.org") < page.index("soon@example.org") < page.index("later@example.org")
    )
    assert "badge-danger" in page and "due this week" in page and "answered@example.org" not in page
    home = client.get(reverse("staff_home")).content.decode()
    assert "3 open requests" in home and "1 overdue" in home


def test_the_queue_page_costs_the_same_queries_for_ten_or_a_hundred_requests(officer, client):
    client.force_login(officer)
    client.get(reverse("staff_subject_requests"))  # warm the session and caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("staff_subject_requests")).status_code == 200
        return len(captured)

    people = [UserFactory() for _ in range(10)]
    for user in people:
        _log(user=user)
    few = queries()
    for _ in range(90):
        _log(email="bulk@example.org")
    assert queries() == few


def test_the_log_downloads_as_csv_without_personal_data(officer, client, person):
    _log(user=person)
    client.force_login(officer)
    response = client.get(reverse("staff_subject_requests") + "?view=all&format=csv")
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["kind"] for r in rows] == ["access"] and rows[0]["outcome"] == "open"
    assert "person@example.org" not in body


def test_the_request_page_extends_identifies_and_answers(
    officer, client, person, django_capture_on_commit_callbacks, monkeypatch
):
    notice = tasks.subject_request_send_extension_notice
    monkeypatch.setattr(notice, "delay", lambda pk: notice.apply(args=[pk]))
    logged = _log(user=person)
    client.force_login(officer)
    url = reverse("staff_subject_request", args=[logged.public_id])
    assert client.get(url).status_code == 200
    refused = client.post(
        reverse("staff_subject_request_extend", args=[logged.public_id]), {"months": 2, "reason": ""}
    )
    assert refused.status_code == 400
    logged.refresh_from_db()
    assert logged.extension_months == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("staff_subject_request_extend", args=[logged.public_id]),
            {"months": 1, "reason": "Records in three systems."},
        )
    assert mail.outbox[-1].to == ["person@example.org"]
    client.post(reverse("staff_subject_request_identity", args=[logged.public_id]), {"identity": "verified"})
    denied = client.post(
        reverse("staff_subject_request_close", args=[logged.public_id]), {"outcome": "denied"}
    )
    assert denied.status_code == 400  # a denial needs its reasons
    client.post(
        reverse("staff_subject_request_close", args=[logged.public_id]),
        {"outcome": "complied_in_part", "note": "Backups are not searched."},
    )
    logged.refresh_from_db()
    assert (logged.extension_months, logged.identity, logged.outcome) == (1, "verified", "complied_in_part")
    again = client.post(
        reverse("staff_subject_request_close", args=[logged.public_id]), {"outcome": "complied"}
    )
    assert again.status_code == 409


def test_a_request_that_does_not_exist_is_a_404(officer, client):
    client.force_login(officer)
    assert client.get("/staff/requests/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- The person sees it -----------------------------------------------------------------------


def test_the_person_sees_status_and_due_date_in_the_privacy_centre(client, person, officer):
    logged = _log(kind=Kind.RECTIFICATION, user=person)
    other = _log(kind=Kind.OBJECTION, user=UserFactory(email="someone-else@example.org"))
    services.subject_request_extend(actor=officer, subject_request=logged, months=2, reason="Many records.")
    client.force_login(person)
    page = client.get(reverse("privacy_data")).content.decode()
    assert "Your requests" in page and "Rectification" in page and "Many records." in page
    assert "In progress" in page and other.get_kind_display() not in page


# --- Reminders ------------------------------------------------------------------------------


def test_reminders_are_claimed_once_per_stage_and_sent_once(officer, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.subject_request_reminders_send, "delay", lambda: sent.append(1))
    far = _log(email="far@example.org")
    soon = _backdate(_log(email="soon@example.org"), days=25)  # due within a week
    overdue = _backdate(_log(email="overdue@example.org"), days=33)
    assert tasks.subject_requests_remind() == {"claimed": 2} and sent == [1]
    assert tasks.subject_requests_remind() == {"claimed": 0}  # beat again, or a second beat
    stages = dict(SubjectRequestReminder.objects.values_list("subject_request_id", "stage"))
    assert stages == {soon.pk: "week", overdue.pk: "overdue"} and far.pk not in stages

    assert tasks.subject_request_reminders_send.apply().get() == "sent"
    [email] = mail.outbox
    assert email.to == ["officer@icentrex.example"] and "2 data-subject requests" in email.subject
    assert str(overdue.public_id)[:8] in email.body and reverse("staff_subject_requests") in email.body
    assert tasks.subject_request_reminders_send.apply().get() == "skipped"
    assert len(mail.outbox) == 1

    # Two days before its due date the same request gets its second reminder; once answered, none.
    _backdate(soon, days=29)
    services.subject_request_close(
        actor=officer, subject_request=overdue, outcome=Outcome.DENIED, note="Manifestly unfounded."
    )
    tasks.subject_requests_remind()
    assert set(
        SubjectRequestReminder.objects.filter(subject_request=soon).values_list("stage", flat=True)
    ) == {
        "week",
        "two_days",
    }
    assert SubjectRequestReminder.objects.filter(subject_request=overdue).count() == 1


def test_beat_runs_the_reminders():
    entry = settings.CELERY_BEAT_SCHEDULE["subject-requests-remind"]
    assert entry["task"] == "data_requests.tasks.subject_requests_remind"


# --- Yearly figures and the log -------------------------------------------------------------


def _closed(kind, outcome, days, *, year=2025):
    received = datetime(year, 3, 1, 12, tzinfo=UTC)
    return SubjectRequest(
        kind=kind,
        source=Source.OTHER,
        contact_email="x@example.org",
        received_at=received,
        due_on=date(year, 4, 1),
        outcome=outcome,
        closed_at=received + timedelta(days=days),
        days_to_respond=days,
    )


def test_yearly_figures_per_type_with_median_and_95th_percentile(monkeypatch):
    access_days = [1, 2, 3, 5, 8, 13, 21, 29]
    SubjectRequest.objects.bulk_create(
        [_closed(Kind.ACCESS, Outcome.COMPLIED, d) for d in access_days]
        + [_closed(Kind.ERASURE, Outcome.DENIED, 10), _closed(Kind.ERASURE, Outcome.COMPLIED_IN_PART, 20)]
        + [_closed(Kind.ACCESS, Outcome.COMPLIED, 3, year=2024)]
    )
    SubjectRequest.objects.bulk_create(
        [
            SubjectRequest(
                kind=Kind.ERASURE,
                source=Source.OTHER,
                contact_email="x@example.org",
                received_at=datetime(2025, 12, 31, 23, 30, tzinfo=UTC),  # 1 January 2026 in Stockholm
                due_on=date(2026, 2, 1),
            )
        ]
    )
    figures = selectors.subject_request_figures(year=2025)
    access = next(r for r in figures["rows"] if r["kind"] == "access")
    assert access["received"] == 8 and access["complied"] == 8
    assert access["median_days"] == pytest.approx(statistics.median(access_days))
    # PERCENTILE_CONT: linear between the two nearest ranks.
    assert access["p95_days"] == pytest.approx(selectors._percentile_cont(access_days, 0.95))
    erasure = next(r for r in figures["rows"] if r["kind"] == "erasure")
    assert (erasure["received"], erasure["denied"], erasure["complied_in_part"], erasure["open"]) == (
        2,
        1,
        1,
        0,
    )
    assert figures["total"]["received"] == 10
    assert selectors.subject_request_figures(year=2026)["total"]["open"] == 1

    # The portable path (SQLite, the embedded default) gives the same numbers.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert selectors.subject_request_figures(year=2025) == figures


def test_the_figures_page_and_csv(officer, client):
    SubjectRequest.objects.bulk_create([_closed(Kind.ACCESS, Outcome.COMPLIED, d, year=2026) for d in (4, 6)])
    client.force_login(officer)
    page = client.get(reverse("staff_subject_request_figures") + "?year=2026")
    assert page.status_code == 200 and b"<svg" in page.content
    body = b"".join(
        client.get(reverse("staff_subject_request_figures") + "?year=2026&format=csv").streaming_content
    )
    rows = {r["kind"]: r for r in csv.DictReader(io.StringIO(body.decode()))}
    assert rows["access"]["received"] == "2" and rows["access"]["median_days"] == "5.0"
    assert rows["all"]["received"] == "2" and rows["erasure"]["received"] == "0"
    # A year with nothing, or nonsense, shows the current year rather than failing.
    assert client.get(reverse("staff_subject_request_figures") + "?year=abc").status_code == 200


def test_answered_requests_leave_the_log_after_24_months_open_ones_never(officer):
    old = _closed(Kind.ACCESS, Outcome.COMPLIED, 5, year=2023)
    old_open = _closed(Kind.ACCESS, Outcome.OPEN, 5, year=2023)
    old_open.closed_at = old_open.days_to_respond = None
    recent = _closed(Kind.ACCESS, Outcome.COMPLIED, 5, year=2025)
    SubjectRequest.objects.bulk_create([old, old_open, recent])
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert retention.subject_request_log_expire(now=now) == 1
    assert SubjectRequest.objects.count() == 2
    assert retention.subject_request_log_expire(now=now) == 0


@pytest.mark.parametrize("view", ["open", "all"])
def test_the_queue_pages_by_keyset_forwards_and_back_through_ties(officer, client, view):
    """Pages follow (due date, id) — (received, id) for the log — so rows that
    share a date are neither skipped nor repeated, and a deep page costs the
    same queries as the first."""
    for n in range(2 * selectors.QUEUE_PAGE_SIZE + 7):
        _backdate(_log(email=f"p{n}@example.org"), days=n % 3)  # three due dates, many ties
    everything = [r.pk for r in selectors.subject_request_queue(view=view)]
    pages, after = [], None
    while True:
        page = selectors.subject_request_queue_page(view=view, after=after)
        pages.append([r.pk for r in page.requests])
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert [pk for rows in pages for pk in rows] == everything and len(pages) == 3
    back = selectors.subject_request_queue_page(view=view, before=pages[2][0])
    assert [r.pk for r in back.requests] == pages[1] and back.previous_cursor == pages[1][0]
    top = selectors.subject_request_queue_page(view=view, before=pages[1][0])
    assert [r.pk for r in top.requests] == pages[0] and top.previous_cursor is None

    client.force_login(officer)
    url = reverse("staff_subject_requests")
    client.get(url, {"view": view})  # warm the session and caches
    with CaptureQueriesContext(connection) as second:
        assert client.get(url, {"view": view, "after": pages[0][-1]}).status_code == 200
    with CaptureQueriesContext(connection) as third:
        response = client.get(url, {"view": view, "after": pages[1][-1]})
    body = response.content.decode()
    assert len(third) == len(second)
    assert 'rel="prev"' in body and 'rel="next"' not in body
    assert SubjectRequest.objects.get(pk=pages[2][0]).contact_email in body


def test_a_bad_or_stale_queue_cursor_shows_the_first_page(officer, client):
    first = _log(email="first@example.org")
    client.force_login(officer)
    for cursor in ["abc", "-1", "²", "9" * 19, "9" * 40, str(first.pk + 1000)]:
        response = client.get(reverse("staff_subject_requests"), {"after": cursor, "before": cursor})
        assert response.status_code == 200 and "first@example.org" in response.content.decode()
