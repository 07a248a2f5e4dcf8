import pytest
from playwright.sync_api import expect

from organizations.models import Invitation, Membership, Organization
from organizations.roles import OrgRole
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_owner_invites_member_accepts_owner_changes_role(browser, live_server, screenshot, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the invitation email is sent in-process here
    acme = Organization.objects.create(name="Acme AB", slug="acme")
    owner = UserFactory(email="olga@acme.example", name="Olga Owner")
    Membership.objects.create(organization=acme, user=owner, role=OrgRole.OWNER, is_primary_owner=True)
    UserFactory(email="mats@example.org", name="Mats Newcomer")

    owner_page = browser.new_context().new_page()
    owner_page.set_default_timeout(10_000)
    sign_in(owner_page, live_server, "olga@acme.example")
    owner_page.goto(live_server.url + "/orgs/acme/invitations/")
    owner_page.get_by_label("Email address").fill("mats@example.org")
    owner_page.get_by_label("Role").select_option("member")
    owner_page.get_by_role("button", name="Send invitation").click()
    expect(owner_page.get_by_role("status")).to_contain_text(
        "An invitation is on its way to mats@example.org"
    )
    screenshot(owner_page, "org-invitations")
    assert Invitation.objects.get().sent_at is not None

    invitee = browser.new_context().new_page()
    invitee.set_default_timeout(10_000)
    sign_in(invitee, live_server, "mats@example.org")
    invitee.goto(live_server.url + "/privacy/organisations/")
    invitee.get_by_role("link", name="Answer Acme AB").click()
    screenshot(invitee, "invitation")
    invitee.get_by_role("button", name="Accept invitation").click()
    expect(invitee.get_by_role("status")).to_contain_text("Welcome to Acme AB")
    screenshot(invitee, "my-organisations-after-accept")

    owner_page.goto(live_server.url + "/orgs/acme/members/")
    owner_page.get_by_label("Role of Mats Newcomer").select_option("admin")
    owner_page.get_by_role("button", name="Save Mats Newcomer").click()
    expect(owner_page.get_by_role("status")).to_contain_text("Mats Newcomer is now an administrator.")
    screenshot(owner_page, "org-members-after-role-change")
    assert Membership.objects.get(user__email="mats@example.org").role == OrgRole.ADMIN
