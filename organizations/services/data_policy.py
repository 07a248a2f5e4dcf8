"""The organisation's data policy, and the reviews of a member's data it allows."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Forbidden, RuleViolation

from ..models import DataPolicy, Membership
from ..roles import Scope, role_can_grant
from ..selectors import data_policy_for, member_data_record, require_scope

DATA_POLICY_FIELDS = ("retention_days", "review_allowed_for", "notify_member_on_review", "export_allowed_for")


def data_policy_update(*, actor: Membership, request=None, **values) -> DataPolicy:
    """Owners change the organisation's data policy; every change is audited."""
    require_scope(actor, Scope.SETTINGS_WRITE)
    unknown = set(values) - set(DATA_POLICY_FIELDS)
    if unknown:
        raise RuleViolation(_("Unknown policy field."), code="invalid")
    days = values.get("retention_days")
    if days is not None and days < 1:
        # The database's check (org_data_policy_retention_positive) would refuse it with a 500.
        raise RuleViolation(
            _("Keep member content for at least one day, or leave it empty to keep it until deleted."),
            code="retention_too_short",
        )
    with transaction.atomic():
        policy, _created = DataPolicy.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        changes = {
            field: [getattr(policy, field), value]
            for field, value in values.items()
            if getattr(policy, field) != value
        }
        if not changes:
            return policy
        for field, (_old, new) in changes.items():
            setattr(policy, field, new)
        policy.save()
        audit_record(
            event_type=EventType.DATA_POLICY_CHANGED,
            actor=actor.user,
            organization_id=actor.organization_id,
            target=policy,
            changes=changes,
            request=request,
        )
    return policy


def member_data_review(*, actor: Membership, member: Membership, reason: str, request=None) -> dict:
    """Open a member's data record, where the organisation's policy allows it.
    The review and its reason are audited; the member is told if the policy says so."""
    require_scope(actor, Scope.MEMBER_DATA_REVIEW)
    policy = data_policy_for(organization=actor.organization)
    if not policy.allows("review_allowed_for", actor.role):
        raise Forbidden(
            _("The organisation's data policy does not allow you to review member data."),
            code="review_not_allowed",
        )
    if not role_can_grant(actor.role, member.role):
        raise Forbidden(_("You cannot review someone above your own role."), code="role_above_own")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise RuleViolation(
            _("Say why you review this member's data (at least 10 characters)."), code="reason_required"
        )
    with transaction.atomic():
        audit_record(
            event_type=EventType.MEMBER_DATA_REVIEWED,
            actor=actor.user,
            subject=member.user,
            organization_id=member.organization_id,
            target=member,
            changes={"member_notified": policy.notify_member_on_review},
            personal_changes={"reason": reason},
            request=request,
        )
    return member_data_record(member=member)
