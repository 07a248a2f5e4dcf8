from django.core.management.base import BaseCommand, CommandError

from audit.logverify import LogCheck, log_verify
from audit.streams import EvidenceStream, StreamCheck, UnknownStream, evidence_streams, stream_names


class Command(BaseCommand):
    help = (
        "Verify the evidence streams (all, or those named): the audit trail's hash chain, and each "
        "sealed stream's seal chain, Merkle roots and every sealed row. One line per stream, naming "
        "the first broken seal or row; then each stream's transparency log: checkpoint signatures, "
        "roots, leaves against rows, since the last verification that passed (--full: from the first "
        "leaf). Exit status 1 when any stream or log is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stream",
            action="extend",
            nargs="+",
            metavar="NAME",
            dest="streams",
            help=f"only these streams ({', '.join(stream_names())}); may be repeated",
        )
        parser.add_argument("--full", action="store_true", help="verify each log from its first leaf")
        parser.add_argument(
            "--workers", type=int, default=1, help="processes that re-hash rows in a full audit (default 1)"
        )

    def handle(self, *args, streams=None, full=False, workers=1, **options):
        try:
            selected = evidence_streams(streams)
        except UnknownStream as error:
            raise CommandError(str(error)) from None
        broken, broken_streams = [], set()
        checks: list = [(stream, stream.verify()) for stream in selected]
        checks += [
            (stream, log_verify(stream, full=full, workers=workers)) for stream in selected if stream.log
        ]
        for stream, check in checks:
            line = report_line(stream, check) if isinstance(check, StreamCheck) else log_report_line(check)
            if check.intact:
                self.stdout.write(self.style.SUCCESS(line))
            else:
                self.stdout.write(self.style.ERROR(line))
                broken.append(line)
                broken_streams.add(stream.name)
        if broken:
            raise CommandError(
                f"{len(broken_streams)} of {len(selected)} evidence streams broken:\n" + "\n".join(broken)
            )


def report_line(stream: EvidenceStream, check: StreamCheck) -> str:
    """``consent: intact, 2 seals and 9 records verified.`` or
    ``audit: broken at event 7: <reason>. 6 events verified before it.``"""
    counts = _count(check.items, stream.items)
    if stream.seal is not None:
        counts = f"{_count(check.seals, 'seals')} and {counts}"
    if check.broken is None:
        return f"{check.stream}: intact, {counts} verified."
    return f"{check.stream}: broken at {check.broken}. {counts} verified before it."


def _count(number: int, plural: str) -> str:
    return f"{number} {plural.removesuffix('s') if number == 1 else plural}"


def log_report_line(check: LogCheck) -> str:
    """``consent log: intact at 1200 leaves; 200 new leaves and 3 checkpoints verified.``"""
    leaves = _count(check.leaves, "leaves" if check.full else "new leaves")
    read = f"{leaves} and {_count(check.checkpoints, 'checkpoints')}"
    if check.broken is None:
        return f"{check.stream} log: intact at {check.size} leaves; {read} verified."
    return f"{check.stream} log: broken at {check.broken}. {read} read before it."
