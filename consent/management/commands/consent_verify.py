from django.core.management.base import BaseCommand, CommandError

from consent.selectors import consent_seals_verify


class Command(BaseCommand):
    help = "Verify the consent seals: chain, Merkle roots and every sealed record (exit status 1 on a break)."

    def handle(self, *args, **options):
        seals, records, broken = consent_seals_verify()
        if broken:
            raise CommandError(f"Consent seal {broken.seal_id} broken: {broken.reason}.")
        self.stdout.write(
            self.style.SUCCESS(f"Consent seals intact: {seals} seals, {records} records verified.")
        )
