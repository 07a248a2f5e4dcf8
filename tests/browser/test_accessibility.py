"""axe-core (from npm, node_modules/) finds no serious or critical violation on key pages."""

import re

import pytest

from tests.factories import PASSWORD, UserFactory

from .axe import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot_name(path: str) -> str:
    """A stable file name: ids and query strings out ("…-detail", "…-consent")."""
    name = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "detail", path.split("?")[0])
    return name.replace("/", "-").rstrip("-") + ("-consent" if "?" in path else "")


def test_public_pages(axe, live_server):
    for path in [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/policies/cookies/",
        "/cookies/settings/",
        "/policies/privacy/",
        "/policies/terms/",
        "/support/report-a-minor/",
        "/support/report-a-minor/thanks/",
        "/support/privacy-question/",
        "/support/privacy-question/thanks/",
    ]:
        assert axe(live_server.url + path) == [], path


def test_public_forms_with_errors(axe, page, live_server, screenshot):
    """The error state too: messages tied to their fields, nothing that traps a
    keyboard or screen-reader user (the honeypot stays out of their way)."""
    for path in ["/support/report-a-minor/", "/support/privacy-question/"]:
        assert axe(live_server.url + path) == []
        page.get_by_role("button", name="Send").click()
        page.wait_for_load_state()
        assert page.locator(".errorlist").count() >= 2, path
        screenshot(page, "a11y" + path.replace("/", "-").rstrip("-") + "-errors")
        assert serious_violations(page) == [], path


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
    bo = UserFactory(email="bo@example.org", name="Bo")
    Membership.objects.create(organization=acme, user=bo)
    from support import services as support

    # A report (its account suspended) and an answered question, so the staff pages show their actions.
    report = support.minor_report_create(
        actor=None,
        reporter_email="parent@example.net",
        reported_email="bo@example.org",
        reported_details="Bo, Acme",
        description="He is 11.",
    )
    support.minor_report_suspend_account(actor=ada, report=report, account=bo)
    new_report = support.minor_report_create(
        actor=None,
        reporter_email="t@example.net",
        reported_email="",
        reported_details="Someone",
        description="x",
    )
    question = support.privacy_question_create(
        actor=None, name="Pat", email="pat@example.net", subject="Where is my data?", message="Where?"
    )
    support.privacy_question_reply(actor=ada, question=question, body="In Sweden.")
    # A support case of Ada's with a staff reply and an internal note, and one opened by Bo.
    case = support.case_open(
        actor=ada, subject="Export does nothing", body="The export button does nothing.", organization=acme
    )
    support.case_reply_by_staff(actor=ada, case=case, body="Which browser do you use?")
    support.case_add_internal_note(actor=ada, case=case, body="Internal: check the export worker.")
    support.case_assign(actor=ada, case=case, assignee=ada)
    # Shared, masked, with Acme's admins (Ada is its owner), with a reply from the organisation.
    share = support.case_share(actor=ada, case=case)
    support.shared_case_reply(
        actor_membership=Membership.objects.get(user=ada, organization=acme), share=share, body="Fixed."
    )
    support.case_open(actor=bo, subject="Cannot leave Acme", body="The leave button is missing.")
    # Integrations: one for a team, one of Ada's own, and emails she was sent (the sharing log).
    from integrations.models import Provider
    from integrations.services import installation_create, processor_shares_record
    from organizations.models import Team, TeamMembership
    from subjects.services import subject_key_for_user

    design = Team.objects.create(organization=acme, name="Design", slug="design")
    TeamMembership.objects.create(team=design, membership=Membership.objects.get(user=ada))
    team_installation = installation_create(
        user=ada,
        provider=Provider.objects.get(slug="standup-bot"),
        fields=["identity.name", "team.name"],
        membership=Membership.objects.get(user=ada),
        team=design,
    )
    own_installation = installation_create(
        user=ada, provider=Provider.objects.get(slug="calendar-sync"), fields=["identity.id"]
    )
    processor_shares_record(
        provider_slug="mailstream",
        subject_keys=[subject_key_for_user(user=ada)],
        fields=["identity.email", "profile.language"],
        purpose="Delivers the emails iCentrex sends you.",
    )
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
        "/staff/",
        "/staff/minor-reports/",
        f"/staff/minor-reports/{report.pk}/",
        f"/staff/minor-reports/{new_report.pk}/",
        "/staff/privacy-questions/",
        f"/staff/privacy-questions/{question.pk}/",
        "/privacy/support-cases/",
        "/privacy/support-cases/new/",
        f"/privacy/support-cases/{case.public_id}/",
        "/staff/cases/",
        f"/staff/cases/{case.pk}/",
        f"/staff/cases/{case.pk}/share/",
        "/orgs/acme/support-cases/",
        f"/orgs/acme/support-cases/{share.public_id}/",
        "/accounts/email/",
        "/accounts/2fa/",
        "/privacy/data-sharing/",
        "/privacy/integrations/",
        "/privacy/integrations/expense-reports/add/",
        f"/privacy/integrations/installed/{own_installation.public_id}/remove/",
        "/orgs/acme/integrations/",
        f"/orgs/acme/integrations/{team_installation.public_id}/",
        "/orgs/acme/integrations/add/",
        f"/orgs/acme/integrations/add/?provider=standup-bot&team={design.pk}",
        "/staff/providers/",
        "/staff/providers/calendar-sync/",
        "/staff/providers/new/service-provider/",
    ]:
        assert axe(live_server.url + path) == [], path
        screenshot(page, "a11y" + _shot_name(path))


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


