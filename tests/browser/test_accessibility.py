"""axe-core (from npm, node_modules/) finds no serious or critical violation on key pages."""

from pathlib import Path

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe(page):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (bin/test installs it with npm)")

    def check(url: str) -> list:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        # Injected through Playwright (not a <script> tag), so the page's CSP stays as it is.
        page.evaluate(AXE.read_text())
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check


def test_public_pages(axe, live_server):
    for path in [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/cookies/",
        "/cookies/settings/",
        "/policies/privacy/",
        "/policies/terms/",
    ]:
        assert axe(live_server.url + path) == [], path


def test_privacy_centre_pages(axe, page, live_server, screenshot):
    from django.contrib.auth.models import Group

    from organizations.models import Membership, Organization

    ada = UserFactory(email="ada@example.org", name="Ada", is_staff=True)
    ada.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    import uuid

    from consent.services import consent_record
    from cookies.selectors import current_revision

    for method in ["banner_accept_all", "banner_accept_all", "banner_reject_all"]:  # so the chart has bars
        consent_record(
            subject_key=uuid.uuid4(),
            subject_type="visitor",
            method=method,
            revision_hash=current_revision().content_hash,
            signals={
                "gpc": None,
                "dnt": None,
                "ip_prefix": "",
                "ua_family": "",
                "ua_version": "",
                "origin": "",
            },
        )
    acme = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=acme, user=ada, role="owner", is_primary_owner=True)
    Membership.objects.create(organization=acme, user=UserFactory(email="bo@example.org", name="Bo"))
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    for path in [
        "/privacy/",
        "/privacy/profile/",
        "/privacy/security/",
        "/privacy/activity/",
        "/privacy/organisations/",
        "/orgs/acme/members/",
        "/orgs/acme/invitations/",
        "/orgs/acme/teams/",
        "/orgs/acme/data-policy/",
        "/orgs/acme/audit/",
        "/orgs/acme/exports/",
        "/privacy/cookies/",
        "/staff/consent/",
        "/staff/policies/privacy/",
        "/accounts/email/",
        "/accounts/2fa/",
    ]:
        assert axe(live_server.url + path) == [], path
        screenshot(page, "a11y" + path.replace("/", "-").rstrip("-"))


def test_policy_notice_pages(axe, page, live_server, screenshot):
    """The update banner, the privacy centre's policy page and the staff progress pages."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from policies import selectors, services
    from policies.models import NoticeRun, PolicyDocument

    ada = UserFactory(email="ada@example.org", name="Ada")
    ada.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    terms = PolicyDocument.objects.get(slug="terms")
    version = services.policy_draft_create(
        actor=ada,
        document=terms,
        body=selectors.version_in_force(document=terms).body + "\n\nA clearer sentence.\n",
        summary="Clearer wording about support tickets.",
        effective_at=timezone.now(),
        material=False,
        publish=True,
    )
    run = NoticeRun.objects.get(version=version)
    for chunk_id in services.notice_run_plan(run_id=run.pk):
        services.notice_chunk_deliver(chunk_id=chunk_id)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    for path in ["/privacy/policies/", "/staff/policies/notices/", f"/staff/policies/notices/{version.pk}/"]:
        assert axe(live_server.url + path) == [], path
        screenshot(page, "a11y" + path.replace("/", "-").rstrip("-"))
