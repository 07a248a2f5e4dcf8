import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.events import EventType
from audit.models import AuditEvent
from core.errors import Forbidden, RuleViolation
from organizations import selectors, services
from organizations.models import DataPolicy
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db
REASON = "Investigating a reported login problem"


def api_as(membership):
    client = APIClient()
    client.force_authenticate(membership.user)
    return client


@pytest.fixture
def reviewable(acme):
    return DataPolicy.objects.create(organization=acme, review_allowed_for=DataPolicy.Who.OWNERS_AND_ADMINS)


def test_defaults_forbid_review_and_read_plainly(acme):
    policy = selectors.data_policy_for(organization=acme)
    assert policy.review_allowed_for == "nobody" and policy.pk is None
    words = selectors.data_policy_in_plain_words(policy=policy)
    assert "Nobody in the organisation may review your private data." in words


def test_owners_change_the_policy_and_each_change_is_audited(owner, acme):
    services.data_policy_update(actor=owner, retention_days=365, review_allowed_for="owners")
    services.data_policy_update(actor=owner, retention_days=365)  # no change, no event
    event = AuditEvent.objects.get(event_type=EventType.DATA_POLICY_CHANGED)
    assert event.changes == {"retention_days": [None, 365], "review_allowed_for": ["nobody", "owners"]}


def test_admins_cannot_change_the_policy(admin):
    with pytest.raises(Forbidden):
        services.data_policy_update(actor=admin, review_allowed_for="owners_and_admins")
    assert not DataPolicy.objects.exists()


def test_review_is_refused_when_the_policy_forbids_it(admin, member):
    with pytest.raises(Forbidden) as caught:
        services.member_data_review(actor=admin, member=member, reason=REASON)
    assert caught.value.code == "review_not_allowed"
    assert not AuditEvent.objects.filter(event_type=EventType.MEMBER_DATA_REVIEWED).exists()


def test_review_needs_a_reason(reviewable, admin, member):
    with pytest.raises(RuleViolation) as caught:
        services.member_data_review(actor=admin, member=member, reason="because")
    assert caught.value.code == "reason_required"


def test_allowed_review_is_audited_and_shown_to_the_member(
    reviewable, admin, member, engineering, client, password
):
    record = services.member_data_review(actor=admin, member=member, reason=REASON)
    assert record["profile"]["email"] == "member@acme.example"
    assert record["teams"] == [{"name": "Engineering", "role": "team_admin"}]
    event = AuditEvent.objects.get(event_type=EventType.MEMBER_DATA_REVIEWED)
    assert REASON not in event.sealed_changes and event.changes == {"member_notified": True}

    reviews = selectors.reviews_of_my_data(user=member.user)
    assert [(r["reviewer"], r["reason"]) for r in reviews] == [(admin.user, REASON)]
    client.post(reverse("account_login"), {"login": member.user.email, "password": password})
    page = client.get(reverse("my_organizations")).content.decode()
    assert REASON in page and admin.user.name in page


def test_silent_review_is_not_listed_but_the_page_says_it_is_allowed(
    reviewable, owner, admin, member, client, password
):
    services.data_policy_update(actor=owner, notify_member_on_review=False)
    services.member_data_review(actor=admin, member=member, reason=REASON)
    assert selectors.reviews_of_my_data(user=member.user) == []
    client.post(reverse("account_login"), {"login": member.user.email, "password": password})
    page = client.get(reverse("my_organizations")).content.decode()
    assert "without telling you" in page and REASON not in page


def test_review_through_the_api(reviewable, admin, member, second_owner):
    client = api_as(admin)
    response = client.post(f"/api/v1/orgs/acme/members/{member.pk}/review", {"reason": REASON}, format="json")
    assert response.status_code == 200 and response.json()["membership"]["role"] == "member"
    assert_error(
        client.post(f"/api/v1/orgs/acme/members/{second_owner.pk}/review", {"reason": REASON}, format="json"),
        403,
        "role_above_own",
    )
    mine = api_as(member).get("/api/v1/me/reviews").json()["results"]
    assert [r["reason"] for r in mine] == [REASON]


def test_policy_api_validates(owner):
    client = api_as(owner)
    assert_error(client.patch("/api/v1/orgs/acme/data-policy", {"retention_days": 0}, format="json"), 400)
    assert_error(
        client.patch("/api/v1/orgs/acme/data-policy", {"review_allowed_for": "everyone"}, format="json"), 400
    )
    assert_error(client.patch("/api/v1/orgs/acme/data-policy", {"colour": "red"}, format="json"), 400)
    response = client.patch("/api/v1/orgs/acme/data-policy", {"retention_days": 90}, format="json")
    assert (
        response.json()["in_plain_words"][0] == "Content you create in the organisation is kept for 90 days."
    )


@pytest.mark.parametrize("days", ["0", "-5", "36501"])
def test_the_console_form_refuses_a_retention_the_database_refuses_on_the_field(console, owner, days):
    response = console(owner).post(
        reverse("org_policy", args=["acme"]),
        {"retention_days": days, "review_allowed_for": "owners", "export_allowed_for": "owners"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["retention_days"]
    assert form.errors["retention_days"] == [
        "Keep member content for 1 to 36500 days, or leave it empty to keep it until deleted."
    ]
    html = response.content.decode()
    assert "org_data_policy_retention_positive" not in html and "Constraint" not in html
    assert html.count("Keep member content for 1 to 36500 days") == 1
    assert not DataPolicy.objects.filter(retention_days=int(days)).exists()


def test_the_service_refuses_a_retention_under_a_day_without_writing(owner):
    with pytest.raises(RuleViolation) as refused:
        services.data_policy_update(actor=owner, retention_days=0)
    assert refused.value.code == "retention_too_short"
    assert not AuditEvent.objects.filter(event_type=EventType.DATA_POLICY_CHANGED).exists()
