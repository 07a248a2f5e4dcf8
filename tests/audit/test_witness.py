"""The witness (audit.witness, ``manage.py transparency_witness``) against the
running app over HTTP: it cosigns checkpoints that extend what it cosigned,
the app publishes its cosignatures, and a rollback, a fork or a rewrite is
refused with an alarm — whatever the app's database says."""

import json
import subprocess
import sys
import urllib.request

import pytest

from audit.models import LogCheckpoint, LogCosignature
from audit.notes import Note
from audit.streams import logged_streams
from audit.transparency import log_integrate_all, log_witnesses
from audit.witness import Witness
from tests.audit.test_transparency import record
from tests.conftest import ROOT
from tests.tamper import bypass_triggers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def witness(tmp_path, settings, live_server):
    settings.SITE_URL = live_server.url
    found = Witness(tmp_path / "witness", name="witness.test")
    settings.TRANSPARENCY_WITNESSES = [str(found.verifier)]
    log_witnesses.cache_clear()
    yield found
    log_witnesses.cache_clear()


def integrate() -> None:
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)


def consent_outcome(witness, url):
    return next(o for o in witness.check_site(url) if o.origin.endswith("/consent"))


def test_the_witness_cosigns_what_extends_its_memory_and_the_app_publishes_it(witness, live_server):
    for _ in range(3):
        record()
    integrate()
    assert consent_outcome(witness, live_server.url).status == "cosigned"
    published = urllib.request.urlopen(f"{live_server.url}/transparency/consent/checkpoint").read().decode()
    note = Note.parse(published)
    assert note.signed_by(witness.verifier) and len(note.signatures) == 2
    assert consent_outcome(witness, live_server.url).status == "unchanged"

    for _ in range(4):
        record()
    integrate()
    assert consent_outcome(witness, live_server.url).status == "cosigned"  # after a consistency proof 3 -> 7
    assert LogCosignature.objects.filter(stream="consent").count() == 2
    memory = json.loads((witness.state / "logs.json").read_text())
    assert any(log["size"] == 7 for origin, log in memory.items() if origin.endswith("/consent"))


def test_a_rollback_is_refused_with_an_alarm_and_stays_refused(witness, live_server):
    for _ in range(3):
        record()
    integrate()
    consent_outcome(witness, live_server.url)
    bypass_triggers("DELETE FROM audit_logcheckpoint WHERE stream = 'consent' AND size = 3")
    bypass_triggers("DELETE FROM audit_logcosignature WHERE stream = 'consent'")
    LogCheckpoint.objects.create(
        stream="consent", size=1, root_hash=b"\0" * 32, note=_resigned_note(1), created_at="2026-01-01T00:00Z"
    )
    outcome = consent_outcome(witness, live_server.url)
    assert outcome.status == "alarm" and "rollback" in outcome.detail
    assert "rollback" in (witness.state / "alarms.jsonl").read_text()
    assert consent_outcome(witness, live_server.url).status == "alarm"  # until an operator looks


def _resigned_note(size: int) -> str:
    """What an attacker holding the signing key signs for a rewritten log."""
    from audit import tlog
    from audit.notes import Checkpoint, sign_note
    from audit.transparency import log_origin, log_signer

    return str(
        sign_note(Checkpoint(log_origin("consent"), size, tlog.leaf_hash(b"forged")).text(), log_signer())
    )


def test_a_fork_at_the_same_size_is_refused(witness, live_server):
    for _ in range(2):
        record()
    integrate()
    consent_outcome(witness, live_server.url)
    bypass_triggers(
        "UPDATE audit_logcheckpoint SET note = %s WHERE stream = 'consent' AND size = 2", [_resigned_note(2)]
    )
    outcome = consent_outcome(witness, live_server.url)
    assert outcome.status == "alarm" and "fork" in outcome.detail


def test_a_checkpoint_signed_by_an_unknown_key_is_refused_not_cosigned(witness, live_server, settings):
    record()
    integrate()
    consent_outcome(witness, live_server.url)
    from audit.notes import Checkpoint, SignerKey, sign_note
    from audit.transparency import log_origin

    stranger = SignerKey.generate(settings.TRANSPARENCY_LOG_NAME)
    note = str(sign_note(Checkpoint(log_origin("consent"), 5, b"\1" * 32).text(), stranger))
    LogCheckpoint.objects.create(
        stream="consent", size=5, root_hash=b"\1" * 32, note=note, created_at="2026-01-01T00:00Z"
    )
    outcome = consent_outcome(witness, live_server.url)
    assert outcome.status == "refused" and "not signed by a key" in outcome.detail


def test_the_app_keeps_only_valid_cosignatures_of_listed_witnesses(witness, live_server, tmp_path):
    record()
    integrate()
    url = f"{live_server.url}/transparency/consent/cosignatures"
    checkpoint = LogCheckpoint.objects.get(stream="consent")
    text = Note.parse(checkpoint.note).text
    from audit.notes import cosign

    stranger = Witness(tmp_path / "stranger", name="stranger.test")

    def post(body: bytes) -> int:
        request = urllib.request.Request(url, data=body, method="POST")
        try:
            return urllib.request.urlopen(request).status
        except urllib.error.HTTPError as error:
            return error.code

    assert post(b"not a note") == 400
    assert post((text + "\n" + cosign(text, stranger.key, 1).line()).encode()) == 403
    assert post(b"x" * 9000) == 413
    other = text.replace("\n1\n", "\n2\n")
    assert post((other + "\n" + cosign(other, witness.key, 1).line()).encode()) == 404
    good = (text + "\n" + cosign(text, witness.key, 1).line()).encode()
    assert post(good) == 200 and post(good) == 200  # idempotent
    assert LogCosignature.objects.filter(stream="consent").count() == 1


def test_the_command_witnesses_and_exits_2_on_an_alarm(witness, live_server):
    for _ in range(2):
        record()
    integrate()
    command = [
        sys.executable,
        "manage.py",
        "transparency_witness",
        "--state",
        str(witness.state),
        "--url",
        live_server.url,
    ]
    import os

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "icentrex.settings.test"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "consent at 2: cosigned" in done.stdout
    bypass_triggers(
        "UPDATE audit_logcheckpoint SET note = %s WHERE stream = 'consent' AND size = 2", [_resigned_note(2)]
    )
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "fork" in done.stderr
    printed = subprocess.run(
        [*command[:3], "--state", str(witness.state), "--print-key"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert printed.stdout.strip() == str(witness.verifier)
