"""What people see in the flows of issue 15: staff land on the staff console and
are not stopped by the end-user policy gate; a person finds their privacy
questions and our answers in the privacy centre; the console offers "Review
data" only where the organisation's data policy allows it."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import DataPolicy, Membership, Organization
from organizations.roles import OrgRole
from policies import selectors as policy_selectors
from policies import services as policy_services
from policies.models import PolicyAcceptance, PolicyDocument
from support import services as support_services
from tests.factories import PASSWORD, UserFactory

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, email, query=""):
    page.goto(live_server.url + "/accounts/login/" + query)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_privacy_officer_lands_on_the_staff_console_and_follows_their_new_version(
    page, live_server, screenshot
):
    officer = UserFactory(
        email="po@icentrex.example",
        name="Petra Officer",
        is_staff=True,
        date_joined=timezone.now() - timedelta(days=30),
    )
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    document = PolicyDocument.objects.get(slug="privacy")
    version = policy_services.policy_publish(
        actor=officer,
        version=policy_services.policy_draft_create(
            actor=officer,
            document=document,
            body=policy_selectors.version_in_force(document=document).body + "\n\nA material change.\n",
            summary="Changed.",
            effective_at=timezone.now(),
            material=True,
        ),
    )

    _sign_in(page, live_server, officer.email)
    expect(page).to_have_url(live_server.url + "/staff/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(live_server.url + f"/staff/policies/notices/{version.pk}/")
    expect(page).to_have_url(live_server.url + f"/staff/policies/notices/{version.pk}/")
    screenshot(page, "flows-officer-notice-progress")
    assert not PolicyAcceptance.objects.exists()
    # Where they use the service as a person, the new version is asked about as usual.
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/policies/accept/"))


def test_a_support_agent_signing_in_with_next_goes_there(page, live_server):
    agent = UserFactory(email="agent@icentrex.example", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    _sign_in(page, live_server, agent.email, "?next=/privacy/cookies/")
    expect(page).to_have_url(live_server.url + "/privacy/cookies/")


def test_my_privacy_questions_and_answers(page, live_server, screenshot):
    agent = UserFactory(email="agent@icentrex.example", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    maja = UserFactory(email="maja@example.org", name="Maja Member")
    question = support_services.privacy_question_create(
        actor=None,
        name="Maja",
        email="maja@example.org",
        subject="Where is my data stored?",
        message="Which countries is my data stored in, and who can see it?",
        language="en",
    )
    support_services.privacy_question_reply(
        actor=agent, question=question, body="In Sweden and Finland.\nOnly our operations team can see it."
    )
    support_services.privacy_question_create(
        actor=None, name="", email="someone@else.example", subject="Not Maja's", message="?", language="en"
    )

    _sign_in(page, live_server, maja.email)
    page.get_by_role("navigation", name="Privacy centre").get_by_role(
        "link", name="Privacy questions"
    ).click()
    expect(page.get_by_role("heading", name="Where is my data stored?")).to_be_visible()
    expect(page.get_by_text("Only our operations team can see it.")).to_be_visible()
    expect(page.get_by_text("Not Maja's")).to_have_count(0)
    assert serious_violations(page) == []
    screenshot(page, "flows-privacy-questions")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "flows-privacy-questions-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_review_data_is_offered_only_where_the_policy_allows(page, live_server, screenshot):
    acme = Organization.objects.create(name="Acme", slug="acme")
    owner = UserFactory(email="owner@acme.example", name="Astrid Owner")
    Membership.objects.create(organization=acme, user=owner, role=OrgRole.OWNER, is_primary_owner=True)
    Membership.objects.create(organization=acme, user=UserFactory(name="Maja Member"), role=OrgRole.MEMBER)

    _sign_in(page, live_server, owner.email)
    page.goto(live_server.url + "/orgs/acme/members/")
    expect(page.get_by_role("cell", name="Maja Member", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Review data")).to_have_count(0)  # the default: nobody reviews
    screenshot(page, "flows-members-no-review")

    DataPolicy.objects.create(organization=acme, review_allowed_for=DataPolicy.Who.OWNERS)
    page.reload()
    expect(page.get_by_role("link", name="Review data Maja Member")).to_be_visible()
