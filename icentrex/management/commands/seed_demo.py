from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.staff_roles import StaffRole
from domains.models import DisclosureRun, DomainClaim
from domains.services import disclosure_run_start
from integrations.models import Provider
from integrations.seed import INTEGRATIONS
from organizations.models import Membership, Organization, Team, TeamMembership
from organizations.roles import OrgRole, TeamRole

DEMO_PASSWORD = "demo-privacy-2026"

# email, name, staff roles (Django groups)
DEMO_PEOPLE = [
    ("owner@acme.example", "Astrid Owner", []),
    ("admin@acme.example", "Anders Admin", []),
    ("member@acme.example", "Maja Member", []),
    ("guest@acme.example", "Gustav Guest", []),
    ("owner@globex.example", "Greta Globex", []),
    ("support@icentrex.example", "Sam Support", [StaffRole.SUPPORT]),
    ("privacy@icentrex.example", "Petra Privacy Officer", [StaffRole.PRIVACY_OFFICER]),
]
# slug, name, [(email, role, primary owner, {team: team role})]
DEMO_ORGANIZATIONS = [
    (
        "acme",
        "Acme AB",
        [
            ("owner@acme.example", OrgRole.OWNER, True, {"Design": TeamRole.TEAM_ADMIN}),
            ("admin@acme.example", OrgRole.ADMIN, False, {"Engineering": TeamRole.TEAM_ADMIN}),
            ("member@acme.example", OrgRole.MEMBER, False, {"Engineering": TeamRole.MEMBER}),
            ("guest@acme.example", OrgRole.GUEST, False, {"Design": TeamRole.MEMBER}),
        ],
    ),
    (
        "globex",
        "Globex Nordic",
        [
            ("owner@globex.example", OrgRole.OWNER, True, {"Sales": TeamRole.TEAM_ADMIN}),
            ("member@acme.example", OrgRole.GUEST, False, {"Sales": TeamRole.MEMBER}),
        ],
    ),
]


class Command(BaseCommand):
    help = "Create demo people, staff and organisations (idempotent) and print the sign-ins."

    @transaction.atomic
    def handle(self, *args, **options):
        groups = {role: Group.objects.get_or_create(name=role)[0] for role in StaffRole}
        # Privacy officers edit the cookie declaration (in the admin, which publishes revisions).
        groups[StaffRole.PRIVACY_OFFICER].permissions.add(
            *Permission.objects.filter(
                content_type__app_label="cookies", codename__regex=r"^(add|change|delete|view)_cookie"
            )
        )
        people = {}
        for email, name, staff_groups in DEMO_PEOPLE:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "name": name,
                    "is_staff": bool(staff_groups),
                    "age_check_passed_at": timezone.now(),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            user.groups.add(*(groups[g] for g in staff_groups))
            people[email] = user

        # Seeding writes rows directly: these are fixtures, not actions anyone took,
        # so they are not in the audit trail.
        for slug, org_name, members in DEMO_ORGANIZATIONS:
            organization, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": org_name})
            for email, role, primary, teams in members:
                membership, _ = Membership.objects.get_or_create(
                    organization=organization,
                    user=people[email],
                    defaults={"role": role, "is_primary_owner": primary},
                )
                for team_name, team_role in teams.items():
                    team, _ = Team.objects.get_or_create(
                        organization=organization, slug=team_name.lower(), defaults={"name": team_name}
                    )
                    TeamMembership.objects.get_or_create(
                        team=team, membership=membership, defaults={"role": team_role}
                    )

        self._point_integrations_at_local_receiver()
        self._verify_demo_domain()

        width = max(len(email) for email, _, _ in DEMO_PEOPLE)
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins (password for all: {DEMO_PASSWORD})"))
        roles = {}
        for slug, _, members in DEMO_ORGANIZATIONS:
            for email, role, primary, _teams in members:
                roles.setdefault(email, []).append(f"{'primary ' if primary else ''}{role} of {slug}")
        for email, name, staff_groups in DEMO_PEOPLE:
            what = ", ".join(roles.get(email, []) + [f"staff: {g}" for g in staff_groups])
            self.stdout.write(f"  {email.ljust(width)}  {name} ({what})")

    def _point_integrations_at_local_receiver(self):
        """The seeded integrations' endpoints are fictional hosts; with DEBUG on,
        the app serves a receiver for them itself (/dev/webhooks/), so deliveries,
        retries and the sharing log can be watched working. Endpoints someone
        changed by hand are left alone."""
        if not settings.DEBUG:
            return
        base = settings.SITE_URL.rstrip("/")
        for data in INTEGRATIONS:
            local = f"{base}/dev/webhooks/{data['slug']}/"
            Provider.objects.filter(
                Q(webhook_url=data["webhook_url"]) | Q(webhook_url__contains="/dev/webhooks/"),
                slug=data["slug"],
            ).update(webhook_url=local)

    def _verify_demo_domain(self):
        """Verification asks public DNS, which a machine offline cannot: Acme's
        claim to acme.example is seeded as verified a day ago, and its disclosure
        run is started, so members see what was shared with their organisation."""
        acme = Organization.objects.get(slug="acme")
        if DomainClaim.objects.filter(organization=acme, domain="acme.example").exists():
            return
        day_ago = timezone.now() - timedelta(days=1)
        DomainClaim.objects.create(
            organization=acme,
            domain="acme.example",
            token="demo-seeded-no-dns-record",
            status=DomainClaim.Status.VERIFIED,
            created_by=acme.memberships.get(is_primary_owner=True).user,
            verified_at=day_ago,
            last_checked_at=day_ago,
            last_check_result="verified",
            disclosures_from=day_ago,
        )
        disclosure_run_start(trigger=DisclosureRun.Trigger.DOMAIN_VERIFIED, organization=acme)
