"""The tamper suite: for every logged evidence stream, what an attacker with
write access to the database (triggers off, and even the log's signing key)
could do, each caught by the log's verifier (routine or full audit) or by the
witness, which remembers outside the database what it cosigned.

Attacks: edit a row, delete a row, reorder two rows, truncate the tail of
the log (rows, leaves and checkpoints), TRUNCATE the stream's table, replace
the whole log with a consistent rewrite re-signed with our key, and delete
the newest entries with everything that records them, verifications included.
The ids read as ``<stream>-<attack>``: every one must pass (N/N per stream)."""

import pytest
from django.db import connection

from audit.logverify import log_verify
from audit.models import LogCheckpoint, LogLeaf, LogState
from audit.streams import evidence_stream, logged_streams
from audit.transparency import _checkpoint_sign, _Tiles, log_integrate_all, log_witnesses
from audit.witness import Witness
from tests.tamper import bypass_triggers, logged_rows_of_every_stream

pytestmark = pytest.mark.django_db(transaction=True)

STREAMS = ["audit", "consent", "disclosures", "notices", "sharing", "subprocessors"]
# A column of each stream's rows inside its hash, to edit. A notice's log row is its
# entry (policies.NoticeEntry); what an attacker would edit is the notice itself.
TIME_COLUMN = {
    "audit": "occurred_at",
    "consent": "recorded_at",
    "disclosures": "disclosed_at",
    "sharing": "occurred_at",
    "subprocessors": "occurred_at",
}
NOTICE_OF_ENTRY = "(SELECT notice_id FROM policies_noticeentry WHERE seq = %s)"
ATTACKS = [
    "edit",
    "delete",
    "reorder",
    "truncate_tail",
    "truncate_table",
    "consistent_rewrite",
    "delete_newest",
]


@pytest.fixture
def witnessed(tmp_path, settings, live_server):
    """Rows in every log, verified once and cosigned by a witness."""
    settings.SITE_URL = live_server.url
    witness = Witness(tmp_path / "witness", name="witness.test")
    settings.TRANSPARENCY_WITNESSES = [str(witness.verifier)]
    log_witnesses.cache_clear()
    logged_rows_of_every_stream()
    _integrate()
    assert {o.status for o in witness.check_site(live_server.url)} == {"cosigned"}
    for stream in logged_streams():
        assert log_verify(stream).intact
    yield witness
    log_witnesses.cache_clear()


def _integrate():
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)


def _table(name):
    source = evidence_stream(name).log
    return source.model._meta.db_table, source.model._meta.get_field(source.seq_field).column, source


def _seqs(name) -> list[int]:
    return list(
        LogLeaf.objects.filter(stream=name).order_by("leaf_index").values_list("record_seq", flat=True)
    )


def _rebuild_log(name: str, *, keep: int, forget_verifications: bool) -> None:
    """What an attacker with the signing key does to make a shorter log look
    whole: drop leaves past ``keep``, rebuild the tiles, sign a checkpoint."""
    bypass_triggers("DELETE FROM audit_logleaf WHERE stream = %s AND leaf_index >= %s", [name, keep])
    bypass_triggers("DELETE FROM audit_logcheckpoint WHERE stream = %s AND size > %s", [name, keep])
    bypass_triggers("DELETE FROM audit_logcosignature WHERE stream = %s AND size > %s", [name, keep])
    bypass_triggers("DELETE FROM audit_logtile WHERE stream = %s", [name])
    if forget_verifications:
        bypass_triggers("DELETE FROM audit_logverification WHERE stream = %s", [name])
    leaves = [
        bytes(h)
        for h in LogLeaf.objects.filter(stream=name)
        .order_by("leaf_index")
        .values_list("leaf_hash", flat=True)
    ]
    tiles = _Tiles(name)
    tiles.append(0, leaves)
    last = max(_seqs(name), default=0)
    LogState.objects.filter(stream=name).update(size=keep, through_seq=last, gaps=[])
    if keep and not LogCheckpoint.objects.filter(stream=name, size=keep).exists():
        _checkpoint_sign(name, keep, tiles.root(keep))


