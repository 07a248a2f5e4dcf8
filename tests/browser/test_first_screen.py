"""What must be seen is on the first screen: the work-address notice at
1280x800 and on a 375x667 phone, wherever it is shown; and the policy diff of a
small change in a long document is a short page."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from domains.models import DomainClaim
from policies import services
from policies.models import PolicyDocument
from tests.domains.disclosure_support import run_now
from tests.factories import PASSWORD, UserFactory

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = [(1280, 800), (375, 667)]


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def test_the_work_address_notice_is_on_the_first_screen(page, live_server, screenshot, acme, member):
    now = timezone.now()
    DomainClaim.objects.create(
        organization=acme, domain="acme.example", token="t0ken", status="verified", verified_at=now,
        disclosures_from=now - timedelta(minutes=1),
    )  # fmt: skip
    run_now()
    sign_in(page, live_server, member.user.email)
    page.get_by_role("region", name="Cookies on iCentrex").get_by_role("button", name="Reject all").click()
    for width, height in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        for path in ["/", "/privacy/", "/privacy/disclosures/"]:
            page.goto(live_server.url + path)
            notice = page.locator("#disclosure-notice")
            expect(notice).to_contain_text("Your work address was shared")
            box = notice.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, (path, width, box)
            screenshot(page, f"first-screen{path.replace('/', '-')}{width}")
            assert serious_violations(page) == [], (path, width)


def test_a_small_change_in_a_long_policy_is_a_short_page(page, live_server, screenshot):
    officer = UserFactory(email="po@icentrex.example")
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    privacy = PolicyDocument.objects.get(slug="privacy")
    long_body = "\n\n".join(
        f"## Topic {i}\n\nParagraph {i} says what we do with data and why, in plain words, over a couple "
        f"of lines so that the document is as long as a real policy.\n\n- one point\n- another point"
        for i in range(60)
    )
    changed = long_body.replace("Paragraph 30 says", "Paragraph 30 now says").replace(
        "## Topic 45\n", "## Topic 45\n\n" + "\n".join(f"New line {n}." for n in range(8)) + "\n"
    )
    for body in (long_body, changed):
        services.policy_draft_create(
            actor=officer, document=privacy, body=body, summary="", effective_at=timezone.now(),
            material=False, publish=True,
        )  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/policies/privacy/versions/2/")
    whole = page.evaluate("document.documentElement.scrollHeight")
    page.goto(live_server.url + "/policies/privacy/diff/?from=2&to=3")
    screenshot(page, "policy-diff-long-document")
    assert serious_violations(page) == []
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500 and height < whole / 4, (height, whole)
    # The jump list leads to each change.
    page.get_by_role("link", name="Topic 45").click()
    expect(page.locator("#change-2")).to_be_in_viewport()
