"""Receipts a person can verify alone: the consent receipt carries its
proof, the standalone verifier (bin/icentrex-verify.py, served at
/transparency/icentrex-verify.py) accepts it with the published key and
rejects every change, and the receipt page verifies in the browser."""

import json
import subprocess
import sys

import pytest
from django.urls import reverse

from audit.notes import SignerKey
from audit.streams import logged_streams
from audit.transparency import log_integrate_all, log_verifiers
from consent.models import ConsentRecord
from consent.services import consent_record
from cookies.selectors import current_revision
from subjects.services import subject_key_for_user
from tests.conftest import ROOT
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
VERIFIER = ROOT / "bin" / "icentrex-verify.py"
SIGNALS = {
    "gpc": True,
    "dnt": None,
    "ip_prefix": "192.0.2.0",
    "ua_family": "Firefox",
    "ua_version": "140",
    "origin": "",
}


def _receipt(client, *, records: int = 5) -> tuple[dict, ConsentRecord]:
    user = UserFactory()
    key = subject_key_for_user(user=user)
    mine = None
    for i in range(records):
        made = consent_record(
            subject_key=key if i == 2 else subject_key_for_user(user=UserFactory()),
            subject_type="account",
            method="banner_reject_all",
            revision_hash=current_revision().content_hash,
            signals=SIGNALS,
        )
        mine = made if i == 2 else mine
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)
    client.force_login(user)
    response = client.get(reverse("consent_receipt", args=[mine.record_id]) + "?format=json")
    return json.loads(response.content), mine


def _verify(tmp_path, receipt: dict, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(path), *args], capture_output=True, text=True, timeout=60
    )


def test_the_receipt_carries_a_proof_the_standalone_verifier_accepts(client, tmp_path):
    receipt, mine = _receipt(client)
    assert receipt["sealed"] is True and receipt["proof"]["tree_size"] == 5
    assert receipt["proof"]["leaf_index"] == 2
    done = _verify(tmp_path, receipt, "--key", str(log_verifiers()[0]))
    assert done.returncode == 0, done.stderr
    assert "entry 2 of 5" in done.stdout and "The receipt verifies." in done.stdout


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(language="sv"),
        lambda r: r["choices"].update(analytics=True),
        lambda r: r.update(revision_id=r["revision_id"] + 1),
        lambda r: r.update(record_hash="0" * 64),
        lambda r: r["proof"].update(leaf_index=1),
        lambda r: r["proof"]["inclusion_proof"].reverse(),
        lambda r: r["proof"]["inclusion_proof"].pop(),
        lambda r: r["proof"].update(checkpoint=r["proof"]["checkpoint"].replace("\n5\n", "\n6\n", 1)),
        lambda r: r["proof"].update(origin="elsewhere.example/transparency/consent"),
        lambda r: r.update(proof=None),
    ],
    ids=["content", "choice", "revision", "fingerprint", "index", "order", "short", "size", "origin", "none"],
)
def test_the_standalone_verifier_rejects_every_change(client, tmp_path, change):
    receipt, _mine = _receipt(client)
    change(receipt)
    done = _verify(tmp_path, receipt, "--key", str(log_verifiers()[0]))
    assert done.returncode == 1 and "FAILED" in done.stderr


def test_the_standalone_verifier_rejects_another_key(client, tmp_path, settings):
    receipt, _mine = _receipt(client)
    other = SignerKey.generate(settings.TRANSPARENCY_LOG_NAME).verifier
    done = _verify(tmp_path, receipt, "--key", str(other))
    assert done.returncode == 1 and "not signed by the key you gave" in done.stderr


