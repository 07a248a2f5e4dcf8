from datetime import UTC

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.register import EVIDENCE_REASON, Exported, PersonalData, Pseudonymised

from .events import event_type_label
from .evidence import AppendOnlyModel, content_hash


class AuditEvent(AppendOnlyModel):
    """One thing that happened, written in the same transaction as the change.

    Append-only and hash-chained: ``hash`` covers this row's content and the
    previous row's hash, so editing, deleting or reordering a row breaks the
    chain (``manage.py evidence_verify --stream audit`` finds where). People
    appear only as subject keys; personal old/new values sit in
    ``sealed_changes``, encrypted under the person's key.
    """

    personal_data = PersonalData(
        activity="accountability",
        categories=("activity_log",),
        person="subject_key, actor_subject",
        export=Exported(
            "audit_events",
            _("Every event about you or done by you, with the personal values sealed for you decrypted."),
        ),
        erasure=Pseudonymised(
            _("Kept unchanged, and unlinked from you: your subject key no longer leads to you."),
            EVIDENCE_REASON,
        ),
        retention=_("Kept for the life of the service: the chain is verified from its first event."),
    )

    occurred_at = models.DateTimeField(_("time (UTC)"))
    # No model choices: audit.events.EventType is the registry, checked by
    # audit_record, so adding a type needs no migration.
    event_type = models.CharField(_("event"), max_length=64)
    actor_subject = models.UUIDField(_("actor"), null=True, blank=True)
    # The organisation the event belongs to; a foreign key once organisations exist
    # (kept as a plain column so deleting an organisation never touches evidence).
    organization_id = models.BigIntegerField(null=True, blank=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    subject_key = models.UUIDField(_("about"), null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    sealed_changes = models.TextField(blank=True)
    ip_prefix = models.CharField(_("network"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["subject_key", "-id"], name="audit_event_subject_idx"),
            models.Index(fields=["actor_subject", "-id"], name="audit_event_actor_idx"),
            models.Index(fields=["organization_id", "-id"], name="audit_event_org_idx"),
        ]

    def __str__(self):
        # The admin's label for evidence: ISO 8601 in UTC, the time the row was hashed with.
        return f"{self.occurred_at.astimezone(UTC).isoformat(timespec='seconds')} {self.event_type}"

    def get_event_type_display(self) -> str:
        """The event's label from the registry, as a field with choices would give it."""
        return event_type_label(self.event_type)

    def hashed_content(self) -> dict:
        return {
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "event_type": self.event_type,
            "actor_subject": str(self.actor_subject) if self.actor_subject else None,
            "organization_id": self.organization_id,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "subject_key": str(self.subject_key) if self.subject_key else None,
            "changes": self.changes,
            "sealed_changes": self.sealed_changes,
            "ip_prefix": self.ip_prefix,
        }

    def compute_hash(self) -> str:
        return content_hash(self.hashed_content(), self.prev_hash)


class LogLeaf(AppendOnlyModel):
    """One entry of an evidence stream's transparency log (audit.transparency):
    the row it stands for (``record_seq``, the stream's own ordering column)
    and its RFC 6962 leaf hash, at ``leaf_index``. Appended once, never
    changed: a leaf's position is what every later checkpoint signs."""

    stream = models.CharField(max_length=32)
    leaf_index = models.BigIntegerField()
    record_seq = models.BigIntegerField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "leaf_index"], name="audit_log_leaf_index"),
            models.UniqueConstraint(fields=["stream", "record_seq"], name="audit_log_leaf_record"),
        ]

    def __str__(self):
        return f"{self.stream} leaf {self.leaf_index} (row {self.record_seq})"


class LogTile(models.Model):
    """Up to 256 consecutive node hashes of one level of a log's tree, as
    Tessera and the tlog-tiles layout store them: tile level L holds the
    complete subtrees of 256**L leaves. Proofs and roots read these instead of
    the leaves. Not evidence — a derived index the leaves rebuild, and a wrong
    tile only yields proofs that fail against the signed checkpoints — so the
    edge tile of each level is rewritten as it fills."""

    stream = models.CharField(max_length=32)
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hashes = models.BinaryField(max_length=256 * 32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "level", "index"], name="audit_log_tile_unique"),
        ]

    def __str__(self):
        return f"{self.stream} tile {self.level}/{self.index} ({len(self.hashes) // 32} hashes)"


class LogCheckpoint(AppendOnlyModel):
    """A signed checkpoint of a log (c2sp.org/tlog-checkpoint): its size and
    root hash, and the signed note exactly as published. One per size."""

    stream = models.CharField(max_length=32)
    size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "size"], name="audit_log_checkpoint_size"),
        ]

    def __str__(self):
        return f"{self.stream} checkpoint at {self.size}"


class LogState(models.Model):
    """Where integration stands for one log: bookkeeping, not evidence. Its
    row is the integrator's lock (one at a time per stream).

    ``through_seq``: every source row up to it is in the log, or was given up
    as never committed. A row number above it that is missing while higher
    ones are in is a gap: a transaction that took its number and has not
    committed yet, or rolled back. ``gaps`` lists them as ``[first, last,
    first seen (Unix seconds)]``; the integrator waits for each at most
    TRANSPARENCY_LATE_COMMIT_GRACE_SECONDS, then gives it up (a row that
    commits later still is found by the sweep and by verification)."""

    stream = models.CharField(max_length=32, primary_key=True)
    size = models.BigIntegerField(default=0)
    through_seq = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list, blank=True)

    def __str__(self):
        return f"{self.stream} log of {self.size} leaves"


class LogVerification(AppendOnlyModel):
    """A verification of a log that passed (audit.logverify): the tree it
    verified (size, root, and the compact range that lets the next one go on
    from there without re-reading the leaves) and how far the rows were
    found all logged. Append-only: a later verification that finds the log
    shorter or with another root at this size has found a rollback or rewrite."""

    stream = models.CharField(max_length=32)
    size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    frontier = models.BinaryField()
    through_seq = models.BigIntegerField()
    full = models.BooleanField()
    verified_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["stream", "size"], name="audit_logver_stream_size")]

    def __str__(self):
        return f"{self.stream} verified at {self.size} leaves"


class LogCosignature(AppendOnlyModel):
    """A witness's cosignature (c2sp.org/tlog-cosignature) on one of our
    checkpoints, as the witness sent it: the signature line, checked against
    the witness's key in TRANSPARENCY_WITNESSES before it was kept. Published
    with the checkpoint, so a reader who trusts the witness need not trust us."""

    stream = models.CharField(max_length=32)
    size = models.BigIntegerField()
    witness = models.CharField(max_length=200)
    line = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "size", "witness"], name="audit_log_cosignature_once"),
        ]

    def __str__(self):
        return f"{self.witness} cosigned {self.stream} at {self.size}"
