from django.core.management.base import BaseCommand, CommandError

from audit.streams import EvidenceStream, StreamCheck, UnknownStream, evidence_streams, stream_names


class Command(BaseCommand):
    help = (
        "Verify the evidence streams (all, or those named): the audit trail's hash chain, and each "
        "sealed stream's seal chain, Merkle roots and every sealed row. One line per stream, naming "
        "the first broken seal or row; exit status 1 when any stream is broken."
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

    def handle(self, *args, streams=None, **options):
        try:
            selected = evidence_streams(streams)
        except UnknownStream as error:
            raise CommandError(str(error)) from None
        broken = []
        for stream in selected:
            check = stream.verify()
            line = report_line(stream, check)
            if check.intact:
                self.stdout.write(self.style.SUCCESS(line))
            else:
                self.stdout.write(self.style.ERROR(line))
                broken.append(line)
        if broken:
            raise CommandError(
                f"{len(broken)} of {len(selected)} evidence streams broken:\n" + "\n".join(broken)
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
