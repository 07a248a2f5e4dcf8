"""A witness for our transparency logs: an independent party that remembers
the last checkpoint it cosigned for each log and cosigns a newer one only
after checking, with a consistency proof, that it extends that one
(c2sp.org/tlog-witness describes the role; c2sp.org/tlog-cosignature the
signature).

It shares nothing with the app but HTTP: its key and its memory are files in
its own directory (``state``), it reads the app's public URLs only, and it
sends its cosignatures back over HTTP. So a log rewritten in the app's
database — truncated, with a suffix replaced, or forked — is caught by the
witness however self-consistent the database is: the new checkpoint either
is smaller than the one it remembers (a rollback or shrink), has the same
size and another root (a fork), or comes with no valid consistency proof
from it (a rewrite). It then refuses to cosign, records an alarm and keeps
refusing until an operator looks (its memory is not moved past the alarm).

Nothing here imports the app's models: audit.notes and audit.tlog are pure
functions over bytes.
"""

import base64
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from . import tlog
from .notes import COSIGNATURE_V1, Checkpoint, Note, NoteError, SignerKey, VerifierKey, cosign

WELL_KNOWN = "/.well-known/icentrex-transparency.json"
TIMEOUT = 10


class WitnessAlarm(Exception):
    """The log showed a history that contradicts what this witness cosigned."""


class WitnessRefusal(Exception):
    """A checkpoint the witness cannot check (unreachable, malformed, unknown key)."""

    def __init__(self, message: str, status: int | None = None):
        self.status = status  # the HTTP status, when the log answered one
        super().__init__(message)


@dataclass(frozen=True)
class Outcome:
    origin: str
    size: int
    status: str  # "cosigned", "unchanged", "empty", "alarm", "refused"
    detail: str = ""


def _get(url: str, *, accept: str = "*/*") -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "icentrex-witness"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (configured http/https URLs)
            return response.read(1 << 20)
    except urllib.error.HTTPError as error:
        raise WitnessRefusal(f"cannot read {url}: {error}", status=error.code) from None
    except (urllib.error.URLError, OSError) as error:
        raise WitnessRefusal(f"cannot read {url}: {error}") from None


