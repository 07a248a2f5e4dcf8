"""Your data, in Chromium: asking for a copy (progress updates in place), the
emailed link (download once), and deleting the account (a fresh sign-in, the
grace period, cancelling). Every page is checked with axe-core and saved as a
screenshot."""

import re
import zipfile

import pytest

from data_requests import tasks
from data_requests.models import OrganizationExport, PersonalExport
from organizations.models import Membership, Organization
from tests.factories import PASSWORD, UserFactory

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def _link_path(mail) -> str:
    url = next(line for line in mail.body.splitlines() if "/download/" in line).strip()
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_a_copy_of_my_data_from_request_to_download(axe, page, live_server, screenshot, mailoutbox, tmp_path):
    ada = UserFactory(email="ada@example.org", name="Ada Lindqvist")
    _sign_in(page, live_server, ada.email)
    assert axe(live_server.url + "/privacy/data/") == []
    page.get_by_role("button", name="Prepare a copy of my data").click()
    page.wait_for_load_state()
    assert page.get_by_text("We are preparing a copy of your data").is_visible()
    assert page.get_by_role("button", name="Prepare a copy of my data").is_disabled()
    screenshot(page, "data-export-building")

    # The worker's part, in process; the page updates itself (htmx polling) without a reload.
    export = PersonalExport.objects.get(user=ada)
    tasks.personal_export_build(export.pk)
    tasks.personal_export_send_link(export.pk)
    page.get_by_text("link sent").wait_for(timeout=10_000)
    screenshot(page, "data-export-link-sent")

    link = _link_path(mailoutbox[-1])
    assert axe(live_server.url + link) == []
    screenshot(page, "data-export-download")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the ZIP file").click()
    saved = tmp_path / "copy.zip"
    download.value.save_as(saved)
    assert "profile.json" in zipfile.ZipFile(saved).namelist()

    response = page.goto(live_server.url + link)
    assert response.status == 410 and page.get_by_text("already used").is_visible()
    assert serious_violations(page) == []
    screenshot(page, "data-export-link-used")


def test_deleting_my_account_needs_a_fresh_sign_in_and_can_be_cancelled(axe, page, live_server, screenshot):
    ada = UserFactory(email="ada@example.org", name="Ada Lindqvist")
    solo = Organization.objects.create(name="Ada's Studio", slug="ada-studio")
    Membership.objects.create(organization=solo, user=ada, role="owner", is_primary_owner=True)
    _sign_in(page, live_server, ada.email)
    assert axe(live_server.url + "/privacy/data/delete/") == []
    assert page.get_by_text("You are the only member of Ada's Studio").is_visible()
    screenshot(page, "data-delete-account")
    page.locator("details").last.locator("summary").click()
    assert page.get_by_role("rowheader", name="Consent records").is_visible()
    screenshot(page, "data-delete-register")

    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_load_state()
    assert "/accounts/reauthenticate/" in page.url
    assert serious_violations(page) == []
    screenshot(page, "data-delete-reauthenticate")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.url.endswith("/privacy/data/")
    assert page.get_by_role("heading", name="Your account is scheduled for deletion").is_visible()
    assert serious_violations(page) == []
    screenshot(page, "data-delete-scheduled")

    page.get_by_role("button", name="Cancel the deletion").click()
    page.wait_for_load_state()
    assert page.get_by_text("The deletion is cancelled").is_visible()
    assert not page.get_by_role("heading", name="Your account is scheduled for deletion").is_visible()


def test_a_primary_owner_sees_what_to_do_first(axe, page, live_server, screenshot):
    ada = UserFactory(email="ada@example.org", name="Ada Lindqvist")
    acme = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=acme, user=ada, role="owner", is_primary_owner=True)
    Membership.objects.create(organization=acme, user=UserFactory(), role="member")
    _sign_in(page, live_server, ada.email)
    assert axe(live_server.url + "/privacy/data/delete/") == []
    assert page.get_by_text("You cannot delete your account yet").is_visible()
    assert page.get_by_role("link", name="transfer ownership in its console").is_visible()
    assert page.get_by_role("button", name="Delete my account").count() == 0
    screenshot(page, "data-delete-blocked")


def test_an_owner_downloads_member_data_through_the_emailed_link(
    axe, page, live_server, screenshot, mailoutbox
):
    ada = UserFactory(email="ada@example.org", name="Ada Lindqvist")
    acme = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=acme, user=ada, role="owner", is_primary_owner=True)
    _sign_in(page, live_server, ada.email)
    page.goto(live_server.url + "/orgs/acme/exports/")
    page.get_by_role("button", name="Start export").click()
    page.wait_for_load_state()
    export = OrganizationExport.objects.get(organization=acme)
    tasks.organization_export_build(export.pk)
    tasks.organization_export_send_link(export.pk)
    page.get_by_text("emailed to whoever started it").wait_for(timeout=10_000)
    assert serious_violations(page) == []
    screenshot(page, "org-exports-link-sent")
    link = _link_path(mailoutbox[-1])
    assert axe(live_server.url + link) == []
    screenshot(page, "org-export-download")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename.endswith(".json")
