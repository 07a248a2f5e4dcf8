import logging
import signal
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.notes import NoteError, VerifierKey
from audit.witness import Witness, WitnessRefusal

logger = logging.getLogger("audit.witness")


class Command(BaseCommand):
    help = (
        "Act as a witness of transparency logs: fetch each log's latest checkpoint, check that it "
        "extends the last one this witness cosigned (consistency proof), cosign it and send the "
        "cosignature back. A rollback, a shrink or a fork is refused and raised as an alarm (exit "
        "status 2). Keeps its key and memory in its own directory, never in the app's database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--state",
            type=Path,
            default=Path(settings.TRANSPARENCY_WITNESS_STATE),
            help="the witness's own directory: its key, its memory, its alarms (default: %(default)s)",
        )
        parser.add_argument(
            "--url",
            action="append",
            dest="urls",
            metavar="URL",
            help="a site (or its /.well-known/icentrex-transparency.json) to witness; may be repeated "
            "(default: TRANSPARENCY_WITNESS_URLS)",
        )
        parser.add_argument(
            "--log-key",
            action="append",
            dest="log_keys",
            metavar="VKEY",
            help="the logs' verifier key (default: the one first seen, pinned)",
        )
        parser.add_argument("--name", help="the witness key's name when it is made (first run)")
        parser.add_argument(
            "--print-key", action="store_true", help="print the witness's verifier key and stop"
        )
        parser.add_argument("--follow", action="store_true", help="keep witnessing until stopped")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between rounds with --follow"
        )
        parser.add_argument(
            "--forget",
            metavar="ORIGIN",
            help="drop what the witness remembers of a log (after an operator has looked into its alarm)",
        )

    def handle(self, *args, state, urls, log_keys, name, print_key, follow, interval, forget, **options):
        witness = Witness(state, name=name)
        if print_key:
            self.stdout.write(str(witness.verifier))
            return
        if forget:
            witness.logs.pop(forget, None)
            witness._save()
            self.stdout.write(f"Forgot {forget}")
            return
        try:
            pinned = [VerifierKey.parse(key) for key in log_keys or []] or None
        except NoteError as error:
            raise CommandError(f"--log-key: {error}") from None
        urls = urls or settings.TRANSPARENCY_WITNESS_URLS
        if not urls:
            raise CommandError("Nothing to witness: give --url or set TRANSPARENCY_WITNESS_URLS")
        stopping = []
        if follow:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stopping.append(True))
        alarms = 0
        while True:
            for url in urls:
                try:
                    outcomes = witness.check_site(url, log_keys=pinned)
                except WitnessRefusal as refusal:
                    self.stderr.write(f"{url}: {refusal}")
                    continue
                for outcome in outcomes:
                    self._report(outcome, quiet=follow)
                    alarms += outcome.status == "alarm"
            if not follow or stopping:
                break
            time.sleep(interval)
        if alarms and not follow:
            raise CommandError(f"{alarms} alarm(s): see {state / 'alarms.jsonl'}", returncode=2)

    def _report(self, outcome, *, quiet: bool) -> None:
        line = f"{outcome.origin} at {outcome.size}: {outcome.status}" + (
            f" ({outcome.detail})" if outcome.detail else ""
        )
        if outcome.status == "alarm":
            logger.error("Witness alarm: %s", line)
            self.stderr.write(self.style.ERROR(line))
        elif outcome.status == "refused":
            logger.warning("Witness refused: %s", line)
            self.stderr.write(self.style.WARNING(line))
        elif not quiet or outcome.status == "cosigned" and self.verbosity > 1:
            self.stdout.write(line)
