"""The journeys of issue 15, each counted in clicks from a fresh page load and
held to its goal; each ends by checking that the task really happened (the
database, the downloaded file, the text on the page), and every page on the way
is screenshotted and checked with axe-core at 1280 and 375 px (journeys.py)."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from consent.models import ConsentRecord
from domains.models import DomainClaim, EmailDisclosure
from integrations.models import SharingEvent
from integrations.services import installation_create
from organizations.models import Membership, Organization
from organizations.roles import OrgRole
from policies.models import NoticeRun, PolicyNotice, PolicyVersion
from subjects.services import subject_key_for_user
from support import services as support_services
from support.models import CaseShare
from tests.domains.disclosure_support import run_now
from tests.factories import UserFactory
from tests.integrations.helpers import emails_sent_about, provider
from tests.waiting import wait_for

from .axe import AXE
from .journeys import Journey, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journey(page, browser, live_server):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (bin/test installs it with npm)")
    started = []

    def start(name: str, on=None) -> Journey:
        """A journey in the test's page, or ``on`` another (another person's)."""
        started.append(Journey(on or page, browser, live_server.url, name))
        return started[-1]

    yield start
    for journey in started:
        journey.close()


def _finish(journey, goal: int) -> None:
    print(journey.report())
    assert journey.clicks <= goal, journey.report()
    journey.assert_accessible()


def _banner(page):
    return page.get_by_role("region", name="Cookies on iCentrex")


# --- 1. Withdraw consent to analytics: at most 2 clicks ---------------------------------


def test_withdraw_analytics_consent(journey, page, live_server):
    alice = UserFactory(email="alice@example.org", name="Alice Andersson")
    sign_in(page, live_server.url, alice.email)
    _banner(page).get_by_role("button", name="Accept all").click()
    expect(_banner(page)).to_be_hidden()
    granted = ConsentRecord.objects.get()
    assert granted.choices["analytics"] is True

    j = journey("1-withdraw-analytics")
    j.start("/privacy/")  # any page will do: the privacy centre's overview here
    expect(_banner(page)).to_be_hidden()
    j.click(page.get_by_role("contentinfo").get_by_role("link", name="Cookie settings"))
    expect(_banner(page)).to_be_visible()
    j.look("banner-open")
    # The open choices at 375 px too (opened there outside the count).
    narrow = j.narrow_page
    narrow.get_by_role("contentinfo").get_by_role("link", name="Cookie settings").click()
    expect(_banner(narrow)).to_be_visible()
    j.look("banner-open", narrow=True)
    j.click(_banner(page).get_by_role("button", name="Withdraw consent to Analytics"))
    expect(page.locator("#consent-saved")).to_have_text(
        "You withdrew your consent to Analytics. Your cookie choices were saved."
    )
    j.look("withdrawn")

    records = list(ConsentRecord.objects.filter(subject_key=granted.subject_key).order_by("seq"))
    assert [r.action for r in records] == ["grant", "withdraw"]
    assert records[-1].choices == {**granted.choices, "analytics": False}  # only analytics went
    _finish(j, goal=2)


# --- 2. Download a consent receipt: at most 3 clicks ------------------------------------


def test_download_consent_receipt(journey, page, live_server):
    alice = UserFactory(email="alice@example.org", name="Alice Andersson")
    sign_in(page, live_server.url, alice.email)
    _banner(page).get_by_role("button", name="Reject all").click()
    expect(_banner(page)).to_be_hidden()
    record = ConsentRecord.objects.get()

    j = journey("2-consent-receipt")
    j.start("/")
    j.click(page.get_by_role("link", name="Open your privacy centre"))
    j.click(
        page.get_by_role("navigation", name="Privacy centre").get_by_role("link", name="Cookies & consent")
    )
    history = page.get_by_role("table", name="Your consent records, newest first")
    download = j.download(history.get_by_role("link", name=re.compile(r"^Download")).first)

    assert download.suggested_filename == f"consent-receipt-{record.record_id}.json"
    receipt = json.loads(Path(download.path()).read_text())
    assert receipt["record_id"] == str(record.record_id)
    assert receipt["record_hash"] == record.record_hash
    assert receipt["choices"]["analytics"] is False
    _finish(j, goal=3)


# --- 3. See who received my data: at most 2 clicks --------------------------------------


def test_who_has_my_data(journey, page, live_server):
    alice = UserFactory(email="alice@example.org", name="Alice Andersson")
    acme = Organization.objects.create(name="Acme AB", slug="acme")
    membership = Membership.objects.create(organization=acme, user=alice, role=OrgRole.MEMBER)
    installation_create(
        user=alice, provider=provider("standup-bot"), fields=["identity.name"], membership=membership
    )
    emails_sent_about(alice, 2)
    emails_sent_about(UserFactory(email="bob@example.org"), 1)  # someone else's
    sign_in(page, live_server.url, alice.email)
    _banner(page).get_by_role("button", name="Reject all").click()

    j = journey("3-who-has-my-data")
    j.start("/")
    j.click(page.get_by_role("link", name="Open your privacy centre"))
    j.click(page.get_by_role("link", name="Who has my data").first)

    expect(page.get_by_role("heading", level=1)).to_have_text("Who has my data")
    recipients = page.get_by_role("region", name="Who received data about you").get_by_role("table")
    expect(recipients.get_by_role("row")).to_have_count(3)  # the header, Standup Bot, Mailstream
    expect(recipients.get_by_role("row", name="Standup Bot")).to_contain_text("Identity")
    expect(recipients.get_by_role("row", name="Mailstream")).to_contain_text("2")
    shares = SharingEvent.objects.filter(subject_key=subject_key_for_user(user=alice)).count()
    assert shares == 3
    expect(page.locator("table.sharing-log tbody tr")).to_have_count(shares)
    _finish(j, goal=2)


# --- 4. An owner reads what was disclosed to the organisation: at most 3 clicks ---------


def test_owner_reads_the_disclosures(journey, page, live_server, acme, globex, owner, member, outsider):
    now = timezone.now()
    for org, domain in [(acme, "acme.example"), (globex, "globex.example")]:
        DomainClaim.objects.create(
            organization=org, domain=domain, token="t0ken", status="verified", verified_at=now,
            disclosures_from=now - timedelta(minutes=1),
        )  # fmt: skip
    UserFactory(email="ann@globex.example")
    run_now()
    # What the organisation was told about, by person: its owner and its member.
    keys = set(EmailDisclosure.objects.filter(organization_id=acme.pk).values_list("subject_key", flat=True))
    assert keys == {subject_key_for_user(user=owner.user), subject_key_for_user(user=member.user)}
    disclosed = {owner.user.email, member.user.email}
    sign_in(page, live_server.url, owner.user.email)
    _banner(page).get_by_role("button", name="Reject all").click()

    j = journey("4-org-disclosures")
    j.start("/")
    header = page.get_by_role("navigation", name="Main")
    j.click(header.get_by_text("Organisations", exact=True))
    j.click(header.get_by_role("link", name="Acme AB"))
    j.click(
        page.get_by_role("navigation", name="Organisation console").get_by_role(
            "link", name="Disclosed to you"
        )
    )

    expect(page.get_by_role("heading", name="Disclosed to you")).to_be_visible()
    table = page.get_by_role("table", name="Disclosures, newest first")
    expect(table.locator("tbody tr")).to_have_count(len(disclosed))
    for email in disclosed:
        expect(table).to_contain_text(email)
    expect(table).not_to_contain_text("globex.example")
    _finish(j, goal=3)


# --- 5. Support share a masked case: at most 4 clicks after opening it -----------------


def test_support_shares_a_masked_case(journey, page, live_server, browser):
    agent = UserFactory(email="agent@icentrex.example", name="Sam Support", is_staff=True)
    agent.groups.add(Group.objects.get_or_create(name="support")[0])
    alice = UserFactory(email="alice@example.org", name="Alice Andersson")
    acme = Organization.objects.create(name="Acme AB", slug="acme")
    Membership.objects.create(organization=acme, user=alice)
    admin = UserFactory(email="admin@acme.example", name="Bob Berg")
    Membership.objects.create(organization=acme, user=admin, role=OrgRole.ADMIN)
    case = support_services.case_open(
        actor=alice,
        subject="Export broken for Alice Andersson",
        body="I am Alice Andersson, write to alice@example.org or call +46 70 123 45 67. "
        "Bob Berg saw it too. It is about Project Nightjar.",
        organization=acme,
    )
    sign_in(page, live_server.url, agent.email)
    _banner(page).get_by_role("button", name="Reject all").click()

    j = journey("5-share-masked-case")
    j.start(f"/staff/cases/{case.pk}/")
    j.click(page.get_by_role("link", name="Review the masks and share"))
    # "Nightjar" identifies the reporter's project, which no detector knows: mask it by hand.
    j.fill(page.get_by_label("Also mask this phrase"), "Nightjar")
    j.click(page.get_by_role("button", name="Preview again"))
    expect(page.locator("#masked-body")).to_contain_text("Project [name 3].")
    j.click(page.get_by_role("button", name="Share", exact=True))
    expect(page.get_by_text("The case is shared, masked")).to_be_visible()

    share = CaseShare.objects.get()
    for secret in ["Alice", "Andersson", "alice@example.org", "70 123", "Bob Berg", "Nightjar"]:
        assert secret not in share.masked_subject + share.masked_body, secret
    _finish(j, goal=4)

    # The organisation's admins see the masked text, and nothing of what was masked.
    context = browser.new_context()
    try:
        admin_page = context.new_page()
        admin_page.set_default_timeout(10_000)
        sign_in(admin_page, live_server.url, admin.email)
        _banner(admin_page).get_by_role("button", name="Reject all").click()
        seen = journey("5b-admin-reads-masked-case", on=admin_page)
        seen.start("/orgs/acme/support-cases/")
        seen.click(admin_page.get_by_role("link", name=share.masked_subject))
        main = admin_page.get_by_role("main")
        expect(main).to_contain_text(share.masked_body)
        for secret in ["Alice", "alice@example.org", "70 123", "Nightjar"]:
            expect(main).not_to_contain_text(secret)
        _finish(seen, goal=1)
    finally:
        context.close()


# --- 6. A privacy officer publishes a material change and watches it: at most 5 clicks --


@pytest.mark.worker
def test_officer_publishes_a_material_change_and_watches_it(
    journey, page, live_server, celery_worker_process
):
    officer = UserFactory(
        email="po@icentrex.example", name="Petra Officer", is_staff=True,
        date_joined=timezone.now() - timedelta(days=30),
    )  # fmt: skip
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    people = [UserFactory(email=f"person{i}@example.org") for i in range(5)]
    sign_in(page, live_server.url, officer.email)
    _banner(page).get_by_role("button", name="Reject all").click()

    j = journey("6-publish-material-change")
    j.start("/staff/")
    j.click(page.get_by_role("link", name="Draft a version"))
    body = page.get_by_label("Text (Markdown)")
    j.fill(body, body.input_value() + "\n\n## Data we keep longer\n\nWe now keep invoices for seven years.\n")
    j.fill(page.get_by_label("Summary of changes"), "Invoices are kept for seven years.")
    j.click(page.get_by_label("Material change"))
    j.click(page.get_by_role("button", name="Save draft"))
    j.click(page.get_by_role("button", name="Publish"), confirm=True)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Notices of the Privacy policy")
    version = PolicyVersion.objects.get(
        document__slug="privacy", summary="Invoices are kept for seven years."
    )
    assert version.is_published and version.material
    # The page follows the run by itself (htmx) until it is done.
    progress = page.locator("#notice-progress")
    expect(progress).to_contain_text("Finished", timeout=60_000)
    expect(progress).to_contain_text("finished")
    recipients = len(people) + 1  # everyone with an account, the officer too
    expect(progress.get_by_role("row", name="Email")).to_have_text(f"Email{recipients}00")
    j.look("run-done")
    j.narrow_page.reload()
    expect(j.narrow_page.locator("#notice-progress")).to_contain_text("Finished")
    j.look("run-done", narrow=True)
    wait_for(lambda: NoticeRun.objects.get(version=version).status == NoticeRun.Status.DONE)
    assert PolicyNotice.objects.filter(version=version, status="sent").count() == recipients * 2
    _finish(j, goal=5)
