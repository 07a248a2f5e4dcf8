from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from organizations.models import Membership, Organization, Team, TeamMembership
from organizations.roles import OrgRole, TeamRole

DEMO_PASSWORD = "demo-privacy-2026"
STAFF_GROUPS = ["support", "privacy_officer"]

# email, name, staff groups
DEMO_PEOPLE = [
    ("owner@acme.example", "Astrid Owner", []),
    ("admin@acme.example", "Anders Admin", []),
    ("member@acme.example", "Maja Member", []),
    ("guest@acme.example", "Gustav Guest", []),
    ("owner@globex.example", "Greta Globex", []),
    ("support@icentrex.example", "Sam Support", ["support"]),
    ("privacy@icentrex.example", "Petra Privacy Officer", ["privacy_officer"]),
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
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in STAFF_GROUPS}
        # Privacy officers edit the cookie declaration (in the admin, which publishes revisions).
        groups["privacy_officer"].permissions.add(
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

        width = max(len(email) for email, _, _ in DEMO_PEOPLE)
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins (password for all: {DEMO_PASSWORD})"))
        roles = {}
        for slug, _, members in DEMO_ORGANIZATIONS:
            for email, role, primary, _teams in members:
                roles.setdefault(email, []).append(f"{'primary ' if primary else ''}{role} of {slug}")
        for email, name, staff_groups in DEMO_PEOPLE:
            what = ", ".join(roles.get(email, []) + [f"staff: {g}" for g in staff_groups])
            self.stdout.write(f"  {email.ljust(width)}  {name} ({what})")
