"""Verifying the transparency logs (audit.logverify): routine verification
goes on from the last one that passed and reads only new leaves; a full
audit reads everything, in parallel processes if asked; both check
signatures, roots, tiles, and every leaf against its row."""

from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.logverify import Frontier, log_verify
from audit.models import LogCheckpoint, LogTile, LogVerification
from audit.streams import evidence_stream, logged_streams
from audit.transparency import log_integrate_all
from consent.models import ConsentRecord
from subjects.services import subject_shred
from tests.audit.test_transparency import record
from tests.tamper import bypass_triggers, logged_rows_of_every_stream

pytestmark = pytest.mark.django_db
CONSENT = evidence_stream("consent")


def integrate() -> None:
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)


def test_the_compact_range_gives_every_root_of_the_growing_tree():
    from audit import tlog

    frontier, leaves = Frontier(), []
    for i in range(300):
        leaf = tlog.leaf_hash(i.to_bytes(4, "big"))
        leaves.append(leaf)
        frontier.append(leaf)
        assert frontier.root() == tlog.root_from_leaf_hashes(leaves)
        assert Frontier.load(frontier.size, frontier.dump()).root() == frontier.root()


def test_routine_verification_reads_only_the_leaves_added_since_the_last_one():
    for _ in range(5):
        record()
    integrate()
    first = log_verify(CONSENT)
    assert first.intact and (first.size, first.leaves) == (5, 5)
    for _ in range(3):
        record()
    integrate()
    second = log_verify(CONSENT)
    assert second.intact and (second.size, second.leaves) == (8, 3)
    assert LogVerification.objects.filter(stream="consent").count() == 2
    again = log_verify(CONSENT)
    assert again.intact and again.leaves == 0


def test_every_stream_verifies_routine_and_full():
    logged_rows_of_every_stream()
    integrate()
    for stream in logged_streams():
        assert log_verify(stream).intact, stream.name
        assert log_verify(stream, full=True).intact, stream.name


def test_an_edited_row_fails_the_full_audit():
    records = [record() for _ in range(4)]
    integrate()
    assert log_verify(CONSENT).intact
    bypass_triggers("UPDATE consent_consentrecord SET language = 'xx' WHERE seq = %s", [records[1].seq])
    check = log_verify(CONSENT, full=True)
    assert check.broken.unit == "leaf" and check.broken.id == 1 and "edited" in check.broken.reason


def test_a_rehashed_row_fails_against_its_leaf():
    records = [record() for _ in range(3)]
    integrate()
    row = ConsentRecord.objects.get(seq=records[2].seq)
    row.language = "xx"
    bypass_triggers(
        "UPDATE consent_consentrecord SET language = 'xx', record_hash = %s WHERE seq = %s",
        [row.compute_hash(), row.seq],
    )
    check = log_verify(CONSENT, full=True)
    assert check.broken.id == 2 and "not the one logged" in check.broken.reason


def test_a_rolled_back_log_fails_routine_verification():
    for _ in range(4):
        record()
    integrate()
    assert log_verify(CONSENT).intact
    bypass_triggers("DELETE FROM audit_logcheckpoint WHERE stream = 'consent' AND size = 4")
    check = log_verify(CONSENT)
    assert check.broken.unit == "log" and "shorter" in check.broken.reason


def test_a_tampered_tile_fails_the_full_audit():
    for _ in range(3):
        record()
    integrate()
    tile = LogTile.objects.get(stream="consent", level=0, index=0)
    bypass_triggers(
        "UPDATE audit_logtile SET hashes = %s WHERE id = %s", [bytes(32) + bytes(tile.hashes)[32:], tile.pk]
    )
    check = log_verify(CONSENT, full=True)
    assert check.broken.unit == "tile"


def test_a_forged_checkpoint_signature_fails():
    record()
    integrate()
    note = LogCheckpoint.objects.get(stream="consent").note
    forged = note.replace("\n1\n", "\n1\n", 1)[:-10] + "AAAAAAAAA\n"
    bypass_triggers("UPDATE audit_logcheckpoint SET note = %s WHERE stream = 'consent'", [forged])
    check = log_verify(CONSENT)
    assert check.broken.unit == "checkpoint" and "does not verify" in check.broken.reason


def test_a_row_inserted_behind_the_log_is_found():
    for _ in range(3):
        record()
    integrate()
    # An insert with a row number the log has passed (as if backdated into the history).
    stray = record()
    bypass_triggers("UPDATE consent_consentrecord SET seq = 0 WHERE seq = %s", [stray.seq])
    check = log_verify(CONSENT, full=True)
    assert check.broken.unit == "row" and check.broken.id == 0


