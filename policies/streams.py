"""Policy notices as an evidence stream (audit.streams), and where they differ
from the streams sealed in batches.

Consent records, sharing events and disclosures are written final, so a seal
covers "the committed rows since the last seal" (audit.sealing.seal_pending),
with one entry per row. A notice is not final when it is written: it goes
pending -> sending -> sent | failed, and only a final notice has a content hash
(and is frozen by the database). So notices are sealed per finished run
instead: when the last range of a run is done, all the notices of its version
are sealed at once (services.notice_run_finish), in id order, with no entries
table: the run's notices are the leaves. The seals form the same kind of chain
(audit.sealing.ChainedSealBase, seal_lock, seal_chain_append), but a notice
seal's hash also covers its run, as the seals already stored were hashed.

Through the registry: sealing the stream finishes and seals the next run whose
ranges are all done but which nobody marked finished
(services.notice_run_seal_next) — the normal path seals a run as its last
range finishes, so the seal task only catches up; verifying re-hashes every
notice of every sealed run (selectors.notice_seals_verify).

Its transparency log does not wait for a run to finish: each notice gets a
log entry (``NoticeEntry``) in the transaction that makes it final, hashed
over every column of the notice, and the entries are the log's rows."""

from audit.streams import EvidenceStream, StreamCheck, stream_register
from audit.transparency import LogSource

from .models import NoticeEntry
from .selectors import notice_seals_verify
from .services import notice_run_seal_next


def notice_stream_verify() -> StreamCheck:
    return StreamCheck.from_seals("notices", *notice_seals_verify())


NOTICES = stream_register(
    EvidenceStream(
        name="notices",
        items="notices",
        seal=notice_run_seal_next,
        verify=notice_stream_verify,
        # Its log follows the entries written as notices become final (models.NoticeEntry).
        # An entry has no time of its own: a notice is created moments before it is
        # sent and made final, so its creation stands for when its entry waits from.
        log=LogSource(
            NoticeEntry,
            "seq",
            "record_hash",
            "notice_id",
            "notice__created_at",
            owner_field="notice__subject_key",
        ),
    )
)
