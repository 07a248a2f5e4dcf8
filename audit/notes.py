"""Signed notes and checkpoints in the C2SP text formats, with Ed25519 keys
(``cryptography``): https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint
and https://c2sp.org/tlog-cosignature, as Go's checksum database, Sigstore
and the Tessera logs write them, so their tools read ours.

A checkpoint's text is three lines (origin, tree size, base64 root hash); a
signed note is that text, a blank line, and one line per signature:
``— <key name> <base64(4-byte key id || signature)>``. A log signs the text
itself (key id over algorithm byte 0x01); a witness cosigns
``cosignature/v1\\ntime <t>\\n`` followed by the text (algorithm byte 0x04),
and its signature carries the time it was made.

Keys travel as strings in the formats of Go's ``golang.org/x/mod/sumdb/note``:
``PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`` for a signer and
``<name>+<hex id>+<base64(0x01 || public key)>`` for a verifier.
"""

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_DASH = "\u2014"  # an em dash starts every signature line


class NoteError(ValueError):
    """A note, key or checkpoint that is malformed or does not verify."""


def key_id(name: str, algorithm: int, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([algorithm]) + public_key).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and all(c > " " and c != "+" for c in name)


@dataclass(frozen=True)
class VerifierKey:
    name: str
    public_key: bytes
    algorithm: int = ED25519

    @property
    def id(self) -> bytes:
        return key_id(self.name, self.algorithm, self.public_key)

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([self.algorithm]) + self.public_key).decode()
        return f"{self.name}+{self.id.hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> "VerifierKey":
        try:
            name, hex_id, encoded = text.strip().split("+", 2)  # base64 may hold "+"
            raw = base64.b64decode(encoded, validate=True)
            claimed = bytes.fromhex(hex_id)
        except (ValueError, binascii.Error):
            raise NoteError("a verifier key is <name>+<hex id>+<base64 key>") from None
        if not _valid_name(name) or len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise NoteError("a verifier key names an Ed25519 key of 32 bytes")
        key = cls(name, raw[1:], raw[0])
        if key.id != claimed:
            raise NoteError("the verifier key's id does not match its name and key")
        return key

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SignerKey:
    name: str
    seed: bytes
    algorithm: int = ED25519

    @classmethod
    def generate(cls, name: str, algorithm: int = ED25519) -> "SignerKey":
        if not _valid_name(name):
            raise NoteError("a key name is printable, without spaces or '+'")
        seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return cls(name, seed, algorithm)

    @classmethod
    def from_seed(cls, name: str, seed: bytes, algorithm: int = ED25519) -> "SignerKey":
        if not _valid_name(name) or len(seed) != 32:
            raise NoteError("a signer key is a printable name and a 32-byte seed")
        return cls(name, seed, algorithm)

    @classmethod
    def parse(cls, text: str) -> "SignerKey":
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a signer key is PRIVATE+KEY+<name>+<hex id>+<base64 key>")
        try:
            raw = base64.b64decode(parts[4], validate=True)
            claimed = bytes.fromhex(parts[3])
        except (ValueError, binascii.Error):
            raise NoteError("a signer key's id or key is not readable") from None
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise NoteError("a signer key holds an Ed25519 seed of 32 bytes")
        key = cls.from_seed(parts[2], raw[1:], raw[0])
        if key.verifier.id != claimed:
            raise NoteError("the signer key's id does not match its name and key")
        return key

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([self.algorithm]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{encoded}"

    def __repr__(self) -> str:  # never print the seed by accident
        return f"SignerKey(name={self.name!r}, id={self.verifier.id.hex()})"

    @property
    def verifier(self) -> VerifierKey:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return VerifierKey(self.name, public.public_bytes(Encoding.Raw, PublicFormat.Raw), self.algorithm)

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)


@dataclass(frozen=True)
class Signature:
    name: str
    id: bytes
    signature: bytes  # for a cosignature: the 8-byte time, then the signature

    def line(self) -> str:
        return f"{SIGNATURE_DASH} {self.name} {base64.b64encode(self.id + self.signature).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str
    signatures: tuple[Signature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(signature.line() for signature in self.signatures)

    @classmethod
    def parse(cls, message: str) -> "Note":
        text, separator, block = message.rpartition("\n\n")
        if not separator or not block.endswith("\n"):
            raise NoteError("a signed note is its text, a blank line, and signature lines")
        text += "\n"
        signatures = []
        for line in block[:-1].split("\n"):
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] != SIGNATURE_DASH or not _valid_name(parts[1]):
                raise NoteError("a signature line is: — <key name> <base64 signature>")
            try:
                raw = base64.b64decode(parts[2], validate=True)
            except binascii.Error:
                raise NoteError("a signature is not base64") from None
            if len(raw) < 5:
                raise NoteError("a signature is too short")
            signatures.append(Signature(parts[1], raw[:4], raw[4:]))
        if not signatures:
            raise NoteError("the note carries no signature")
        return cls(text, tuple(signatures))

    def signed_by(self, key: VerifierKey) -> Signature | None:
        """The signature of ``key`` when present and valid, else None."""
        for signature in self.signatures:
            if signature.name != key.name or signature.id != key.id:
                continue
            if key.algorithm == COSIGNATURE_V1:
                if len(signature.signature) != 72:
                    return None
                timestamp = struct.unpack(">Q", signature.signature[:8])[0]
                valid = key.verify(cosigned_message(self.text, timestamp), signature.signature[8:])
            else:
                valid = key.verify(self.text.encode(), signature.signature)
            return signature if valid else None
        return None


def sign_note(text: str, key: SignerKey) -> Note:
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("a note's text ends with one newline and has no blank line")
    return Note(text, (Signature(key.name, key.verifier.id, key.sign(text.encode())),))


def cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def cosign(text: str, key: SignerKey, timestamp: int) -> Signature:
    """A witness's cosignature on a checkpoint's text (c2sp.org/tlog-cosignature)."""
    if key.algorithm != COSIGNATURE_V1:
        raise NoteError("a witness cosigns with a cosignature/v1 key")
    signature = key.sign(cosigned_message(text, timestamp))
    return Signature(key.name, key.verifier.id, struct.pack(">Q", timestamp) + signature)


def cosignature_time(signature: Signature) -> int:
    return struct.unpack(">Q", signature.signature[:8])[0]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> "Checkpoint":
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("a checkpoint is an origin, a size and a root hash, one per line")
        origin, size, root, *extensions = lines[:-1]
        if not origin or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError("a checkpoint's size is a decimal number")
        try:
            root_hash = base64.b64decode(root, validate=True)
        except binascii.Error:
            raise NoteError("a checkpoint's root hash is not base64") from None
        if len(root_hash) != 32:
            raise NoteError("a checkpoint's root hash is 32 bytes")
        return cls(origin, int(size), root_hash, tuple(extensions))


def open_checkpoint(message: str, *, origin: str, keys: list[VerifierKey]) -> tuple[Checkpoint, Note]:
    """Parse a signed checkpoint and check that one of ``keys`` signed it for
    ``origin``; NoteError otherwise."""
    note = Note.parse(message)
    checkpoint = Checkpoint.parse(note.text)
    if checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for {checkpoint.origin!r}, not {origin!r}")
    if not any(note.signed_by(key) for key in keys):
        raise NoteError("no known key signed the checkpoint")
    return checkpoint, note
