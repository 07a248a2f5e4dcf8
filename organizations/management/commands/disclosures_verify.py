from django.core.management.base import BaseCommand, CommandError

from organizations.selectors import disclosure_seals_verify


class Command(BaseCommand):
    help = (
        "Verify the email-disclosure seals: chain, Merkle roots, every sealed disclosure (exit 1 on a break)."
    )

    def handle(self, *args, **options):
        seals, records, broken = disclosure_seals_verify()
        if broken:
            raise CommandError(f"Disclosure seal {broken.seal_id} broken: {broken.reason}.")
        self.stdout.write(
            self.style.SUCCESS(f"Disclosure seals intact: {seals} seals, {records} disclosures verified.")
        )
