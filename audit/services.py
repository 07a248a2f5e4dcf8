from django.db import connection, transaction
from django.utils import timezone

from core.net import client_ip, truncate_ip
from subjects.services import subject_key_for_user, subject_seal

from .events import ORGANIZATION_EVENT_TYPES, EventType
from .evidence import GENESIS_HASH
from .models import AuditEvent

# The column has no choices (audit.events): the registry is checked here, before anything is written.
_KNOWN_EVENT_TYPES = frozenset(EventType.values)

# Any constant identifies the audit chain's advisory lock.
_CHAIN_LOCK_ID = 0x1CE7A0D1


def _lock_chain_head():
    """Serialise chain writers: each new row needs the hash of the row before it.
    Audit volume is low, so one writer at a time costs nothing that matters; the
    lock is released when the surrounding transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def _target_type(target) -> str:
    """What events call the target's kind: its model's label, unless the model
    says otherwise (``audit_target_type``, kept by a model that moved to another
    app so that its old and new events name it alike)."""
    if target is None:
        return ""
    return getattr(type(target), "audit_target_type", None) or target._meta.label_lower


def audit_record(
    *,
    event_type: EventType,
    actor=None,
    subject=None,
    target=None,
    organization_id: int | None = None,
    changes: dict | None = None,
    personal_changes: dict | None = None,
    request=None,
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the change it
    records, so both commit or neither does.

    ``actor`` is the user who acted (None for the system or an anonymous
    visitor); ``subject`` the person the event is about (defaults to the actor).
    ``changes`` holds non-personal values in clear; ``personal_changes`` (old
    and new email addresses, say) are sealed under the subject's own key.
    An ``event_type`` that is not in ``EventType`` is a programming error:
    ValueError, and nothing is written.
    """
    if event_type not in _KNOWN_EVENT_TYPES:
        raise ValueError(f"unknown audit event type {event_type!r}: add it to audit.events.EventType")
    if organization_id is not None and event_type not in ORGANIZATION_EVENT_TYPES:
        raise ValueError(f"{event_type} is not an organisation event (audit.events.ORGANIZATION_EVENT_TYPES)")
    subject = subject if subject is not None else actor
    subject_key = subject_key_for_user(user=subject) if subject is not None else None
    if actor is None:
        actor_key = None
    elif actor == subject:
        actor_key = subject_key
    else:
        actor_key = subject_key_for_user(user=actor)
    sealed = ""
    if personal_changes:
        if subject_key is None:
            raise ValueError("personal values need a subject to seal them for")
        sealed = subject_seal(subject_key=subject_key, value=personal_changes)

    event = AuditEvent(
        occurred_at=timezone.now(),
        event_type=event_type,
        actor_subject=actor_key,
        organization_id=organization_id,
        target_type=_target_type(target),
        target_id=str(target.pk) if target is not None else "",
        subject_key=subject_key,
        changes=changes or {},
        sealed_changes=sealed,
        ip_prefix=truncate_ip(client_ip(request)),
    )
    with transaction.atomic():
        _lock_chain_head()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS_HASH
        event.hash = event.compute_hash()
        event.save()
    return event
