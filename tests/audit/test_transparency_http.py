"""The logs over HTTP: signed checkpoints and keys as plain text, inclusion
and consistency proofs as JSON, all public; bad input is a 400 naming the
field, an unknown stream or entry a 404."""

import base64
import uuid

import pytest
from django.urls import reverse

from audit import tlog
from audit.notes import VerifierKey, open_checkpoint
from audit.streams import evidence_stream
from audit.transparency import log_integrate, log_origin
from consent import services
from cookies.selectors import current_revision

pytestmark = pytest.mark.django_db
SIGNALS = {"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""}


def record():
    return services.consent_record(
        subject_key=uuid.uuid4(),
        subject_type="visitor",
        method="banner_accept_all",
        revision_hash=current_revision().content_hash,
        signals=SIGNALS,
    )


@pytest.fixture
def logged():
    """Two checkpoints of the consent log: 3 records, then 5."""
    records = [record() for _ in range(3)]
    log_integrate("consent", evidence_stream("consent").log)
    records += [record() for _ in range(2)]
    log_integrate("consent", evidence_stream("consent").log)
    return records


def keys(client):
    response = client.get(reverse("transparency_keys"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    return [VerifierKey.parse(line) for line in response.content.decode().splitlines()]


def test_a_receipt_is_checked_with_nothing_but_published_material(client, logged):
    """From the record's id alone: fetch the proof, check the checkpoint's
    signature with the published key, and the leaf against the signed root."""
    target = logged[1]
    response = client.get(reverse("api-transparency-record-inclusion", args=["consent", target.record_id]))
    assert response.status_code == 200
    body = response.json()
    checkpoint, _note = open_checkpoint(body["checkpoint"], origin=log_origin("consent"), keys=keys(client))
    assert (checkpoint.size, body["tree_size"], body["leaf_index"]) == (5, 5, 1)
    assert body["record_hash"] == target.compute_hash()
    leaf = tlog.leaf_hash(bytes.fromhex(body["record_hash"]))
    assert base64.b64decode(body["leaf_hash"]) == leaf
    tlog.verify_inclusion(
        leaf=leaf, index=1, size=5, proof=[base64.b64decode(h) for h in body["proof"]], root=checkpoint.root
    )
    # And in the earlier checkpoint, by position.
    earlier = client.get(
        reverse("api-transparency-leaf-inclusion", args=["consent", 1]), {"tree_size": 3}
    ).json()
    assert earlier["tree_size"] == 3 and earlier["record_hash"] is None


def test_the_published_checkpoints_are_consistent(client, logged):
    first = client.get(reverse("transparency_checkpoint_at", args=["consent", 3]))
    # Its signed text never changes; witnesses' cosignatures are added as they come.
    assert first.status_code == 200 and first["Cache-Control"] == "public, max-age=60"
    latest = client.get(reverse("transparency_checkpoint", args=["consent"]))
    assert latest["Cache-Control"] == "no-cache"
    verifiers = keys(client)
    old, _ = open_checkpoint(first.content.decode(), origin=log_origin("consent"), keys=verifiers)
    new, _ = open_checkpoint(latest.content.decode(), origin=log_origin("consent"), keys=verifiers)
    body = client.get(reverse("api-transparency-consistency", args=["consent"]), {"first": 3}).json()
    assert body["second"] == new.size == 5
    tlog.verify_consistency(
        first=3,
        second=5,
        first_root=old.root,
        second_root=new.root,
        proof=[base64.b64decode(h) for h in body["proof"]],
    )


def test_the_well_known_document_names_every_log_and_key(client, logged):
    body = client.get("/.well-known/icentrex-transparency.json").json()
    assert {log["stream"] for log in body["logs"]} == {
        "audit",
        "consent",
        "disclosures",
        "notices",
        "sharing",
        "subprocessors",
    }
    assert body["keys"] == [str(key) for key in keys(client)]


@pytest.mark.parametrize(
    ("params", "field"), [({"tree_size": 0}, "tree_size"), ({"tree_size": "three"}, "tree_size")]
)
def test_bad_inclusion_queries_are_400s_naming_the_field(client, logged, params, field):
    response = client.get(reverse("api-transparency-leaf-inclusion", args=["consent", 0]), params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    ("params", "field"), [({}, "first"), ({"first": -1}, "first"), ({"first": "x"}, "first")]
)
def test_bad_consistency_queries_are_400s_naming_the_field(client, logged, params, field):
    response = client.get(reverse("api-transparency-consistency", args=["consent"]), params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    "params", [{"first": 5, "second": 3}, {"first": 1, "second": 6}], ids=["first-larger", "beyond-the-log"]
)
def test_consistency_proofs_that_cannot_exist_are_404s(client, logged, params):
    response = client.get(reverse("api-transparency-consistency", args=["consent"]), params)
    assert response.status_code == 404 and response.json()["detail"]


def test_proofs_between_any_sizes_up_to_the_latest_checkpoint(client, logged):
    """Sizes never signed are answered too (for roots the asker holds), without a checkpoint."""
    leaves = [tlog.leaf_hash(bytes.fromhex(r.record_hash)) for r in logged]

    def root(size):
        return tlog.root_from_leaf_hashes(leaves[:size])

    body = client.get(
        reverse("api-transparency-consistency", args=["consent"]), {"first": 2, "second": 4}
    ).json()
    assert (body["first"], body["second"], body["checkpoint"]) == (2, 4, None)
    tlog.verify_consistency(
        first=2,
        second=4,
        first_root=root(2),
        second_root=root(4),
        proof=[base64.b64decode(h) for h in body["proof"]],
    )
    signed = client.get(reverse("api-transparency-consistency", args=["consent"]), {"first": 2}).json()
    assert signed["second"] == 5 and signed["checkpoint"]
    body = client.get(
        reverse("api-transparency-leaf-inclusion", args=["consent", 1]), {"tree_size": 4}
    ).json()
    assert body["checkpoint"] is None
    tlog.verify_inclusion(
        leaf=leaves[1], index=1, size=4, proof=[base64.b64decode(h) for h in body["proof"]], root=root(4)
    )


def test_unknown_streams_entries_and_empty_logs_are_404s(client, logged):
    leaf, by_record = "api-transparency-leaf-inclusion", "api-transparency-record-inclusion"
    assert client.get(reverse(leaf, args=["nonsense", 0])).status_code == 404
    assert client.get(reverse(leaf, args=["consent", 99])).status_code == 404
    assert (
        client.get(reverse(leaf, args=["consent", 0]), {"tree_size": 6}).status_code == 404
    )  # no such checkpoint
    assert client.get(reverse(leaf, args=["consent", 4]), {"tree_size": 3}).status_code == 404  # came later
    assert client.get(reverse(by_record, args=["consent", uuid.uuid4()])).status_code == 404
    assert client.get(reverse(by_record, args=["consent", "not-a-uuid"])).status_code == 404
    assert client.get(reverse(by_record, args=["audit", "9" * 30])).status_code == 404  # beyond any bigint
    assert client.get(reverse(leaf, args=["sharing", 0])).status_code == 404
    assert client.get(reverse("transparency_checkpoint", args=["sharing"])).status_code == 404
    assert client.get(reverse("transparency_checkpoint", args=["nonsense"])).status_code == 404
    assert client.get(reverse("transparency_checkpoint_at", args=["consent", 4])).status_code == 404
    pending = record()  # committed, not in the log yet
    assert client.get(reverse(by_record, args=["consent", pending.record_id])).status_code == 404
