"""Email disclosures as an evidence stream (audit.streams): sealed in batches
of the committed disclosures no seal covers yet, like consent records (the
disclosure job writes them with COPY; the seal task picks them up)."""

from audit.streams import batch_sealed_stream, stream_register

from .models import DisclosureSeal, DisclosureSealEntry, EmailDisclosure

DISCLOSURES = stream_register(
    batch_sealed_stream(
        name="disclosures",
        items="disclosures",
        records=EmailDisclosure,
        seals=DisclosureSeal,
        entries=DisclosureSealEntry,
        record_id="disclosure_id",
        time_field="disclosed_at",
        lock_id=0x1CE7_0D15,
    )
)
