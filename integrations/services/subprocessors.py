"""Sub-processor changes (issue 20): the public list is the active service
providers of the register; adding or changing one is announced at once and
applied ``SUBPROCESSOR_NOTICE_DAYS`` later, so customers can object in between.

The notices fan out the way the other notices do: planned once per change
(one delivery row per subscriber, unique), claimed in batches under row locks,
each batch sent and marked sent — with an evidence row per notice — in the
transaction that sends it; the hourly sweep plans what was not planned and
sends what was not sent. Objections are evidence rows too. Both are the
"subprocessors" evidence stream, sealed like the sharing log."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, RuleViolation
from core.mail import render_plain_text, render_subject, with_controller_footer
from core.tasks import enqueue_on_commit
from organizations.models import Membership
from organizations.roles import Scope, roles_with_scope
from organizations.selectors import require_scope
from subjects.services import subject_key_for_user

from .. import tasks
from ..models import (
    Provider,
    SubprocessorChange,
    SubprocessorEvidence,
    SubprocessorNoticeDelivery,
    SubprocessorSubscription,
)

# What subscribers are told about; other register fields (a description, the
# agreement's reference) change at once.
NOTICE_FIELDS = ("name", "service", "role", "purpose", "fields", "country", "transfer_mechanism")
PLAN_BATCH = 1000
SEND_BATCH = 200
OBJECTION_MAX = 2000
UNSUBSCRIBE_SALT = "integrations.subprocessors.unsubscribe"


def _summary(provider: Provider, kind: str, changed: dict | None = None) -> str:
    if kind == SubprocessorChange.Kind.CHANGE:
        return "; ".join(f"{field}: {old!s} → {new!s}" for field, (old, new) in (changed or {}).items())
    where = f"{provider.country or '?'}, {provider.transfer_mechanism or 'no transfer mechanism recorded'}"
    return f"{provider.name} ({provider.get_service_display()}; {where}): {provider.purpose}"


def subprocessor_change_schedule(
    *, provider: Provider, kind: str, actor=None, changed: dict | None = None, request=None
) -> SubprocessorChange:
    """Announce a change of the sub-processor list now (call it in the
    transaction of the register change). ``changed``: {field: (old, new)} for
    a change. Adding and changing take effect after the notice period;
    removing at once."""
    now = timezone.now()
    removing = kind == SubprocessorChange.Kind.REMOVE
    change = SubprocessorChange.objects.create(
        provider=provider,
        kind=kind,
        values={field: new for field, (_old, new) in (changed or {}).items()},
        summary=_summary(provider, kind, changed),
        announced_at=now,
        effective_on=timezone.localdate()
        + timedelta(days=0 if removing else settings.SUBPROCESSOR_NOTICE_DAYS),
        applied_at=now if removing else None,
    )
    audit_record(
        event_type=EventType.PROVIDER_CHANGED,
        actor=actor,
        target=provider,
        changes={
            "action": "subprocessor_change_scheduled",
            "provider": provider.slug,
            "kind": kind,
            "effective_on": change.effective_on.isoformat(),
        },
        request=request,
    )
    enqueue_on_commit(tasks.subprocessor_notices_plan, change.pk)
    return change


def subprocessor_changes_apply(*, today=None) -> int:
    """Apply every change whose notice period is over (hourly, Celery beat):
    an added sub-processor becomes active, a changed one takes its new values.
    Each once: the change row is locked and marked applied with it."""
    today = today or timezone.localdate()
    applied = 0
    due = SubprocessorChange.objects.filter(applied_at__isnull=True, effective_on__lte=today)
    for change_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            change = (
                SubprocessorChange.objects.select_for_update(skip_locked=True)
                .filter(pk=change_id, applied_at__isnull=True)
                .select_related("provider")
                .first()
            )
            if change is None:
                continue
            provider = Provider.objects.select_for_update().get(pk=change.provider_id)
            if change.kind == SubprocessorChange.Kind.ADD:
                provider.active = True
            for field, value in change.values.items():
                setattr(provider, field, value)
            provider.save()
            change.applied_at = timezone.now()
            change.save(update_fields=["applied_at"])
            audit_record(
                event_type=EventType.PROVIDER_CHANGED,
                target=provider,
                changes={
                    "action": "subprocessor_change_applied",
                    "provider": provider.slug,
                    "kind": change.kind,
                },
            )
            applied += 1
    return applied


# --- Subscriptions --------------------------------------------------------------------------


def _token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()


def subprocessor_subscribe_organization(*, actor: Membership, subscribe: bool, request=None) -> bool:
    """An owner or administrator turns the organisation's notices on or off.
    Its owners and administrators receive them."""
    require_scope(actor, Scope.SUBPROCESSORS_MANAGE)
    organization = actor.organization
    with transaction.atomic():
        if subscribe:
            _subscription, created = SubprocessorSubscription.objects.get_or_create(
                organization=organization,
                defaults={"subscribed_by": actor.user, "confirmed_at": timezone.now()},
            )
            changed = created
        else:
            changed = bool(SubprocessorSubscription.objects.filter(organization=organization).delete()[0])
        if changed:
            audit_record(
                event_type=EventType.ORG_SUBPROCESSOR_NOTICES,
                actor=actor.user,
                organization_id=organization.pk,
                target=organization,
                changes={"subscribed": subscribe},
                request=request,
            )
    return changed


def subprocessor_subscribe_email(*, email: str, language: str) -> str | None:
    """Anyone: subscribe an address, confirmed by the link emailed to it
    (double opt-in). Asking again re-sends the link; an address already
    confirmed is told nothing new (no one learns whether it subscribed)."""
    email = email.strip().lower()
    token, token_hash = _token()
    with transaction.atomic():
        subscription = (
            SubprocessorSubscription.objects.select_for_update()
            .filter(email=email, organization=None)
            .first()
        )
        if subscription is not None and subscription.confirmed_at:
            return None
        if subscription is None:
            subscription = SubprocessorSubscription(email=email)
        subscription.token_hash, subscription.language = token_hash, language
        subscription.save()
        enqueue_on_commit(tasks.subprocessor_confirmation_send, subscription.pk, token)
    return token


def _by_token(token: str) -> SubprocessorSubscription | None:
    if not token or len(token) > 100:
        return None
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    return SubprocessorSubscription.objects.filter(token_hash=token_hash, organization=None).first()


def subprocessor_subscription_confirm(*, token: str) -> SubprocessorSubscription:
    subscription = _by_token(token)
    if subscription is None:
        raise RuleViolation(_("This link is not valid (any more)."), code="invalid_token")
    if not subscription.confirmed_at:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


def unsubscribe_token(subscription: SubprocessorSubscription) -> str:
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)


def subprocessor_unsubscribe(*, token: str) -> bool:
    """The link in every notice to a subscribed address: the subscription
    goes. A link whose subscription is gone already answers the same."""
    try:
        subscription_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise RuleViolation(_("This link is not valid."), code="invalid_token") from None
    return bool(SubprocessorSubscription.objects.filter(pk=subscription_id, organization=None).delete()[0])


# --- Objections -----------------------------------------------------------------------------


def subprocessor_objection_raise(*, actor: Membership, change: SubprocessorChange, text: str, request=None):
    """An owner or administrator objects to a change for the organisation,
    within its notice period. Evidence, and audited in the organisation's log."""
    require_scope(actor, Scope.SUBPROCESSORS_MANAGE)
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_("Say what the organisation objects to."), code="objection_empty")
    if len(text) > OBJECTION_MAX:
        raise RuleViolation(_("Keep the objection under 2,000 characters."), code="objection_too_long")
    if not change.objections_open:
        raise Conflict(
            _("This change has taken effect: its notice period is over."), code="notice_period_over"
        )
    with transaction.atomic():
        record = _evidence(
            kind=SubprocessorEvidence.Kind.OBJECTION,
            change=change,
            organization_id=actor.organization_id,
            raised_by_subject=subject_key_for_user(user=actor.user),
            text=text,
        )
        SubprocessorEvidence.objects.bulk_create([record])
        audit_record(
            event_type=EventType.ORG_SUBPROCESSOR_OBJECTION,
            actor=actor.user,
            organization_id=actor.organization_id,
            target=change,
            changes={"provider": change.provider.slug, "change": str(change.public_id)},
            request=request,
        )
    return record


