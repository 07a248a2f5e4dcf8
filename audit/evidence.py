"""Shared pieces for append-only evidence models (audit now; consent, sharing
and disclosure records later)."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

GENESIS_HASH = "0" * 64


class EvidenceImmutableError(Exception):
    """Raised when code tries to change or delete an evidence row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise EvidenceImmutableError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise EvidenceImmutableError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed; PostgreSQL enforces the same by
    trigger (audit.db.append_only_trigger)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise EvidenceImmutableError(f"{type(self).__name__} rows are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EvidenceImmutableError(f"{type(self).__name__} rows are append-only")


def content_hash(content: dict, prev_hash: str = "") -> str:
    """SHA-256 over a canonical JSON form of ``content`` and the previous hash."""
    canonical = json.dumps(
        {"content": content, "prev": prev_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def evidence_purge(queryset) -> int:
    """Delete evidence rows whose retention period has ended: the one path by
    which the product removes evidence (data_requests.retention calls it; the
    register says which rows and when). Sealed streams keep each deleted row's
    leaf in its seal, and the purge is recorded in the audit chain, so the
    seals still verify and an unrecorded deletion is still caught. Rows that
    others point at must be deleted first (no cascades here)."""
    from .db import PURGE_SETTING

    postgres = connection.vendor == "postgresql"
    # Transaction-local, and switched off again at once: the rest of the caller's
    # transaction stays under the trigger (an error rolls the setting back with the savepoint).
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        deleted = queryset._raw_delete(queryset.db)
        if postgres:
            cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
    return deleted