def test_the_verifier_is_served_and_needs_only_the_standard_library_and_cryptography(client):
    response = client.get(reverse("transparency_verifier"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/x-python")
    source = b"".join(response.streaming_content) if response.streaming else response.content
    imported = {
        line.split()[1].split(".")[0]
        for line in source.decode().splitlines()
        if line.startswith(("import ", "from ")) or line.startswith(("    from ", "    import "))
        for line in [line.strip()]
    }
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


def test_a_receipt_not_yet_logged_says_so(client):
    user = UserFactory()
    record = consent_record(
        subject_key=subject_key_for_user(user=user),
        subject_type="account",
        method="banner_reject_all",
        revision_hash=current_revision().content_hash,
        signals=SIGNALS,
    )
    client.force_login(user)
    data = client.get(reverse("consent_receipt", args=[record.record_id]) + "?format=json").json()
    assert data["sealed"] is False and data["proof"] is None
    page = client.get(reverse("consent_receipt", args=[record.record_id]))
    assert "not yet (within seconds)" in page.content.decode()


def _owned_rows(user) -> dict:
    """One row of each stream about ``user`` (member0@acme.test of the tamper rows)."""
    from django.conf import settings as django_settings

    from audit.models import AuditEvent
    from domains.models import EmailDisclosure
    from integrations.models import SharingEvent
    from integrations.services import processor_shares_record
    from policies.models import NoticeEntry

    key = subject_key_for_user(user=user)
    processor_shares_record(
        provider_slug=django_settings.EMAIL_VENDOR_PROVIDER,
        subject_keys=[key],
        fields=["identity.email"],
        purpose="Sending you policy notices",
    )
    from audit.events import EventType
    from audit.services import audit_record

    audit_record(event_type=EventType.USER_SIGN_IN_FAILED, subject=user)
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)
    return {
        "sharing": SharingEvent.objects.filter(subject_key=key).first().event_id,
        "disclosures": EmailDisclosure.objects.get(subject_key=key).disclosure_id,
        "notices": NoticeEntry.objects.filter(notice__subject_key=key).first().notice_id,
        "audit": AuditEvent.objects.filter(subject_key=key).first().id,
    }


@pytest.mark.parametrize("stream", ["sharing", "disclosures", "notices", "audit"])
def test_every_stream_gives_its_person_a_receipt_the_verifier_accepts(client, tmp_path, stream):
    from accounts.models import User
    from tests.tamper import logged_rows_of_every_stream

    logged_rows_of_every_stream(count=2)
    member = User.objects.get(email="member0@acme.test")
    record = _owned_rows(member)[stream]
    url = reverse("privacy_evidence_receipt", args=[stream, record])
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # someone else's row: as if missing
    client.force_login(member)
    receipt = client.get(url).json()
    assert receipt["sealed"] and receipt["stream"] == stream
    done = _verify(tmp_path, receipt, "--key", str(log_verifiers()[0]))
    assert done.returncode == 0, done.stderr
    receipt["content"][next(iter(receipt["content"]))] = "changed"
    assert _verify(tmp_path, receipt, "--key", str(log_verifiers()[0])).returncode == 1


def _standalone_verifier():
    import importlib.util

    spec = importlib.util.spec_from_file_location("icentrex_verify", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_thousand_forged_receipts_are_all_rejected(client, settings):
    """Forged proofs and checkpoints of every kind against the standalone
    verifier: wrong sibling, index, size, truncated, extended or reordered
    path, another key, another log's origin (a real checkpoint of another
    stream, signed by our key), another record's leaf."""
    import base64
    import copy
    import random

    from audit import tlog
    from audit.notes import Checkpoint, SignerKey, sign_note
    from audit.transparency import log_origin, log_root, log_signer

    verifier = _standalone_verifier()
    receipt, _mine = _receipt(client, records=40)
    keys = [verifier.Key(str(log_verifiers()[0]))]
    assert verifier.check(receipt, keys, [])  # the real one verifies
    stranger = SignerKey.generate(settings.TRANSPARENCY_LOG_NAME)
    rng = random.Random(18)
    proof = receipt["proof"]
    size, root = proof["tree_size"], base64.b64decode(proof["checkpoint"].split("\n")[2])

    def resigned(key, origin=None, size_=size, root_=root) -> str:
        return str(sign_note(Checkpoint(origin or proof["origin"], size_, root_).text(), key))

    def forge(kind: str, n: int) -> dict:
        forged = copy.deepcopy(receipt)
        path = forged["proof"]["inclusion_proof"]
        if kind == "sibling":
            i = rng.randrange(len(path))
            node = bytearray(base64.b64decode(path[i]))
            node[rng.randrange(32)] ^= 1 << rng.randrange(8)
            path[i] = base64.b64encode(bytes(node)).decode()
        elif kind == "index":
            forged["proof"]["leaf_index"] = rng.choice([i for i in range(size) if i != proof["leaf_index"]])
        elif kind == "size" and n % 2:
            forged["proof"]["tree_size"] = rng.choice([s for s in range(1, size + 8) if s != size])
        elif kind == "size":
            # A real checkpoint of another size (its own root), the proof left for this size.
            # (Our key signing this size with *this* root is no forgery: it is a lie we could sign.)
            other = rng.randrange(proof["leaf_index"] + 1, size)
            forged["proof"]["tree_size"] = other
            forged["proof"]["checkpoint"] = resigned(
                log_signer(), size_=other, root_=log_root("consent", other)
            )
        elif kind == "truncated":
            del path[rng.randrange(len(path)) :]
        elif kind == "extended":
            path.append(base64.b64encode(rng.randbytes(32)).decode())
        elif kind == "swapped":
            i, j = rng.sample(range(len(path)), 2)
            if path[i] == path[j]:
                path[i] = base64.b64encode(rng.randbytes(32)).decode()
            path[i], path[j] = path[j], path[i]
        elif kind == "key":
            forged["proof"]["checkpoint"] = resigned(stranger)
        elif kind == "origin":
            origin = log_origin("sharing")
            forged["proof"]["origin"] = origin
            forged["proof"]["checkpoint"] = resigned(log_signer(), origin=origin)
        elif kind == "leaf":
            forged["proof"]["leaf_hash"] = base64.b64encode(tlog.leaf_hash(rng.randbytes(32))).decode()
        return forged

    kinds = ["sibling", "index", "size", "truncated", "extended", "swapped", "key", "origin", "leaf"]
    accepted = []
    for n in range(1000):
        kind = kinds[n % len(kinds)]
        try:
            verifier.check(forge(kind, n), keys, [])
            accepted.append(kind)
        except (verifier.Failed, ValueError, KeyError, IndexError):
            pass
    assert accepted == []
