"""The staff share flow in a browser, without JavaScript help: preview, leave a
detection as written (refused: it would identify the reporter), keep it masked
again, add a phrase to mask, preview again, share; the organisation's admin then
sees the masked text. The review reads as text: kinds by name, choices below."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from organizations.models import Membership, Organization
from support import services
from support.models import CaseShare
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_review_the_masks_and_share(page, live_server, screenshot):
    agent = UserFactory(email="agent@icentrex.example", name="Sam Support", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    alice = UserFactory(email="alice@example.org", name="Alice Andersson")
    acme = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=acme, user=alice)
    Membership.objects.create(organization=acme, user=UserFactory(name="Bob Berg"), role="admin")
    case = services.case_open(
        actor=alice,
        subject="Export broken",
        body="I am Alice Andersson, write to alice@example.org. Bob Berg saw it too. Project Nightjar.",
        organization=acme,
    )

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + f"/staff/cases/{case.pk}/")
    page.get_by_role("link", name="Review the masks and share").click()
    expect(page.locator(".mask-preview mark[data-kind=email]")).to_have_count(1)
    expect(page.locator("#masked-body")).to_contain_text("write to [email 1]")
    # The text stays text: no form controls inside it; the kinds are named for people.
    expect(page.locator(".mask-preview input")).to_have_count(0)
    email = page.get_by_role("group", name="alice@example.org")
    expect(email).to_contain_text("email address, in the message")
    expect(page.locator("main")).not_to_contain_text("reporter-email")
    expect(page.get_by_role("table", name="What was masked")).to_contain_text("Email address [email]")
    expect(page.get_by_role("table", name="What was masked")).not_to_contain_text("member-name")
    screenshot(page, "case-share-preview")

    # Leaving the email address as written is refused, and nothing is shared.
    email.get_by_label("Leave as written").check()
    page.get_by_role("button", name="Preview with these choices").click()
    expect(page.get_by_role("alert")).to_contain_text("would still identify someone")
    expect(page.get_by_role("button", name="Share", exact=True)).to_have_count(0)
    screenshot(page, "case-share-refused")
    assert not CaseShare.objects.exists()

    expect(page.get_by_role("alert")).to_contain_text("(email address, name, username)")
    page.get_by_role("group", name="alice@example.org").get_by_label("Keep masked as [email 1]").check()
    page.get_by_label("Also mask this phrase").fill("Nightjar")
    page.get_by_label("Mask it as").select_option("name")
    page.get_by_role("button", name="Preview again").click()
    expect(page.locator("#masked-body")).to_contain_text("Project [name 3].")
    # Staff see who each tag stands for; the administrators never do.
    expect(page.locator("#pseudonyms")).to_contain_text("[name 1]")
    expect(page.locator("#pseudonyms")).to_contain_text("Alice Andersson")
    screenshot(page, "case-share-manual")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("The case is shared, masked")).to_be_visible()
    share = CaseShare.objects.get()
    assert share.masked_body == "I am [name 1], write to [email 1]. [name 2] saw it too. Project [name 3]."
    screenshot(page, "case-share-done")


def test_the_reporters_replies_are_reviewed_and_shared_at_phone_width(page, live_server, screenshot):
    agent = UserFactory(email="agent@icentrex.example", name="Sam Support", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    alice = UserFactory(email="alice@example.org", name="Alice Andersson")
    acme = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=acme, user=alice)
    Membership.objects.create(organization=acme, user=UserFactory(name="Bob Berg"), role="admin")
    case = services.case_open(
        actor=alice, subject="Export broken", body="Bob Berg saw it.", organization=acme
    )
    services.case_reply_by_reporter(actor=alice, case=case, body="Bob again; my mobile is 070-123 45 67.")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(live_server.url + f"/staff/cases/{case.pk}/share/")
    expect(page.get_by_role("heading", name="The reporter's reply 1").first).to_be_visible()
    expect(page.get_by_text("phone number, in the reporter's reply 1")).to_be_visible()
    page.get_by_role("button", name="Preview with these choices").click()
    expect(page.locator("#masked-reply-1")).to_have_text("[name 1] again; my mobile is [phone 1].")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "case-share-reply-phone")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("The case is shared, masked")).to_be_visible()
    assert CaseShare.objects.get().masked_replies[0]["body"] == "[name 1] again; my mobile is [phone 1]."