def attack(name: str, how: str) -> None:
    table, seq, source = _table(name)
    seqs = _seqs(name)
    middle, newest = seqs[len(seqs) // 2], seqs[-1]
    if how == "edit" and name == "notices":
        bypass_triggers(
            f"UPDATE policies_policynotice SET attempts = attempts + 1 WHERE id = {NOTICE_OF_ENTRY}", [middle]
        )
    elif how == "edit":
        column = TIME_COLUMN[name]
        bypass_triggers(
            f"UPDATE {table} SET {column} = {column} + interval '1 second' WHERE {seq} = %s", [middle]
        )
    elif how == "delete":
        bypass_triggers(f"DELETE FROM {table} WHERE {seq} = %s", [middle])
    elif how == "reorder":
        first, second = seqs[1], seqs[2]
        bypass_triggers(f"UPDATE {table} SET {seq} = -1 WHERE {seq} = %s", [first])
        bypass_triggers(f"UPDATE {table} SET {seq} = %s WHERE {seq} = %s", [first, second])
        bypass_triggers(f"UPDATE {table} SET {seq} = %s WHERE {seq} = -1", [second])
    elif how == "truncate_tail":
        bypass_triggers(f"DELETE FROM {table} WHERE {seq} >= %s", [seqs[-2]])
        _rebuild_log(name, keep=len(seqs) - 2, forget_verifications=False)
    elif how == "truncate_table":
        bypass_triggers(f"TRUNCATE {table} CASCADE")
    elif how == "consistent_rewrite":
        # Change the newest row, re-hash it (and, for the chained audit trail, it is the
        # chain's end, so nothing after it breaks), and rebuild the whole log from the rows.
        row = source.model.objects.get(**{source.seq_field: newest})
        if name == "notices":
            bypass_triggers(
                f"UPDATE policies_policynotice SET attempts = 9 WHERE id = {NOTICE_OF_ENTRY}", [newest]
            )
            bypass_triggers(
                f"UPDATE {table} SET record_hash = %s WHERE seq = %s", [row.compute_hash(), newest]
            )
        else:
            column = TIME_COLUMN[name]
            setattr(row, column, getattr(row, column).replace(year=2020))
            bypass_triggers(
                f"UPDATE {table} SET {column} = %s, {source.hash_field} = %s WHERE {seq} = %s",
                [getattr(row, column), row.compute_hash(), newest],
            )
        for log_table in ("logleaf", "logcheckpoint", "logcosignature", "logtile", "logverification"):
            bypass_triggers(f"DELETE FROM audit_{log_table} WHERE stream = %s", [name])
        LogState.objects.filter(stream=name).delete()
        log_integrate_all(name, source)
    elif how == "delete_newest":
        bypass_triggers(f"DELETE FROM {table} WHERE {seq} = %s", [newest])
        _rebuild_log(name, keep=len(seqs) - 1, forget_verifications=True)


def detected_by(name: str, witness: Witness, url: str) -> list[str]:
    stream = evidence_stream(name)
    found = []
    if not log_verify(stream).intact:
        found.append("routine verification")
    if not log_verify(stream, full=True).intact:
        found.append("full audit")
    _integrate()  # the integrator keeps running
    if any(o.status == "alarm" for o in witness.check_site(url) if o.origin.endswith(f"/{name}")):
        found.append("witness")
    return found


@pytest.mark.parametrize("how", ATTACKS)
@pytest.mark.parametrize("name", STREAMS)
def test_tampering_is_detected(witnessed, live_server, name, how):
    attack(name, how)
    found = detected_by(name, witnessed, live_server.url)
    print(f"\nTAMPER {name} {how}: {found}")
    assert found, f"{how} on {name} went unseen"


def test_the_suite_covers_every_logged_stream():
    assert {stream.name for stream in logged_streams()} == set(STREAMS)


def test_untouched_logs_raise_nothing(witnessed, live_server):
    for name in STREAMS:
        assert detected_by(name, witnessed, live_server.url) == []
    assert connection.vendor == "postgresql"