class Witness:
    """One witness: ``state`` holds ``witness.key`` (made on first use),
    ``logs.json`` (per log origin: the size and root last cosigned and the
    log's keys, pinned on first contact unless given) and ``alarms.jsonl``."""

    def __init__(self, state: Path, *, name: str | None = None):
        self.state = Path(state)
        self.state.mkdir(parents=True, exist_ok=True)
        key_file = self.state / "witness.key"
        if not key_file.exists():
            key = SignerKey.generate(name or f"witness.{socket.gethostname()}", COSIGNATURE_V1)
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(f"{key}\n")
        self.key = SignerKey.parse(key_file.read_text().strip())
        self.logs_file = self.state / "logs.json"
        self.logs: dict[str, dict] = json.loads(self.logs_file.read_text()) if self.logs_file.exists() else {}

    @property
    def verifier(self) -> VerifierKey:
        return self.key.verifier

    # --- memory ---------------------------------------------------------------------------

    def _save(self) -> None:
        temporary = self.logs_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.logs, indent=2, sort_keys=True))
        os.replace(temporary, self.logs_file)  # never a half-written memory

    def _alarm(self, origin: str, size: int, reason: str) -> Outcome:
        entry = {"at": int(time.time()), "origin": origin, "size": size, "reason": reason}
        with open(self.state / "alarms.jsonl", "a") as out:
            out.write(json.dumps(entry) + "\n")
        return Outcome(origin, size, "alarm", reason)

    # --- checking ---------------------------------------------------------------------------

    def check_site(self, site: str, *, log_keys: list[VerifierKey] | None = None) -> list[Outcome]:
        """Witness every log a site lists at its well-known URL (``site`` is its
        base URL or that URL itself)."""
        url = site if site.endswith(WELL_KNOWN) else site.rstrip("/") + WELL_KNOWN
        try:
            listing = json.loads(_get(url, accept="application/json"))
            logs = listing["logs"]
        except (ValueError, KeyError, TypeError) as error:
            raise WitnessRefusal(f"{url} is not a transparency listing: {error}") from None
        published_keys = listing.get("keys", [])
        return [self.check_log({"keys": published_keys, **log}, log_keys=log_keys) for log in logs]

    def check_log(self, log: dict, *, log_keys: list[VerifierKey] | None = None) -> Outcome:
        """Fetch a log's latest checkpoint and cosign it if it extends the
        last one cosigned. ``log`` is an entry of the well-known listing."""
        origin = log["origin"]
        try:
            return self._check(log, origin, log_keys)
        except WitnessRefusal as refusal:
            if refusal.status == 404 and origin not in self.logs:
                return Outcome(origin, 0, "empty", "no checkpoint yet")
            if refusal.status == 404 and not self.logs[origin].get("alarm"):
                return self._refuse(origin, 0, "rollback: the log publishes no checkpoint any more")
            return Outcome(origin, 0, "refused", str(refusal))

    def _check(self, log: dict, origin: str, log_keys: list[VerifierKey] | None) -> Outcome:
        known = self.logs.get(origin)
        if known is not None and known.get("alarm"):
            return Outcome(origin, known["size"], "alarm", f"still refusing since: {known['alarm']}")
        keys = log_keys or [VerifierKey.parse(key) for key in (known or {}).get("keys", [])]
        if not keys:
            keys = [VerifierKey.parse(key) for key in log.get("keys", [])]  # trust on first contact
        message = _get(log["checkpoint"], accept="text/plain").decode("utf-8", "replace")
        try:
            note = Note.parse(message)
            checkpoint = Checkpoint.parse(note.text)
        except NoteError as error:
            raise WitnessRefusal(f"the checkpoint is malformed: {error}") from None
        if checkpoint.origin != origin:
            raise WitnessRefusal(f"the checkpoint names {checkpoint.origin!r}, not {origin!r}")
        if not any(note.signed_by(key) for key in keys):
            raise WitnessRefusal("the checkpoint is not signed by a key this witness knows for the log")

        if known is not None:
            old_size, old_root = known["size"], base64.b64decode(known["root"])
            if checkpoint.size < old_size:
                return self._refuse(
                    origin, checkpoint.size, f"rollback: size {checkpoint.size} after {old_size}"
                )
            if checkpoint.size == old_size:
                if checkpoint.root != old_root:
                    return self._refuse(origin, checkpoint.size, f"fork: another root for size {old_size}")
                if note.signed_by(self.verifier):
                    return Outcome(origin, checkpoint.size, "unchanged")
            elif old_size:
                proof = self._consistency_proof(log, old_size, checkpoint.size)
                try:
                    tlog.verify_consistency(
                        first=old_size,
                        second=checkpoint.size,
                        proof=proof,
                        first_root=old_root,
                        second_root=checkpoint.root,
                    )
                except tlog.ProofError as error:
                    return self._refuse(
                        origin,
                        checkpoint.size,
                        f"the tree of {checkpoint.size} does not extend "
                        f"the cosigned tree of {old_size} ({error})",
                    )

        cosignature = cosign(note.text, self.key, int(time.time()))
        self._submit(log, note.text + "\n" + cosignature.line())
        self.logs[origin] = {
            "size": checkpoint.size,
            "root": base64.b64encode(checkpoint.root).decode(),
            "keys": [str(key) for key in keys],
            "cosigned_at": int(time.time()),
        }
        self._save()
        return Outcome(origin, checkpoint.size, "cosigned")

    def _refuse(self, origin: str, size: int, reason: str) -> Outcome:
        self.logs[origin] = {**self.logs[origin], "alarm": reason}
        self._save()
        return self._alarm(origin, size, reason)

    def _consistency_proof(self, log: dict, first: int, second: int) -> list[bytes]:
        query = urllib.parse.urlencode({"first": first, "second": second})
        body = _get(f"{log['consistency_proof']}?{query}", accept="application/json")
        try:
            return [base64.b64decode(node, validate=True) for node in json.loads(body)["proof"]]
        except (ValueError, KeyError, TypeError) as error:
            raise WitnessRefusal(f"the consistency proof is malformed: {error}") from None

    def _submit(self, log: dict, cosigned: str) -> None:
        """Send the cosigned checkpoint back, for the log to publish. A log that
        does not take it does not stop the witness: its memory is what counts."""
        url = log.get("cosignatures")
        if not url:
            return
        request = urllib.request.Request(
            url, data=cosigned.encode(), method="POST", headers={"Content-Type": "text/plain; charset=utf-8"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT):  # noqa: S310
                pass
        except (urllib.error.URLError, OSError) as error:
            raise WitnessRefusal(f"the log did not take the cosignature: {error}") from None