def _evidence(*, kind, change, **values) -> SubprocessorEvidence:
    record = SubprocessorEvidence(
        kind=kind,
        change_id=change.pk,
        provider_slug=change.provider.slug,
        occurred_at=timezone.now(),
        **values,
    )
    record.record_hash = record.compute_hash()
    return record


# --- The fan-out --------------------------------------------------------------------------------


def subprocessor_notices_plan(*, change_id: int) -> int:
    """One delivery per confirmed subscriber, in batches; idempotent (unique
    per change and subscriber). Returns the deliveries planned."""
    change = SubprocessorChange.objects.filter(pk=change_id).first()
    if change is None:
        return 0
    planned, after = 0, 0
    subscribers = SubprocessorSubscription.objects.filter(confirmed_at__isnull=False).order_by("pk")
    while True:
        ids = list(subscribers.filter(pk__gt=after).values_list("pk", flat=True)[:PLAN_BATCH])
        if not ids:
            break
        SubprocessorNoticeDelivery.objects.bulk_create(
            [SubprocessorNoticeDelivery(change=change, subscription_id=pk) for pk in ids],
            ignore_conflicts=True,
        )
        planned, after = planned + len(ids), ids[-1]
    SubprocessorChange.objects.filter(pk=change.pk, planned_at__isnull=True).update(planned_at=timezone.now())
    return planned


