"""Consent records as an evidence stream (audit.streams): sealed in batches of
the committed records no seal covers yet (Celery beat, every minute). Inserts
never wait for this: records still in flight are invisible to the sealer and
are sealed by the next run. A retention purge may delete a sealed prefix
(consent.services.consent_retention_apply)."""

from audit.partitions import PartitionedTable, partitioned_table_register
from audit.streams import batch_sealed_stream, stream_register

from .models import ConsentRecord, ConsentSeal, ConsentSealEntry

CONSENT = stream_register(
    batch_sealed_stream(
        name="consent",
        items="records",
        records=ConsentRecord,
        seals=ConsentSeal,
        entries=ConsentSealEntry,
        record_id="record_id",
        time_field="recorded_at",
        lock_id=0xC0715E41,
        retention_pruned=True,
    )
)

# Grows with traffic: partitioned by month, so retention drops whole months (audit.partitions).
CONSENT_PARTITIONS = partitioned_table_register(
    PartitionedTable(ConsentRecord._meta.db_table, "recorded_at", "consent")
)
