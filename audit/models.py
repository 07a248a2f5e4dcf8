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
