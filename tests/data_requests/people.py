"""A person with data of every kind the product keeps, made through the real
services (so the evidence is sealed and chained as in production), and a scan
of every text column of the database for what identifies them."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.services import api_token_create, user_update_profile
from audit.streams import stream_seal
from consent.models import ConsentRecord
from consent.services import consent_link_visitor, consent_record
from cookies.selectors import current_revision
from domains.models import DomainClaim
from integrations.models import Provider
from integrations.services import installation_create, processor_shares_record
from organizations.models import Membership, Organization, Team, TeamMembership
from organizations.services import invitation_create, organization_create
from policies.models import PolicyDocument
from policies.selectors import version_in_force
from policies.services import notice_chunk_deliver, notice_run_plan, policy_accept, policy_draft_create
from subjects.services import subject_key_for_user
from support.services import (
    case_add_internal_note,
    case_open,
    case_reply_by_staff,
    case_share,
    minor_report_create,
    privacy_question_create,
)
from tests.domains.disclosure_support import run_now
from tests.factories import UserFactory

NAME = "Zelda Quintrell"
EMAIL = "zelda.quintrell@acme.example"
SECOND_EMAIL = "zq.private@mailbox.example"


@dataclass
class RichPerson:
    user: User
    key: uuid.UUID
    visitor_key: uuid.UUID
    agent: User
    officer: User
    northwind: Organization


def staff(email: str, group: str) -> User:
    user = UserFactory(email=email, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def make_rich_person(
    *, acme_owner: Membership, acme_admin: Membership, globex_owner: Membership
) -> RichPerson:
    acme = acme_owner.organization
    officer = staff("po@icentrex.example", "privacy_officer")
    agent = staff("agent@icentrex.example", "support")
    user = UserFactory(
        email=EMAIL, name="Z. Q.", language="sv", date_joined=timezone.now() - timedelta(days=400)
    )
    user_update_profile(
        actor=user, user=user, name=NAME, language="sv"
    )  # a sealed old/new name in the audit trail
    EmailAddress.objects.create(user=user, email=SECOND_EMAIL, verified=True, primary=False)
    key = subject_key_for_user(user=user)

    # Organisations: a member of Acme (team Design), the only member of Northwind.
    membership = Membership.objects.create(organization=acme, user=user, role="member")
    design = Team.objects.get_or_create(organization=acme, slug="design", defaults={"name": "Design"})[0]
    TeamMembership.objects.create(team=design, membership=membership)
    TeamMembership.objects.get_or_create(team=design, membership=acme_admin, defaults={"role": "team_admin"})
    northwind = organization_create(actor=user, name="Northwind", slug="northwind")
    invitation_create(actor=globex_owner, email=SECOND_EMAIL, role="member")

    # Security.
    api_token_create(actor=user, name="laptop script")
    TOTP.activate(user, generate_totp_secret())

    # Cookie consent: the account's own decisions, and a device linked to it.
    revision = current_revision()
    consent_record(
        subject_key=key, subject_type="account", method="banner_accept_all",
        revision_hash=revision.content_hash, signals={"gpc": False, "dnt": None},
        page_url="https://acme.example/", language="sv",
    )  # fmt: skip
    visitor_key = uuid.uuid4()
    consent_record(
        subject_key=visitor_key, subject_type="visitor", method="banner_reject_all",
        revision_hash=revision.content_hash, signals={}, new_subject=True,
    )  # fmt: skip
    consent_link_visitor(visitor_key=visitor_key, account_subject_key=key)
    stream_seal("consent")

    # A policy change notice (email and in-app) and an acceptance.
    document = PolicyDocument.objects.get(slug="privacy")
    version = policy_draft_create(
        actor=officer, document=document,
        body=version_in_force(document=document).body + "\n\nNew clause.\n",
        summary="We keep support tickets for two years.", effective_at=timezone.now(),
        material=True, publish=True,
    )  # fmt: skip
    for chunk_id in notice_run_plan(run_id=version.notice_run.pk):
        notice_chunk_deliver(chunk_id=chunk_id)
    policy_accept(user=user, version=version, how="api")

    # Integrations: one of her own, one the team admin added for Design, and the email vendor.
    installation_create(
        user=user, provider=Provider.objects.get(slug="calendar-sync"),
        fields=["identity.id", "identity.name", "identity.email"], membership=membership,
    )  # fmt: skip
    installation_create(
        user=acme_admin.user, provider=Provider.objects.get(slug="standup-bot"),
        fields=["identity.id", "identity.name", "team.name"], membership=acme_admin, team=design,
    )  # fmt: skip
    processor_shares_record(
        provider_slug=settings.EMAIL_VENDOR_PROVIDER, subject_keys=[key], fields=["identity.email"],
        purpose="Sending you policy notices",
    )  # fmt: skip
    stream_seal("sharing")

    # Her work address disclosed to Acme, which verified acme.example.
    now = timezone.now()
    DomainClaim.objects.create(
        organization=acme, domain="acme.example", token="t", status="verified", verified_at=now,
        disclosures_from=now - timedelta(minutes=1),
    )  # fmt: skip
    run_now()
    stream_seal("disclosures")

    # Support: a case shared (masked) with Acme, one that was not, a privacy question,
    # a report she sent about a child, and one about her.
    case = case_open(
        actor=user, subject=f"Login trouble for {NAME}",
        body=f"Hi, I am {NAME} ({EMAIL}). My SSO login fails since Monday.", organization=acme,
    )  # fmt: skip
    case_reply_by_staff(actor=agent, case=case, body="Thanks, we are looking into it.")
    case_add_internal_note(actor=agent, case=case, body="Check the SSO logs for this tenant.")
    case_share(actor=agent, case=case)
    case_open(actor=user, subject="Billing", body=f"Regards, {NAME}")
    privacy_question_create(
        actor=None,
        name=NAME,
        email=SECOND_EMAIL,
        subject="My data",
        message=f"What do you keep about {NAME}?",
    )
    minor_report_create(
        actor=None, reporter_email=EMAIL, reported_email="kid@example.org", reported_details="",
        description=f"My neighbour's child. Sent by {NAME}.",
    )  # fmt: skip
    minor_report_create(
        actor=None, reporter_email="worried@example.org", reported_email=EMAIL, reported_details=NAME,
        description=f"{NAME} says she is in year 6.",
    )  # fmt: skip
    return RichPerson(
        user=user, key=key, visitor_key=visitor_key, agent=agent, officer=officer, northwind=northwind
    )


def text_columns() -> list[tuple[str, str]]:
    """(table, column) of every text, character and JSON column in the database."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public'
              AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')
            ORDER BY table_name, column_name
            """
        )
        return cursor.fetchall()


def scan_for(*needles: str) -> list[tuple[str, str, str]]:
    """Every (table, column, needle) where a needle occurs, in any case."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for needle in needles:
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                    ["%" + needle.replace("%", r"\%").replace("_", r"\_") + "%"],
                )
                if cursor.fetchone():
                    found.append((table, column, needle))
    return found


def consent_records_of(person: RichPerson) -> int:
    return ConsentRecord.objects.filter(subject_key__in=[person.key, person.visitor_key]).count()
