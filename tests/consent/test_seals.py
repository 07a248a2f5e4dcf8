import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from consent import services, tasks
from consent.models import ConsentRecord, ConsentSeal, ConsentSealEntry
from consent.selectors import consent_seals_verify, receipt_of
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
    services.consent_seal_pending()
    second = [record("banner_reject_all") for _ in range(4)]
    services.consent_seal_pending()
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
    assert consent_seals_verify() == (2, 9, None)
    assert services.consent_seal_pending() is None  # nothing left to seal
    assert receipt_of(sealed[0])["sealed"] is True
    call_command("consent_verify")


def test_an_edited_sealed_record_is_detected(sealed):
    raw(
        "UPDATE consent_consentrecord SET choices = %s WHERE seq = %s",
        ['{"necessary": true, "preferences": false, "analytics": false, "marketing": false}', sealed[1].seq],
    )
    _seals, _records, broken = consent_seals_verify()
    assert broken.seal_id == ConsentSeal.objects.order_by("id").first().id and "edited" in broken.reason
    with pytest.raises(CommandError, match="edited"):
        call_command("consent_verify")


def test_a_deleted_sealed_record_is_detected(sealed):
    raw("DELETE FROM consent_consentrecord WHERE seq = %s", [sealed[6].seq])
    assert "deleted" in consent_seals_verify()[2].reason


def test_reordered_sealed_records_are_detected(sealed):
    a, b = sealed[2].seq, sealed[3].seq
    raw("UPDATE consent_consentrecord SET seq = -1 WHERE seq = %s", [a])
    raw("UPDATE consent_consentrecord SET seq = %s WHERE seq = %s", [a, b])
    raw("UPDATE consent_consentrecord SET seq = %s WHERE seq = -1", [b])
    assert "edited or moved" in consent_seals_verify()[2].reason


def test_a_tampered_seal_entry_is_detected(sealed):
    raw("DELETE FROM consent_consentsealentry WHERE record_seq = %s", [sealed[0].seq])
    assert "Merkle root" in consent_seals_verify()[2].reason


def test_the_seal_task_is_idempotent():
    for _ in range(3):
        record()
    assert tasks.consent_seal() == 3
    assert tasks.consent_seal() == 0
    assert ConsentSealEntry.objects.count() == ConsentRecord.objects.count() == 3