def test_email_disclosure_pages(axe, page, live_server, screenshot):
    """Domains, the dry run and the report in the console; the person's page
    and notice; the work-address notice at sign-up."""
    from datetime import timedelta

    from django.utils import timezone

    from domains.models import DomainClaim
    from organizations.models import Membership, Organization, Team, TeamMembership
    from tests.domains.disclosure_support import run_now

    acme = Organization.objects.create(name="Acme", slug="acme")
    ada = UserFactory(email="ada@acme.example", name="Ada")
    owner = Membership.objects.create(organization=acme, user=ada, role="owner", is_primary_owner=True)
    design = Team.objects.create(organization=acme, name="Design", slug="design")
    TeamMembership.objects.create(team=design, membership=owner)
    for n in range(3):
        UserFactory(email=f"person{n}@acme.example")
    now = timezone.now()
    DomainClaim.objects.create(
        organization=acme, domain="acme.example", token="t", status="verified", verified_at=now,
        disclosures_from=now - timedelta(minutes=1),
    )  # fmt: skip
    DomainClaim.objects.create(organization=acme, domain="acme-labs.example", token="pending-token-value")
    run_now()

    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Email").fill("newcomer@acme.example")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.get_by_text("which Acme has verified as its own").is_visible()
    screenshot(page, "a11y-signup-work-address")
    assert serious_violations(page) == []

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    for path in ["/orgs/acme/domains/", "/orgs/acme/disclosures/", "/privacy/disclosures/", "/privacy/"]:
        assert axe(live_server.url + path) == [], path
        screenshot(page, "a11y" + _shot_name(path) + ("-overview" if path == "/privacy/" else ""))
    page.goto(live_server.url + "/orgs/acme/domains/")
    page.get_by_role("button", name="Preview disclosures (dry run)").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Dry run: what would be disclosed").is_visible()
    screenshot(page, "a11y-orgs-acme-dry-run")
    assert serious_violations(page) == []
    # The person dismisses the notice (htmx) and it is gone.
    page.goto(live_server.url + "/privacy/disclosures/")
    page.get_by_role("button", name="Got it").click()
    page.wait_for_selector("#disclosure-notice", state="detached")
