from django.db import transaction

from audit.events import EventType
from audit.services import audit_record
from subjects.services import subject_key_for_user

from .declaration import declaration_content, declaration_hash
from .models import CookieCategory, DeclarationRevision
from .selectors import current_revision


def declaration_publish(*, actor, request=None) -> DeclarationRevision:
    """Record the declaration as it now stands as a new revision (no-op when
    nothing changed). Privacy officers call this after editing cookies."""
    content = declaration_content(CookieCategory)
    digest = declaration_hash(content)
    with transaction.atomic():
        existing = DeclarationRevision.objects.filter(content_hash=digest).first()
        latest = DeclarationRevision.objects.order_by("-id").first()
        if existing is not None and existing == latest:
            return existing
        revision = DeclarationRevision.objects.create(
            content=content,
            content_hash=digest,
            created_by_subject=subject_key_for_user(user=actor) if actor else None,
        )
        audit_record(
            event_type=EventType.COOKIE_DECLARATION_PUBLISHED,
            actor=actor,
            target=revision,
            changes={"hash": digest, "previous": latest.content_hash if latest else None},
            request=request,
        )
    current_revision.forget()
    return revision
