from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User

DEMO_PASSWORD = "demo-privacy-2026"

# Organisation roles attach to these people once organisations exist (issue 3);
# until then they are ordinary verified accounts with telling names.
DEMO_PEOPLE = [
    ("owner@acme.example", "Astrid Owner", []),
    ("admin@acme.example", "Anders Admin", []),
    ("member@acme.example", "Maja Member", []),
    ("guest@acme.example", "Gustav Guest", []),
    ("owner@globex.example", "Greta Globex", []),
    ("support@icentrex.example", "Sam Support", ["support"]),
    ("privacy@icentrex.example", "Petra Privacy Officer", ["privacy_officer"]),
]
STAFF_GROUPS = ["support", "privacy_officer"]


class Command(BaseCommand):
    help = "Create demo people and staff (idempotent) and print their sign-ins."

    @transaction.atomic
    def handle(self, *args, **options):
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in STAFF_GROUPS}
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

        width = max(len(email) for email, _, _ in DEMO_PEOPLE)
        self.stdout.write(self.style.SUCCESS(f"Demo sign-ins (password for all: {DEMO_PASSWORD})"))
        for email, name, staff_groups in DEMO_PEOPLE:
            role = ", ".join(staff_groups) or "person"
            self.stdout.write(f"  {email.ljust(width)}  {name} ({role})")
