import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.streams import StreamCheck, stream_seal, stream_verify
from audit.tasks import evidence_seal
from consent import services
from consent.models import ConsentRecord, ConsentSeal, ConsentSealEntry
from consent.selectors import receipt_of
from cookies.selectors import current_revision

pytestmark = pytest.mark.django_db
SIGNALS = {"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""}


def record(method="banner_accept_all"):
    return services.consent_record(
        subject_key=uuid.uuid4(),
        subject_type="visitor",
        method=method,
        revision_hash=current_revision().content_hash,
        signals=SIGNALS,
    )


@pytest.fixture
def sealed():
    first = [record() for _ in range(5)]
    stream_seal("consent")
    second = [record("banner_reject_all") for _ in range(4)]
    stream_seal("consent")
    return first + second


def raw(sql, params=()):
    """What someone with database superuser access could do: bypass the triggers."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = origin")


def test_batches_are_sealed_and_chained(sealed):
    first, second = ConsentSeal.objects.order_by("id")
    assert (first.record_count, second.record_count) == (5, 4)
    assert second.prev_hash == first.hash
    assert stream_verify("consent") == StreamCheck("consent", items=9, seals=2, broken=None)
    assert stream_seal("consent") == 0 and ConsentSeal.objects.count() == 2  # nothing left to seal
    # "sealed" on a receipt: in a signed checkpoint of the log, which sealing also fills.
    assert receipt_of(sealed[0])["sealed"] is True
    out = StringIO()
    call_command("evidence_verify", "--stream", "consent", stdout=out)
    assert out.getvalue() == (
        "consent: intact, 2 seals and 9 records verified.\n"
        "consent log: intact at 9 leaves; 9 new leaves and 2 checkpoints verified.\n"
    )


def test_an_edited_sealed_record_is_detected(sealed):
    raw(
        "UPDATE consent_consentrecord SET choices = %s WHERE seq = %s",
        ['{"necessary": true, "preferences": false, "analytics": false, "marketing": false}', sealed[1].seq],
    )
    broken = stream_verify("consent").broken
    assert broken.id == ConsentSeal.objects.order_by("id").first().id and "edited" in broken.reason
    with pytest.raises(CommandError, match="edited"):
        call_command("evidence_verify", "--stream", "consent", stdout=StringIO())


def test_a_deleted_sealed_record_is_detected(sealed):
    raw("DELETE FROM consent_consentrecord WHERE seq = %s", [sealed[6].seq])
    assert "deleted" in stream_verify("consent").broken.reason


def test_reordered_sealed_records_are_detected(sealed):
    a, b = sealed[2].seq, sealed[3].seq
    raw("UPDATE consent_consentrecord SET seq = -1 WHERE seq = %s", [a])
    raw("UPDATE consent_consentrecord SET seq = %s WHERE seq = %s", [a, b])
    raw("UPDATE consent_consentrecord SET seq = %s WHERE seq = -1", [b])
    assert "edited or moved" in stream_verify("consent").broken.reason


def test_a_tampered_seal_entry_is_detected(sealed):
    raw("DELETE FROM consent_consentsealentry WHERE record_seq = %s", [sealed[0].seq])
    assert "Merkle root" in stream_verify("consent").broken.reason


def test_the_seal_task_is_idempotent():
    for _ in range(3):
        record()
    assert evidence_seal("consent") == {"consent": 3}
    assert evidence_seal("consent") == {"consent": 0}
    assert ConsentSealEntry.objects.count() == ConsentRecord.objects.count() == 3