def _recipients(subscription: SubprocessorSubscription) -> list[tuple[str, str]]:
    """(address, language) of whoever a subscription reaches."""
    if subscription.organization_id is None:
        return [(subscription.email, subscription.language or settings.LANGUAGE_CODE)]
    readers = Membership.objects.filter(
        organization_id=subscription.organization_id,
        role__in=roles_with_scope(Scope.SUBPROCESSORS_MANAGE),
        user__is_active=True,
    ).values_list("user__email", "user__language")
    return [(email, language or settings.LANGUAGE_CODE) for email, language in readers]


def subprocessor_notices_send(*, max_batches: int | None = None) -> int:
    """Send planned notices: batches claimed under row locks (SKIP LOCKED),
    sent over one connection, marked sent with their evidence rows in the
    transaction that sends them; at most ``max_batches`` (all when None).
    Returns the notices sent."""
    site = settings.SITE_URL.rstrip("/")
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">")
    sent, batches = 0, 0
    while max_batches is None or batches < max_batches:
        batches += 1
        with transaction.atomic():
            batch = list(
                SubprocessorNoticeDelivery.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(sent_at__isnull=True)
                .select_related("change__provider", "subscription__organization")
                .order_by("pk")[:SEND_BATCH]
            )
            if not batch:
                return sent
            messages, evidence = [], []
            for delivery in batch:
                subscription, change = delivery.subscription, delivery.change
                # An address subscribed by email leaves with a signed link (stable, nothing stored).
                token = unsubscribe_token(subscription) if subscription.organization_id is None else ""
                for email, language in _recipients(subscription):
                    context = {
                        "change": change,
                        "provider": change.provider,
                        "organization": subscription.organization,
                        "list_url": site + reverse("subprocessors"),
                        "object_url": site
                        + reverse("org_subprocessors", args=[subscription.organization.slug])
                        if subscription.organization
                        else "",
                        "unsubscribe_url": site + reverse("subprocessors_unsubscribe") + f"?t={token}"
                        if token
                        else "",
                    }
                    with translation.override(language):
                        subject = render_subject(
                            "integrations/email/subprocessor_notice_subject.txt", context
                        )
                        body = with_controller_footer(
                            render_plain_text("integrations/email/subprocessor_notice_body.txt", context)
                        )
                    message = EmailMessage(subject, body, None, [email])
                    message.extra_headers["Message-ID"] = (
                        f"<subprocessor-notice-{delivery.pk}-{len(messages)}@{domain}>"
                    )
                    messages.append(message)
                evidence.append(
                    _evidence(
                        kind=SubprocessorEvidence.Kind.NOTICE_SENT,
                        change=change,
                        organization_id=subscription.organization_id,
                        subscription_id=subscription.pk,
                    )
                )
            if messages:
                mailers.default.send_messages(messages)
            SubprocessorNoticeDelivery.objects.filter(pk__in=[d.pk for d in batch]).update(
                sent_at=timezone.now()
            )
            SubprocessorEvidence.objects.bulk_create(evidence)
            sent += len(batch)
    return sent


def subprocessor_confirmation_send(*, subscription_id: int, token: str) -> str:
    subscription = SubprocessorSubscription.objects.filter(
        pk=subscription_id, confirmed_at__isnull=True
    ).first()
    if subscription is None:
        return "skipped"
    site = settings.SITE_URL.rstrip("/")
    context = {
        "confirm_url": site + reverse("subprocessors_confirm") + f"?t={token}",
        "list_url": site + reverse("subprocessors"),
    }
    with translation.override(subscription.language or settings.LANGUAGE_CODE):
        subject = render_subject("integrations/email/subprocessor_confirm_subject.txt", context)
        body = with_controller_footer(
            render_plain_text("integrations/email/subprocessor_confirm_body.txt", context)
        )
    mailers.default.send_messages([EmailMessage(subject, body, None, [subscription.email])])
    return "sent"
