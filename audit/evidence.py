"""Shared pieces for append-only evidence models (audit now; consent, sharing
and disclosure records later)."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

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
