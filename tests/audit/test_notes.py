"""Signed notes, checkpoints and cosignatures (audit.notes) against the
known answers of the reference implementation, Go's
golang.org/x/mod/sumdb/note, and the C2SP specification's example."""

import base64

import pytest

from audit import notes

# From the documentation and tests of golang.org/x/mod/sumdb/note.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
    + "fqdngotpRZb6KE6RyyBwJnAM=\n"
)
# From c2sp.org/signed-note, "Verifier keys".
SPEC_VERIFIER = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def test_signing_reproduces_the_reference_note_byte_for_byte():
    signer = notes.SignerKey.parse(GO_SIGNER)
    assert str(signer) == GO_SIGNER
    assert str(signer.verifier) == GO_VERIFIER
    assert str(notes.sign_note(GO_TEXT, signer)) == GO_NOTE


@pytest.mark.parametrize(("verifier", "message"), [(GO_VERIFIER, GO_NOTE), (SPEC_VERIFIER, SPEC_NOTE)])
def test_reference_notes_verify(verifier, message):
    key = notes.VerifierKey.parse(verifier)
    assert str(key) == verifier
    assert notes.Note.parse(message).signed_by(key) is not None


def test_a_changed_text_or_signature_or_another_key_does_not_verify():
    key = notes.VerifierKey.parse(GO_VERIFIER)
    assert notes.Note.parse(GO_NOTE.replace("problem,", "problem;")).signed_by(key) is None
    other = notes.SignerKey.generate("PeterNeumann")
    assert notes.Note.parse(str(notes.sign_note(GO_TEXT, other))).signed_by(key) is None
    raw = bytearray(base64.b64decode(GO_NOTE.rsplit(" ", 1)[1]))
    raw[-1] ^= 1
    flipped = GO_NOTE.rsplit(" ", 1)[0] + " " + base64.b64encode(bytes(raw)).decode() + "\n"
    assert notes.Note.parse(flipped).signed_by(key) is None


@pytest.mark.parametrize(
    "message",
    [
        GO_TEXT,  # no signature block
        GO_TEXT + "\n",  # an empty one
        GO_TEXT + "\n- PeterNeumann x08go/ZJkuBS9UG\n",  # a hyphen, not the em dash
        GO_TEXT + "\n— PeterNeumann not*base64\n",
        GO_TEXT + "\n— Peter Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX=\n",
    ],
)
def test_malformed_notes_are_refused(message):
    with pytest.raises(notes.NoteError):
        notes.Note.parse(message)


@pytest.mark.parametrize(
    "key",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # the id does not match
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4",  # too short
        "PeterNeumann+c74f20a3",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_verifier_keys_are_refused(key):
    with pytest.raises(notes.NoteError):
        notes.VerifierKey.parse(key)


def test_checkpoints_round_trip_and_open_only_for_their_origin_and_key():
    signer = notes.SignerKey.generate("log.example")
    checkpoint = notes.Checkpoint("log.example/transparency/consent", 42, bytes(range(32)))
    text = checkpoint.text()
    assert text == "log.example/transparency/consent\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
    message = str(notes.sign_note(text, signer))
    opened, _note = notes.open_checkpoint(message, origin=checkpoint.origin, keys=[signer.verifier])
    assert opened == checkpoint
    with pytest.raises(notes.NoteError, match="not"):
        notes.open_checkpoint(message, origin="log.example/transparency/sharing", keys=[signer.verifier])
    with pytest.raises(notes.NoteError, match="no known key"):
        notes.open_checkpoint(
            message, origin=checkpoint.origin, keys=[notes.SignerKey.generate("log.example").verifier]
        )


@pytest.mark.parametrize(
    "text",
    [
        "origin\n-1\nAAAA\n",
        "origin\n01\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
        "origin\n1\nAAAA\n",
        "origin\n1\n",
    ],
)
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(notes.NoteError):
        notes.Checkpoint.parse(text)


def test_a_cosignature_covers_the_text_and_its_time():
    witness = notes.SignerKey.generate("witness.example", notes.COSIGNATURE_V1)
    text = notes.Checkpoint("log.example/transparency/audit", 7, bytes(32)).text()
    signature = notes.cosign(text, witness, 1_790_000_000)
    assert len(signature.signature) == 72 and notes.cosignature_time(signature) == 1_790_000_000
    cosigned = notes.Note(text, (signature,))
    assert cosigned.signed_by(witness.verifier) == signature
    # The key id covers the algorithm: the same key as a log key is another key.
    assert witness.verifier.id != notes.VerifierKey(witness.name, witness.verifier.public_key).id
    later = notes.Note(
        text, (notes.Signature(signature.name, signature.id, b"\0" * 8 + signature.signature[8:]),)
    )
    assert later.signed_by(witness.verifier) is None
    other = notes.Note(notes.Checkpoint("log.example/transparency/audit", 8, bytes(32)).text(), (signature,))
    assert other.signed_by(witness.verifier) is None
    with pytest.raises(notes.NoteError):
        notes.cosign(text, notes.SignerKey.generate("log.example"), 1)
