"""The sharing log as an evidence stream (audit.streams): sharing events are
sealed in batches of the committed events no seal covers yet, like consent
records."""

from audit.partitions import PartitionedTable, partitioned_table_register
from audit.streams import batch_sealed_stream, stream_register

from .models import (
    SharingEvent,
    SharingSeal,
    SharingSealEntry,
    SubprocessorEvidence,
    SubprocessorSeal,
    SubprocessorSealEntry,
)

SHARING = stream_register(
    batch_sealed_stream(
        name="sharing",
        items="events",
        records=SharingEvent,
        seals=SharingSeal,
        entries=SharingSealEntry,
        record_id="event_id",
        time_field="occurred_at",
        lock_id=0x5AA2E5EA,
    )
)

# Sub-processor notices sent and objections raised: sealed the same way. A
# record is "about" the person who raised an objection (their receipt).
SUBPROCESSORS = stream_register(
    batch_sealed_stream(
        name="subprocessors",
        items="records",
        records=SubprocessorEvidence,
        seals=SubprocessorSeal,
        entries=SubprocessorSealEntry,
        record_id="record_id",
        time_field="occurred_at",
        lock_id=0x5B9C0DE5,
        owner_field="raised_by_subject",
    )
)

# Grows with traffic: partitioned by month, so retention drops whole months (audit.partitions).
partitioned_table_register(PartitionedTable(SharingEvent._meta.db_table, "occurred_at", "sharing"))
