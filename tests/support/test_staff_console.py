"""Who may open the support pages of the staff console, the queues' filters and
paging, and query counts that do not grow with the queues."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from support import services
from support.models import MinorReport, PrivacyQuestion
from tests.factories import UserFactory

from .conftest import QUESTION, REPORT

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        return services.minor_report_create(actor=None, **REPORT)


@pytest.fixture
def question(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        return services.privacy_question_create(actor=None, **QUESTION)


def pages(report, question):
    return [
        reverse("staff_home"),
        reverse("staff_minor_reports"),
        reverse("staff_minor_report", args=[report.pk]),
        reverse("staff_privacy_questions"),
        reverse("staff_privacy_question", args=[question.pk]),
    ]


def actions(report, question):
    return [
        (reverse("staff_minor_report_suspend", args=[report.pk]), {"email": "kid@example.org"}),
        (reverse("staff_minor_report_delete", args=[report.pk]), {}),
        (reverse("staff_minor_report_dismiss", args=[report.pk]), {}),
        (reverse("staff_privacy_question", args=[question.pk]), {"body": "An answer"}),
        (reverse("staff_privacy_question_close", args=[question.pk]), {}),
        (reverse("staff_privacy_question_reopen", args=[question.pk]), {}),
    ]


def test_signed_out_visitors_are_sent_to_sign_in(client, report, question, kid):
    for url in pages(report, question):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login")), url
    for url, data in actions(report, question):
        assert client.post(url, data).status_code == 302, url
    report.refresh_from_db()
    assert report.status == "new" and not question.replies.exists()


@pytest.mark.parametrize("groups", [[], ["some_other_group"]])
def test_people_without_a_support_role_get_403_like_other_staff_pages(
    client, sign_in, report, question, kid, groups, django_capture_on_commit_callbacks
):
    # is_staff alone (admin access) is not a support role.
    outsider = UserFactory(email="nosy@example.org", is_staff=True)
    outsider.groups.add(*(Group.objects.get_or_create(name=g)[0] for g in groups))
    sign_in(outsider)
    for url in pages(report, question):
        assert client.get(url).status_code == 403, url
    with django_capture_on_commit_callbacks() as callbacks:
        for url, data in actions(report, question):
            assert client.post(url, data).status_code == 403, url
    kid.refresh_from_db()
    report.refresh_from_db()
    question.refresh_from_db()
    assert kid.is_active and report.status == "new" and question.status == "new"
    assert not question.replies.exists() and callbacks == []


def test_support_agents_and_privacy_officers_open_the_pages(
    client, sign_in, agent, officer, report, question
):
    for person in (agent, officer):
        sign_in(person)
        for url in pages(report, question):
            assert client.get(url).status_code == 200, (person, url)
        client.logout()
    # Support agents do not see the privacy officers' pages, nor links to them.
    sign_in(agent)
    assert client.get(reverse("staff_consent")).status_code == 403
    home = client.get(reverse("staff_home")).content.decode()
    assert reverse("staff_consent") not in home and reverse("staff_minor_reports") in home


def test_the_staff_link_and_navigation(client, sign_in, officer):
    sign_in(officer)
    assert reverse("staff_home") in client.get(reverse("home")).content.decode()
    consent = client.get(reverse("staff_consent")).content.decode()
    assert reverse("staff_minor_reports") in consent and reverse("staff_privacy_questions") in consent


def test_the_minor_report_queue_filters_and_pages(client, sign_in, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        for n in range(27):
            services.minor_report_create(actor=None, **{**REPORT, "reported_email": f"kid{n}@example.org"})
    services.minor_report_dismiss(
        actor=agent, report=MinorReport.objects.get(reported_email="kid0@example.org")
    )
    staff = sign_in(agent)
    url = reverse("staff_minor_reports")
    first = staff.get(url).content.decode()
    assert "Page 1 of 2" in first and "kid26@example.org" in first and "kid0@example.org" not in first
    assert "kid1@example.org" in staff.get(url, {"page": 2}).content.decode()
    dismissed = staff.get(url, {"status": "dismissed"}).content.decode()
    assert "kid0@example.org" in dismissed and "kid1@example.org" not in dismissed
    assert "status=all&amp;page=1" in staff.get(url, {"status": "all", "page": 2}).content.decode()


@pytest.mark.parametrize("rows", [2, 40])
def test_the_queues_query_count_does_not_grow(
    client, sign_in, agent, kid, rows, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        for n in range(rows):
            report = services.minor_report_create(
                actor=None, **{**REPORT, "reported_email": f"k{n}@example.org"}
            )
            question = services.privacy_question_create(
                actor=None, **{**QUESTION, "subject": f"Question {n}"}
            )
            services.privacy_question_reply(actor=agent, question=question, body="An answer")
    # Rows with an account and with replies, so a missing join would show.
    services.minor_report_suspend_account(actor=agent, report=report, account=kid)
    sign_in(agent)
    for url in [reverse("staff_minor_reports"), reverse("staff_privacy_questions")]:
        client.get(url)
        # session, user, the staff navigation's roles, the role check, count, page; for the
        # cookie banner the declaration revision and the account's consent state; and the
        # material policy versions in force (none here)
        with django_assert_num_queries(9):
            assert client.get(url, {"status": "all"}).status_code == 200
    assert PrivacyQuestion.objects.count() == rows
