import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from audit.streams import UnknownStream, evidence_streams, logged_streams
from audit.transparency import log_integrate_all

logger = logging.getLogger("audit.transparency")


class Command(BaseCommand):
    help = (
        "Append the evidence rows committed since the last run to each stream's transparency log "
        "and sign a checkpoint of every log that grew. With --follow, keep doing so every "
        "TRANSPARENCY_INTEGRATE_INTERVAL_SECONDS until stopped: the integrator process of the Procfile."
    )

    def add_arguments(self, parser):
        parser.add_argument("--follow", action="store_true", help="run until stopped (SIGINT or SIGTERM)")
        parser.add_argument(
            "--interval", type=float, help="seconds between runs with --follow (default: the setting)"
        )
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="also look below what each log has integrated, for rows that committed very late",
        )
        parser.add_argument("--stream", action="extend", nargs="+", metavar="NAME", dest="streams")

    def handle(self, *args, follow=False, interval=None, sweep=False, streams=None, verbosity=1, **options):
        try:
            selected = (
                [s for s in evidence_streams(streams) if s.log is not None] if streams else logged_streams()
            )
        except UnknownStream as error:
            raise CommandError(str(error)) from None
        if not follow:
            for stream in selected:
                added = log_integrate_all(stream.name, stream.log, sweep=sweep)
                if verbosity:
                    self.stdout.write(f"{stream.name}: {added} new entries")
            return
        interval = settings.TRANSPARENCY_INTEGRATE_INTERVAL_SECONDS if interval is None else interval
        stopping = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.append(True))
        self.stdout.write(f"Integrating {', '.join(s.name for s in selected)} every {interval:g} s")
        self.stdout.flush()
        while not stopping:
            started = time.monotonic()
            close_old_connections()
            for stream in selected:
                try:
                    added = log_integrate_all(stream.name, stream.log, sweep=sweep)
                except Exception:
                    # A database restart or a broken row must not stop the others, or the
                    # next run: say so, drop the connection, and carry on.
                    logger.exception("Integrating the %s log failed", stream.name)
                    close_old_connections()
                    continue
                if added and verbosity > 1:
                    self.stdout.write(f"{stream.name}: {added} new entries")
            sweep = False
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
