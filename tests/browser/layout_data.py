"""Demo people (seed_demo) plus one of everything a page lists, so that every
page a person can reach has rows in its tables and links to its detail pages."""

import uuid
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from accounts.models import User

PASSWORD = "demo-privacy-2026"  # seed_demo's

# Who signs in for each kind of person (None: nobody signs in).
PERSONAS = {
    "anonymous": None,
    "end_user": "eve@example.org",  # an account in no organisation
    "member": "member@acme.example",
    "owner": "owner@acme.example",
    "support": "support@icentrex.example",
    "privacy_officer": "privacy@icentrex.example",
}
# A long, unbreakable address: the pages that show it must still fit a phone.
LONG_EMAIL = "maximilian.lindqvist-andersson.consulting@very-long-subsidiary-name.acme.example"


def seed() -> dict[str, list[str]]:
    """Create the data; return, per persona, the paths that reach them by email
    (invitations, download links, confirmations) rather than by a link on a page."""
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from consent.services import consent_record
    from cookies.selectors import current_revision
    from data_requests.services import organization_export_request, personal_export_request
    from domains.models import DomainClaim
    from integrations.models import Provider
    from integrations.services import installation_create, processor_shares_record
    from organizations import services as org_services
    from organizations.models import Membership, Organization, Team
    from policies import selectors as policy_selectors
    from policies import services as policy_services
    from policies.models import NoticeRun, PolicyDocument
    from subjects.services import subject_key_for_user
    from support import services as support
    from tests.domains.disclosure_support import run_now
    from tests.factories import UserFactory

    call_command("seed_demo", verbosity=0)
    owner_user = User.objects.get(email="owner@acme.example")
    support_user = User.objects.get(email="support@icentrex.example")
    officer = User.objects.get(email="privacy@icentrex.example")
    eve = UserFactory(email="eve@example.org", name="Eve Everyperson")
    eve.set_password(PASSWORD)
    eve.save()
    acme = Organization.objects.get(slug="acme")
    owner = Membership.objects.get(organization=acme, user=owner_user)
    member = Membership.objects.get(organization=acme, user__email="member@acme.example")
    # Acme lets owners review member data, so the console offers "Review data" (and its page is reached).
    org_services.data_policy_update(actor=owner, review_allowed_for="owners")
    # A member with a very long address: tables and headings that show it must not widen the page.
    long_user = UserFactory(email=LONG_EMAIL, name="Maximilian Lindqvist-Andersson")
    Membership.objects.create(organization=acme, user=long_user, role="member")

    # Consent decisions: the staff chart and the people's consent history (with receipts).
    revision_hash = current_revision().content_hash
    signals = {"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""}
    for method in ["banner_accept_all", "banner_accept_all", "banner_reject_all"]:
        consent_record(
            subject_key=uuid.uuid4(), subject_type="visitor", method=method, revision_hash=revision_hash,
            signals=signals,
        )  # fmt: skip
    for user in [eve, owner_user, member.user]:
        consent_record(
            subject_key=subject_key_for_user(user=user), subject_type="account", method="banner_reject_all",
            revision_hash=revision_hash, signals=signals,
        )  # fmt: skip

    # Support: a minor report, an answered question, a case shared with Acme's admins.
    support.minor_report_create(
        actor=None, reporter_email="parent@example.net", reported_email="guest@acme.example",
        reported_details="Gustav, Acme", description="He is 11.",
    )  # fmt: skip
    question = support.privacy_question_create(
        actor=None, name="Pat", email="pat@example.net", subject="Where is my data?", message="Where?"
    )
    support.privacy_question_reply(actor=support_user, question=question, body="In Sweden.")
    case = support.case_open(
        actor=owner_user, subject="Export does nothing", body=f"Nothing happens. Write to {LONG_EMAIL}.",
        organization=acme,
    )  # fmt: skip
    support.case_reply_by_staff(actor=support_user, case=case, body="Which browser do you use?")
    support.case_add_internal_note(actor=support_user, case=case, body="Internal: check the export worker.")
    support.case_share(actor=support_user, case=case)
    support.case_open(actor=eve, subject="Cannot change my email", body="The link expired.")

    # Integrations and the sharing log.
    standup, calendar = Provider.objects.get(slug="standup-bot"), Provider.objects.get(slug="calendar-sync")
    # For Engineering (its team admin added it): the owner can still add it for Design.
    admin = Membership.objects.get(organization=acme, user__email="admin@acme.example")
    engineering = Team.objects.get(organization=acme, slug="engineering")
    fields = ["identity.name", "team.name"]
    installation_create(user=admin.user, provider=standup, fields=fields, membership=admin, team=engineering)
    for user in [eve, owner_user, member.user]:
        installation_create(user=user, provider=calendar, fields=["identity.id"])
    processor_shares_record(
        provider_slug="mailstream",
        subject_keys=[subject_key_for_user(user=u) for u in [eve, owner_user, member.user]],
        fields=["identity.email", "profile.language"],
        purpose="Delivers the emails iCentrex sends you.",
    )

    # Organisation: an invitation, a review of a member's data, domains and disclosures, exports.
    invitation = org_services.invitation_create(actor=owner, email="eve@example.org", role="member")
    now = timezone.now()
    # seed_demo has verified acme.example already; disclosures from a minute ago.
    DomainClaim.objects.update_or_create(
        organization=acme, domain="acme.example",
        defaults={"status": "verified", "verified_at": now, "disclosures_from": now - timedelta(minutes=1)},
    )  # fmt: skip
    DomainClaim.objects.create(organization=acme, domain="acme-labs.example", token="pending-token-value")
    run_now()
    org_export = organization_export_request(actor=owner, format="json")
    eve_export = personal_export_request(actor=eve)

    # Policies: a published change of the privacy policy (notices sent, a diff to show) and a draft
    # of the next one (the staff's policy pages link the privacy policy's).
    privacy = PolicyDocument.objects.get(slug="privacy")
    body = policy_selectors.version_in_force(document=privacy).body
    version = policy_services.policy_draft_create(
        actor=officer, document=privacy, body=body + "\n\nA clearer sentence.\n", summary="Clearer wording.",
        effective_at=timezone.now(), material=False, publish=True,
    )  # fmt: skip
    run = NoticeRun.objects.get(version=version)
    for chunk_id in policy_services.notice_run_plan(run_id=run.pk):
        policy_services.notice_chunk_deliver(chunk_id=chunk_id)
    policy_services.policy_draft_create(
        actor=officer, document=privacy, body=body + "\nOne more sentence.\n",
        summary="A draft.", effective_at=timezone.now() + timedelta(days=30), material=True,
    )  # fmt: skip

    # A page reported names the declaration lacks: the officer's tracker report and its form.
    from cookies.services import tracker_report_record

    tracker_report_record(
        origin="https://blog.icentrex.example",
        page_url="https://blog.icentrex.example/posts/a-very-long-path-that-must-not-widen-the-table/1",
        cookies=["_fbp", "_hjSessionUser_1234567"],
        storage=["ajs_anonymous_id"],
        hosts=["connect.facebook.net", "a-really-long-third-party-host-name.tracking.example"],
        first_party_hosts=set(),
    )

    # Pages that open from an email, per persona.
    eve_address = EmailAddress.objects.create(user=eve, email="eve.second@example.org", verified=False)
    return {
        "anonymous": [
            f"/accounts/confirm-email/{EmailConfirmationHMAC(eve_address).key}/",
            "/accounts/password/reset/key/1-bad-token/",
        ],
        "end_user": [
            f"/invitations/{invitation.public_id}/",
            f"/privacy/data/exports/{eve_export.public_id}/download/?t=not-the-token",
        ],
        "member": [],
        "owner": [f"/orgs/acme/exports/{org_export.public_id}/download/?t=not-the-token"],
        "support": [],
        "privacy_officer": [],
    }
