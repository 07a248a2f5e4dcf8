from django.core.management.base import BaseCommand, CommandError

from policies.selectors import notice_seals_verify


class Command(BaseCommand):
    help = "Verify the policy-notice seals: chain, Merkle roots, every sealed notice (exit 1 on a break)."

    def handle(self, *args, **options):
        seals, broken = notice_seals_verify()
        if broken:
            raise CommandError(f"Notice seal {broken.seal_id} broken: {broken.reason}.")
        self.stdout.write(self.style.SUCCESS(f"Policy-notice seals intact: {seals} runs verified."))
