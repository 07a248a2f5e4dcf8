from django.core.management.base import BaseCommand, CommandError

from integrations.selectors import sharing_seals_verify


class Command(BaseCommand):
    help = "Verify the sharing-log seals: chain, Merkle roots, every sealed event (exit 1 on a break)."

    def handle(self, *args, **options):
        seals, events, broken = sharing_seals_verify()
        if broken:
            raise CommandError(f"Sharing seal {broken.seal_id} broken: {broken.reason}.")
        self.stdout.write(
            self.style.SUCCESS(f"Sharing-log seals intact: {seals} seals, {events} events verified.")
        )
