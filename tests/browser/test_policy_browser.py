from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from policies import selectors, services
from policies.models import PolicyAcceptance, PolicyDocument
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_material_change_interstitial(page, live_server, screenshot):
    officer = UserFactory(email="po@icentrex.example")
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    UserFactory(email="early@example.org", name="Early Bird", date_joined=timezone.now() - timedelta(days=10))
    privacy = PolicyDocument.objects.get(slug="privacy")
    body = selectors.version_in_force(document=privacy).body + "\n## Something new\n\nWe now do this.\n"
    draft = services.policy_draft_create(
        actor=officer,
        document=privacy,
        body=body,
        summary="A new section.",
        effective_at=timezone.now(),
        material=True,
    )
    services.policy_publish(actor=officer, version=draft)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("early@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our policies changed")
    screenshot(page, "policy-interstitial")
    page.get_by_role("button", name="I accept").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your privacy at iCentrex")
    assert PolicyAcceptance.objects.get().how == "interstitial"


def test_non_material_change_banner_is_dismissed_in_place(page, live_server, screenshot):
    officer = UserFactory(email="po@icentrex.example")
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    reader = UserFactory(email="reader@example.org", name="Reader")
    terms = PolicyDocument.objects.get(slug="terms")
    services.policy_draft_create(
        actor=officer,
        document=terms,
        body=selectors.version_in_force(document=terms).body + "\n\nA clearer sentence.\n",
        summary="Clearer wording about support tickets.",
        effective_at=timezone.now(),
        material=False,
        publish=True,
    )
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("reader@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(live_server.url + "/")
    banner = page.locator("#policy-update")
    expect(banner).to_contain_text("Clearer wording about support tickets.")
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # no interstitial: the page itself
    screenshot(page, "policy-update-banner")
    banner.get_by_role("button", name="Got it").click()
    expect(banner).to_have_count(0)  # swapped out by htmx, no reload
    record = PolicyAcceptance.objects.get()
    assert (record.kind, record.how, record.subject_key is not None) == ("notified", "banner", True)
    page.reload()
    expect(page.locator("#policy-update")).to_have_count(0)
    assert reader.is_active
