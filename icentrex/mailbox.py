"""The embedded profile's local mailbox: every email the app sends is kept as a
file a person can read at /dev/mailbox/ (DEBUG only), links and all, instead of
quoted-printable text scrolling past on the console.

Each message is one RFC 5322 ``.eml`` file, written by whichever process sent
it (usually the Celery worker) and read by the web server; the file name sorts
by time. The console gets one decoded line per message pointing at it."""

import email
import email.policy
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.mail.backends.base import BaseEmailBackend

_NAME_CHARS = frozenset("0123456789abcdef-.")
_LINK_SALT = "icentrex.mailbox"


def mail_link_key(name: str) -> str:
    """The key in a message's console link: whoever ran bin/run can open that
    one mail before they can sign in (the address-confirmation email, say)."""
    return signing.Signer(salt=_LINK_SALT).sign(name).rsplit(":", 1)[1]


class MailboxBackend(BaseEmailBackend):
    def __init__(self, *, folder: str, **kwargs):
        super().__init__(**kwargs)
        self.folder = Path(folder)

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            data = message.message().as_bytes()
            # Nanoseconds since the epoch first: names sort by the time they were sent.
            name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
            # Written under a temporary name and renamed, so the mailbox page never reads half a message.
            partial = self.folder / f".{name}.partial"
            partial.write_bytes(data)
            os.replace(partial, self.folder / name)
            link = f"{settings.SITE_URL.rstrip('/')}/dev/mailbox/{name}?k={mail_link_key(name)}"
            to = ", ".join(message.recipients())
            sys.stdout.write(f"Mail to {to}: {message.subject} — read it at {link}\n")
            sys.stdout.flush()
            sent += 1
        return sent


@dataclass(frozen=True)
class StoredMail:
    name: str
    sent_at: datetime
    to: list[str]
    subject: str
    body: str
    headers: list[tuple[str, str]]

    def is_for(self, address: str) -> bool:
        return address.lower() in (recipient.lower() for recipient in self.to)


def _parse(path: Path) -> StoredMail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    part = message.get_body(preferencelist=("plain", "html"))
    to = [address.addr_spec for header in message.get_all("To", []) for address in header.addresses]
    return StoredMail(
        name=path.name,
        sent_at=datetime.fromtimestamp(int(path.name.split("-", 1)[0]) / 1e9, tz=UTC),
        to=to,
        subject=str(message.get("Subject", "")),
        body=part.get_content() if part is not None else "",
        headers=[(key, str(value)) for key, value in message.items()],
    )


def mailbox_folder() -> Path | None:
    """The folder of the configured mailbox backend, or None when another backend sends mail."""
    config = settings.MAILERS.get("default", {})
    if config.get("BACKEND") != f"{__name__}.MailboxBackend":
        return None
    return Path(config["OPTIONS"]["folder"])


def mailbox_list(folder: Path) -> list[StoredMail]:
    """Newest first."""
    if not folder.is_dir():
        return []
    return [_parse(path) for path in sorted(folder.glob("*.eml"), reverse=True)]


def mailbox_get(folder: Path, name: str) -> StoredMail | None:
    # Only names this backend writes: nothing outside the folder can be asked for.
    if not name.endswith(".eml") or not set(name[:-4]) <= _NAME_CHARS or name.startswith("."):
        return None
    path = folder / name
    return _parse(path) if path.is_file() else None