def test_crypto_shredding_leaves_every_proof_and_the_log_valid():
    from audit import tlog
    from audit.events import EventType
    from audit.services import audit_record
    from audit.transparency import log_checkpoint, log_inclusion_proof, log_leaf
    from consent.services import consent_record
    from cookies.selectors import current_revision
    from subjects.services import subject_key_for_user
    from tests.factories import UserFactory

    user = UserFactory()
    key = subject_key_for_user(user=user)
    logged_rows_of_every_stream(count=2)
    mine = consent_record(
        subject_key=key,
        subject_type="account",
        method="banner_reject_all",
        revision_hash=current_revision().content_hash,
        signals={"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""},
    )
    audit_record(
        event_type=EventType.USER_SIGN_IN_FAILED, subject=user, personal_changes={"email": user.email}
    )
    integrate()
    leaf = log_leaf("consent", record_seq=mine.seq)
    assert subject_shred(user=user)
    for stream in logged_streams():
        assert log_verify(stream, full=True).intact, stream.name
    checkpoint = log_checkpoint("consent")
    tlog.verify_inclusion(
        leaf=bytes(leaf.leaf_hash),
        index=leaf.leaf_index,
        size=checkpoint.size,
        proof=log_inclusion_proof("consent", leaf_index=leaf.leaf_index, size=checkpoint.size),
        root=bytes(checkpoint.root_hash),
    )


@pytest.mark.django_db(transaction=True)
def test_a_full_audit_rehashes_in_parallel_processes_and_finds_the_break():
    records = [record() for _ in range(30)]
    integrate()
    assert log_verify(CONSENT, full=True, workers=2).intact
    bypass_triggers("UPDATE consent_consentrecord SET language = 'xx' WHERE seq = %s", [records[20].seq])
    check = log_verify(CONSENT, full=True, workers=2)
    assert check.broken.id == 20


def test_the_command_reports_each_log_and_fails_on_a_break():
    records = [record() for _ in range(3)]
    integrate()
    out = StringIO()
    call_command("evidence_verify", "--stream", "consent", "--full", stdout=out)
    assert "consent log: intact at 3 leaves" in out.getvalue()
    bypass_triggers("DELETE FROM consent_consentrecord WHERE seq = %s", [records[0].seq])
    with pytest.raises(CommandError, match="consent log: broken at leaf 0"):
        call_command("evidence_verify", "--stream", "consent", "--full", stdout=StringIO())


def test_truncate_is_refused_on_evidence_tables_outside_the_test_harness():
    """The test profile's connections may TRUNCATE (the harness empties tables
    with it); any other connection is refused by the statement trigger."""
    params = connection.get_connection_params()
    params.pop("options", None)
    params.pop("prepare_threshold", None)
    params.pop("cursor_factory", None)
    params.pop("context", None)
    # The tables exist in the test database, committed by the migrations.
    with psycopg.connect(**params, autocommit=True) as other:
        for table in ("consent_consentrecord", "audit_auditevent", "audit_logleaf", "audit_logcheckpoint"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="TRUNCATE refused"):
                other.execute(f"TRUNCATE {table} CASCADE")


def test_after_a_key_rotation_old_checkpoints_verify_only_with_the_old_key_listed(settings):
    from audit import transparency
    from audit.notes import SignerKey

    for _ in range(3):
        record()
    integrate()
    old = transparency.log_signer()
    settings.TRANSPARENCY_SIGNING_KEY = str(SignerKey.generate(settings.TRANSPARENCY_LOG_NAME))
    settings.TRANSPARENCY_PREVIOUS_KEYS = [str(old.verifier)]
    transparency.log_signer.cache_clear()
    transparency.log_verifiers.cache_clear()
    try:
        record()
        integrate()
        assert log_verify(CONSENT, full=True).intact  # size 3 under the old key, size 4 under the new
        settings.TRANSPARENCY_PREVIOUS_KEYS = []
        transparency.log_verifiers.cache_clear()
        check = log_verify(CONSENT, full=True)
        assert check.broken.unit == "checkpoint" and check.broken.id == 3
    finally:
        transparency.log_signer.cache_clear()
        transparency.log_verifiers.cache_clear()


def test_a_full_audit_reads_in_chunks_of_whole_tiles(monkeypatch):
    """Chunks end on tile boundaries, so every stored tile is compared whole."""
    from audit import logverify

    monkeypatch.setattr(logverify, "CHUNK", 2 * logverify.TILE_WIDTH)
    for _ in range(3 * logverify.TILE_WIDTH + 17):
        record()
    integrate()
    assert log_verify(CONSENT, full=True).intact


def test_the_tiles_above_level_0_are_checked_level_by_level():
    """70,000 leaves reach level 2; a changed byte at any level is found."""
    import hashlib

    from audit import logverify, tlog
    from audit.transparency import TILE_WIDTH, _Tiles

    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(70_000)]
    _Tiles("probe").append(0, leaves)
    roots = [
        tlog.root_from_leaf_hashes(leaves[i : i + TILE_WIDTH])
        for i in range(0, len(leaves) - TILE_WIDTH + 1, TILE_WIDTH)
    ]
    logverify._upper_tiles_check("probe", roots)
    for level, index in ((1, 1), (2, 0)):
        tile = LogTile.objects.get(stream="probe", level=level, index=index)
        original = bytes(tile.hashes)
        bypass_triggers(
            "UPDATE audit_logtile SET hashes = %s WHERE id = %s", [bytes(32) + original[32:], tile.pk]
        )
        with pytest.raises(logverify._Broken):
            logverify._upper_tiles_check("probe", roots)
        bypass_triggers("UPDATE audit_logtile SET hashes = %s WHERE id = %s", [original, tile.pk])
    logverify._upper_tiles_check("probe", roots)
