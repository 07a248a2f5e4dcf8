"""Pseudonymous subjects and per-person encryption (crypto-shredding).

DESIGN.md, "Records that are evidence": evidence names people only by a subject
key, and a personal value it must hold is encrypted under that person's key.
"""

import json
import uuid
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from .models import SubjectLink


@cache
def _master(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _master_fernet() -> MultiFernet:
    return _master(tuple(settings.EVIDENCE_MASTER_KEYS))


def subject_link_for_user(*, user) -> SubjectLink:
    """The user's subject link, created on first need (also under concurrency)."""
    link = SubjectLink.objects.filter(user=user).first()
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return SubjectLink.objects.create(
                user=user, wrapped_key=_master_fernet().encrypt(Fernet.generate_key())
            )
    except IntegrityError:
        return SubjectLink.objects.get(user=user)


def subject_links_ensure(*, user_ids) -> None:
    """Give every one of these users a subject link (bulk, for fan-outs that
    write evidence about thousands of people at once)."""
    missing = set(user_ids) - set(
        SubjectLink.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    if missing:
        master = _master_fernet()
        SubjectLink.objects.bulk_create(
            [
                SubjectLink(user_id=pk, wrapped_key=master.encrypt(Fernet.generate_key()))
                for pk in sorted(missing)
            ],
            ignore_conflicts=True,
        )


def subject_sealers_for(*, user_ids) -> dict[int, tuple[uuid.UUID, Fernet]]:
    """Each user's subject key and own Fernet, for sealing many values at once
    (the disclosure job). Links are created in bulk where missing; a fresh
    key is used as generated instead of being unwrapped again."""
    user_ids = list(user_ids)
    master = _master_fernet()
    sealers = {
        user_id: (subject_key, Fernet(master.decrypt(bytes(wrapped))))
        for user_id, subject_key, wrapped in _links_of(user_ids)
    }
    fresh = {user_id: (uuid.uuid4(), Fernet.generate_key()) for user_id in user_ids if user_id not in sealers}
    if fresh:
        rows = [(user_id, key, master.encrypt(raw)) for user_id, (key, raw) in fresh.items()]
        created = _links_create(rows)
        for user_id in created:
            key, raw = fresh[user_id]
            sealers[user_id] = (key, Fernet(raw))
        # A concurrent writer linked the others first: theirs stands.
        for user_id, subject_key, wrapped in _links_of([pk for pk in fresh if pk not in created]):
            sealers[user_id] = (subject_key, Fernet(master.decrypt(bytes(wrapped))))
    return sealers


def _links_of(user_ids: list[int]):
    if not user_ids:
        return []
    if connection.vendor == "postgresql":  # one array parameter, not thousands of IN parameters
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT user_id, subject_key, wrapped_key FROM subjects_subjectlink WHERE user_id = ANY(%s)",
                [user_ids],
            )
            return cursor.fetchall()
    return SubjectLink.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "subject_key", "wrapped_key"
    )


def _links_create(rows: list[tuple[int, uuid.UUID, bytes]]) -> set[int]:
    """Insert (user id, subject key, wrapped key) rows, skipping users already
    linked; returns the users linked here."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO subjects_subjectlink (user_id, subject_key, wrapped_key, created_at) "
                "SELECT u, k, w, now() FROM unnest(%s::bigint[], %s::uuid[], %s::bytea[]) AS r(u, k, w) "
                "ON CONFLICT (user_id) DO NOTHING RETURNING user_id",
                [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
            )
            return {user_id for (user_id,) in cursor.fetchall()}
    SubjectLink.objects.bulk_create(
        [SubjectLink(user_id=u, subject_key=k, wrapped_key=w) for u, k, w in rows], ignore_conflicts=True
    )
    mine = {(u, k) for u, k, _w in rows}
    stored = SubjectLink.objects.filter(user_id__in=[r[0] for r in rows]).values_list(
        "user_id", "subject_key"
    )
    return {user_id for user_id, key in stored if (user_id, key) in mine}


def subject_key_for_user(*, user) -> uuid.UUID:
    return subject_link_for_user(user=user).subject_key


def secret_seal(value: str) -> str:
    """Encrypt a secret the application must use again later (an integration's
    signing secret) under the master keys."""
    return _master_fernet().encrypt(value.encode()).decode()


def secret_unseal(token: str) -> str:
    return _master_fernet().decrypt(token.encode()).decode()


def _person_fernet(link: SubjectLink) -> Fernet:
    return Fernet(_master_fernet().decrypt(bytes(link.wrapped_key)))


def subject_seal(*, subject_key: uuid.UUID, value) -> str:
    """Encrypt a JSON-able value under the person's key; the token is text so it
    can take part in an evidence row's hash as it is."""
    link = SubjectLink.objects.get(subject_key=subject_key)
    return _person_fernet(link).encrypt(json.dumps(value).encode()).decode()


class Unsealer:
    """Decrypts many sealed values, looking each person's key up once."""

    def __init__(self):
        self._fernets: dict[uuid.UUID, Fernet | None] = {}

    def prefetch(self, subject_keys) -> "Unsealer":
        """Look up many people's keys in one query (a page of evidence rows)."""
        wanted = {key for key in subject_keys if key and key not in self._fernets}
        if wanted:
            found = {link.subject_key: link for link in SubjectLink.objects.filter(subject_key__in=wanted)}
            for key in wanted:
                self._fernets[key] = _person_fernet(found[key]) if key in found else None
        return self

    def __call__(self, *, subject_key: uuid.UUID | None, token: str):
        """The sealed value, or None once the person is erased (link and key gone)."""
        if not subject_key or not token:
            return None
        if subject_key not in self._fernets:
            link = SubjectLink.objects.filter(subject_key=subject_key).first()
            self._fernets[subject_key] = _person_fernet(link) if link else None
        fernet = self._fernets[subject_key]
        if fernet is None:
            return None
        try:
            return json.loads(fernet.decrypt(token.encode()))
        except InvalidToken:
            return None


def subject_unseal(*, subject_key: uuid.UUID | None, token: str):
    """The sealed value, or None once the person is erased (link and key gone)."""
    return Unsealer()(subject_key=subject_key, token=token)


def subject_shred(*, user) -> bool:
    """Crypto-shred a person: delete their subject link and, with it, their own
    key. Evidence rows keep their subject key and still verify, but nothing
    links them to the person any more and their sealed values cannot be
    decrypted. Call it last, inside the transaction that erases the person:
    anything that records an event about them afterwards would create a new,
    unrelated link. Returns whether there was a link to delete."""
    deleted, _ = SubjectLink.objects.filter(user=user).delete()
    return bool(deleted)
