import logging

from celery import shared_task

from .logverify import log_verify
from .partitions import partitions_ensure
from .streams import evidence_streams, logged_streams, stream_seal
from .transparency import log_integrate_all

logger = logging.getLogger(__name__)


@shared_task
def evidence_seal(stream: str | None = None) -> dict[str, int]:
    """Celery beat, every SEAL_INTERVAL_SECONDS: seal what each evidence stream
    (or the one named) has pending, batch after batch until nothing is left;
    returns how many rows each stream had sealed. Idempotent: a row is in at
    most one seal (unique constraint), and one sealer at a time runs per
    stream (its advisory lock), so overlapping runs only wait for each other.
    A stream that fails does not keep the others unsealed; the task still
    fails, after them, so the error is seen."""
    sealed: dict[str, int] = {}
    failure = None
    for evidence in evidence_streams(None if stream is None else [stream]):
        if evidence.seal is None and stream is None:
            continue  # chained row by row as it is written
        try:
            sealed[evidence.name] = stream_seal(evidence.name)
        except Exception as error:
            logger.exception("Sealing the %s evidence stream failed", evidence.name)
            failure = failure or error
    if failure is not None:
        raise failure
    return sealed


@shared_task
def evidence_verify(stream: str | None = None) -> dict[str, dict]:
    """Celery beat, nightly: verify every evidence stream (or the one named),
    and its transparency log from where the last verification left it;
    a break is logged as an error, one per broken stream, so monitoring picks
    it up. Read-only, so safe to repeat; a stream whose check fails does not
    keep the others unchecked."""
    report: dict[str, dict] = {}
    failure = None
    for evidence in evidence_streams(None if stream is None else [stream]):
        try:
            check = evidence.verify()
        except Exception as error:
            logger.exception("Verifying the %s evidence stream failed", evidence.name)
            failure = failure or error
            continue
        if check.broken is not None:
            logger.error("Evidence stream %s broken at %s", check.stream, check.broken)
        report[check.stream] = check.as_dict()
        if evidence.log is not None:
            try:
                logged = log_verify(evidence)
            except Exception as error:
                logger.exception("Verifying the %s transparency log failed", evidence.name)
                failure = failure or error
                continue
            if logged.broken is not None:
                logger.error("Transparency log %s broken at %s", logged.stream, logged.broken)
            report[check.stream]["log"] = logged.as_dict()
    if failure is not None:
        raise failure
    return report


@shared_task
def transparency_integrate(sweep: bool = False) -> dict[str, int]:
    """Celery beat, every minute, and nightly with ``sweep``: the safety net
    under the integrator process (``manage.py transparency_integrate
    --follow``), which integrates within a second. Idempotent: a row is a leaf
    once (unique constraint) and one integrator at a time holds a stream (the
    others step aside), so it costs nothing when the integrator is running."""
    added = {}
    for stream in logged_streams():
        added[stream.name] = log_integrate_all(stream.name, stream.log, sweep=sweep)
    return added


@shared_task
def partitions_ahead() -> list[str]:
    """Celery beat, daily: every partitioned evidence table has its monthly
    partitions PARTITIONS_AHEAD_MONTHS ahead (audit.partitions). Idempotent:
    what exists is left alone; the partitions it made."""
    return partitions_ensure()
