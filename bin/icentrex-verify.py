#!/usr/bin/env python3
"""Check an iCentrex Privacy receipt yourself, trusting nothing of ours but a
public key you got from somewhere you trust.

    python3 icentrex-verify.py receipt.json --key 'privacy.example+1a2b3c4d+AZ...'
    python3 icentrex-verify.py receipt.json --keys-url https://privacy.example/transparency/keys
    python3 icentrex-verify.py receipt.json --key ... --witness 'witness.example+5e6f7a8b+BA...'

Needs Python 3.9+ and the ``cryptography`` package, nothing else.

What it checks, and what that proves:
1. The record's fingerprint: SHA-256 of the receipt's content (its
   ``content``, or the fields it lists in ``hashed_fields``, as canonical
   JSON). Any change to what the receipt says changes it.
2. The leaf: SHA-256(0x00 || fingerprint), as RFC 6962 hashes log entries.
3. The inclusion proof (RFC 9162, 2.1.3.2): the leaf is entry ``leaf_index``
   of the log whose tree of ``tree_size`` entries has the checkpoint's root.
4. The checkpoint (c2sp.org/tlog-checkpoint): signed with Ed25519 by the key
   you gave, for the log the proof names; and, for each --witness key, that
   the witness cosigned it (c2sp.org/tlog-cosignature).

Together: the operator committed, in a signed statement it cannot take back,
to a log in which this exact record is entry N. A later log that drops or
changes it is inconsistent with this checkpoint; witnesses that cosigned it
will refuse such a log. Exit status 0 when every check passes, 1 otherwise.
"""

import argparse
import base64
import hashlib
import json
import struct
import sys
import urllib.request

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover
    sys.exit("icentrex-verify needs the 'cryptography' package: pip install cryptography")

ED25519, COSIGNATURE_V1 = 0x01, 0x04
DASH = "\u2014"


class Failed(Exception):
    pass


def canonical_hash(content: dict, prev: str = "") -> str:
    """How the service hashes a record's content (audit.evidence.content_hash);
    ``prev`` is the previous row's hash in a chained stream (the audit trail)."""
    text = json.dumps(
        {"content": content, "prev": prev}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list, root: bytes) -> None:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        raise Failed(f"leaf index {index} is outside a tree of {size}")
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if len(sibling) != 32:
            raise Failed("a proof hash is not 32 bytes")
        if sn == 0:
            raise Failed("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node(sibling, result)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            result = node(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise Failed("the proof is shorter than the tree is deep")
    if result != root:
        raise Failed("the inclusion proof does not lead to the checkpoint's root")


class Key:
    """A note verifier key: <name>+<hex key id>+<base64(type byte || public key)>."""

    def __init__(self, text: str):
        try:
            self.name, key_id, encoded = text.strip().split("+", 2)
            raw = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise Failed(f"not a verifier key: {text!r}") from None
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise Failed(f"not an Ed25519 verifier key: {text!r}")
        self.type, self.public = raw[0], raw[1:]
        self.id = hashlib.sha256(self.name.encode() + b"\n" + raw).digest()[:4]
        if self.id.hex() != key_id:
            raise Failed(f"the key id of {self.name} does not match its key")

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
            return True
        except InvalidSignature:
            return False


def signed_note(message: str):
    text, separator, block = message.rpartition("\n\n")
    if not separator:
        raise Failed("the checkpoint is not a signed note")
    signatures = []
    for line in block.strip("\n").split("\n"):
        dash, name, encoded = line.split(" ")
        if dash != DASH:
            raise Failed("a signature line does not start with an em dash")
        raw = base64.b64decode(encoded, validate=True)
        signatures.append((name, raw[:4], raw[4:]))
    return text + "\n", signatures


def signed_by(text: str, signatures: list, key: Key) -> bool:
    for name, key_id, signature in signatures:
        if name != key.name or key_id != key.id:
            continue
        if key.type == COSIGNATURE_V1:
            if len(signature) != 72:
                return False
            timestamp = struct.unpack(">Q", signature[:8])[0]
            message = f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()
            return key.verify(message, signature[8:])
        return key.verify(text.encode(), signature)
    return False


def check(receipt: dict, keys: list, witnesses: list) -> list:
    """Every check in order; the lines to print. Raises Failed at the first that fails."""
    done = []
    proof = receipt.get("proof")
    if not proof:
        raise Failed(
            "the receipt has no proof yet: the record was not in a signed checkpoint when it was "
            "downloaded (it is within seconds); download it again"
        )
    record_hash = receipt.get("record_hash")
    content = receipt.get("content")
    if content is None and "hashed_fields" in receipt:
        content = {field: receipt.get(field) for field in receipt["hashed_fields"]}
    if content is not None:
        if canonical_hash(content, receipt.get("prev", "")) != record_hash:
            raise Failed("the receipt's content does not give its fingerprint (record_hash): it was changed")
        done.append(f"content: {len(content)} fields give the fingerprint {record_hash[:16]}…")
    leaf = base64.b64decode(proof["leaf_hash"])
    if record_hash is not None:
        if hashlib.sha256(b"\x00" + bytes.fromhex(record_hash)).digest() != leaf:
            raise Failed("the leaf hash is not the leaf of this record's fingerprint")
        done.append("leaf: SHA-256(0x00 || fingerprint)")
    text, signatures = signed_note(proof["checkpoint"])
    lines = text.split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2])
    if origin != proof["origin"] or size != proof["tree_size"]:
        raise Failed("the checkpoint is for another log or another size than the proof")
    # Each stream is its own log: a checkpoint of another one proves nothing here.
    if (
        not origin.endswith(f"/transparency/{proof['stream']}")
        or receipt.get("stream", proof["stream"]) != proof["stream"]
    ):
        raise Failed(f"the checkpoint is of the log {origin!r}, not of the {proof['stream']} log")
    verify_inclusion(
        leaf, proof["leaf_index"], size, [base64.b64decode(h) for h in proof["inclusion_proof"]], root
    )
    done.append(f"inclusion: entry {proof['leaf_index']} of {size} in {origin}")
    signer = next((key for key in keys if signed_by(text, signatures, key)), None)
    if signer is None:
        raise Failed("the checkpoint is not signed by the key you gave")
    done.append(f"checkpoint: signed by {signer.name} ({signer.id.hex()})")
    for witness in witnesses:
        if not signed_by(text, signatures, witness):
            raise Failed(f"the checkpoint is not cosigned by the witness {witness.name}")
        done.append(f"cosigned by the witness {witness.name}")
    return done


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("receipt", help="the receipt, as downloaded (JSON)")
    parser.add_argument("--key", action="append", default=[], help="the log's verifier key (may be repeated)")
    parser.add_argument("--keys-url", help="read the keys from this URL instead (trust the site for them)")
    parser.add_argument(
        "--witness", action="append", default=[], help="a witness key that must have cosigned"
    )
    args = parser.parse_args(argv)
    try:
        with open(args.receipt, encoding="utf-8") as handle:
            receipt = json.load(handle)
        texts = list(args.key)
        if args.keys_url:
            with urllib.request.urlopen(args.keys_url, timeout=10) as response:  # noqa: S310
                texts += [line for line in response.read().decode().splitlines() if line.strip()]
        if not texts:
            raise Failed("give the log's key with --key (or --keys-url)")
        keys = [Key(text) for text in texts]
        for line in check(receipt, keys, [Key(text) for text in args.witness]):
            print(f"ok  {line}")
    except (Failed, OSError, ValueError, KeyError, TypeError) as error:
        print(f"FAILED  {error}", file=sys.stderr)
        return 1
    print("The receipt verifies.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
