from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import is_privacy_officer
from audit.events import EventType
from audit.services import audit_record
from icentrex.errors import Conflict, Forbidden, RuleViolation
from icentrex.net import client_ip, truncate_ip
from subjects.services import subject_key_for_user

from .models import PolicyAcceptance, PolicyDocument, PolicyVersion
from .selectors import published_versions


def _require_officer(actor) -> None:
    if not is_privacy_officer(actor):
        raise Forbidden(_("Only privacy officers publish policies."), code="not_privacy_officer")


def policy_draft_create(
    *, actor, document: PolicyDocument, body: str, summary: str, effective_at, material: bool, request=None
) -> PolicyVersion:
    _require_officer(actor)
    if not body.strip():
        raise RuleViolation(_("The policy text is empty."), code="empty_version")
    with transaction.atomic():
        version = PolicyVersion.objects.create(
            document=document, body=body, summary=summary, effective_at=effective_at, material=material
        )
        audit_record(
            event_type=EventType.POLICY_DRAFTED,
            actor=actor,
            target=version,
            changes={"document": document.slug, "material": material},
            request=request,
        )
    return version


def policy_publish(*, actor, version: PolicyVersion, request=None) -> PolicyVersion:
    """Publish a draft: it gets the next number and a fingerprint, and is never
    changed again. Refused for an empty text or one identical to the newest
    published version."""
    _require_officer(actor)
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
        if version.is_published:
            raise Conflict(_("This version is already published."), code="already_published")
        if not version.body.strip():
            raise RuleViolation(_("The policy text is empty."), code="empty_version")
        latest = published_versions(document=version.document).first()
        if latest is not None and latest.body.strip() == version.body.strip():
            raise Conflict(_("The text is the same as the version in force."), code="unchanged_version")
        number = (published_versions(document=version.document).aggregate(n=Max("number"))["n"] or 0) + 1
        version.number = number
        # One UPDATE that turns the draft into a published version; after it the
        # row is frozen (the model refuses changes, PostgreSQL by trigger too).
        PolicyVersion.objects.filter(pk=version.pk).update(
            number=number,
            status=PolicyVersion.Status.PUBLISHED,
            published_at=timezone.now(),
            published_by_subject=subject_key_for_user(user=actor),
            content_hash=version.compute_hash(),
        )
        version.refresh_from_db()
        audit_record(
            event_type=EventType.POLICY_PUBLISHED,
            actor=actor,
            target=version,
            changes={
                "document": version.document.slug,
                "number": number,
                "material": version.material,
                "hash": version.content_hash,
            },
            request=request,
        )
    return version


def policy_accept(*, user, version: PolicyVersion, how: str, request=None) -> PolicyAcceptance:
    """Record that the person accepted a published version (idempotent: a
    second acceptance of the same version returns the first)."""
    if not version.is_published:
        raise RuleViolation(_("Only published versions can be accepted."), code="not_published")
    subject_key = subject_key_for_user(user=user)
    existing = PolicyAcceptance.objects.filter(version=version, subject_key=subject_key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return PolicyAcceptance.objects.create(
                version=version, subject_key=subject_key, how=how, ip_prefix=truncate_ip(client_ip(request))
            )
    except IntegrityError:
        return PolicyAcceptance.objects.get(version=version, subject_key=subject_key)
