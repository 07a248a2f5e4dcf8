"""What deleting an account does to organisations: its memberships end
(primary ownership passes on, an organisation of one goes with it), and the
invitations to its addresses go (core.register)."""

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict

from ..models import Invitation, Membership, Organization
from ..roles import OrgRole
from ..selectors import organizations_blocking_account_deletion


def memberships_end_for_deleted_account(*, actor, user, request=None) -> dict:
    """Take an account iCentrex staff are deleting out of every organisation,
    keeping the rule that an organisation always has an owner. ``actor`` is the
    staff member; the caller has checked they may delete accounts.

    - An ordinary membership ends, as if an admin had removed it.
    - A primary owner's primary ownership passes to the longest-standing other
      owner (who already holds every owner right, so nobody gains a role), then
      the membership ends.
    - An organisation the person is the only member of is deleted with them:
      nobody else has a claim to it, and it would be left without an owner.
    - Where the person is the only owner and others are members, nothing
      changes and Conflict names those organisations: choosing a new owner is
      the organisation's decision, not iCentrex's.
    """
    with transaction.atomic():
        memberships = list(
            Membership.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(user=user)
            .order_by("pk")
        )
        blocking = [org.name for org in organizations_blocking_account_deletion(user=user)]
        if blocking:
            raise Conflict(
                _(
                    "The account is the only owner of %(names)s, which has other members. "
                    "The organisation must get another owner first."
                )
                % {"names": ", ".join(blocking)},
                code="sole_owner",
            )
        summary = {"memberships_removed": 0, "primary_ownership_passed_on": 0, "organizations_deleted": 0}
        for membership in memberships:
            others = Membership.objects.filter(organization_id=membership.organization_id).exclude(
                pk=membership.pk
            )
            if not others.exists():
                _organization_delete(actor=actor, organization=membership.organization, request=request)
                summary["organizations_deleted"] += 1
                continue
            if membership.is_primary_owner:
                _pass_on_primary_ownership(actor=actor, membership=membership, others=others, request=request)
                summary["primary_ownership_passed_on"] += 1
            audit_record(
                event_type=EventType.ORG_MEMBER_REMOVED,
                actor=actor,
                subject=user,
                organization_id=membership.organization_id,
                target=membership,
                changes={"role": membership.role, "account_deleted": True},
                request=request,
            )
            membership.delete()
            summary["memberships_removed"] += 1
    return summary


def _pass_on_primary_ownership(*, actor, membership: Membership, others, request=None) -> None:
    successor = (
        others.select_for_update(of=("self",))
        .select_related("user")
        .filter(role=OrgRole.OWNER)
        .order_by("joined_at", "pk")
        .first()
    )
    if successor is None:  # the other owner left since organizations_blocking_account_deletion looked
        raise Conflict(_("The organisation must get another owner first."), code="sole_owner")
    # One primary owner per organisation (a constraint): the old flag goes first.
    membership.is_primary_owner = False
    membership.save(update_fields=["is_primary_owner"])
    successor.is_primary_owner = True
    successor.save(update_fields=["is_primary_owner"])
    audit_record(
        event_type=EventType.ORG_OWNERSHIP_TRANSFERRED,
        actor=actor,
        subject=successor.user,
        organization_id=successor.organization_id,
        target=successor,
        changes={"primary_owner": True, "account_deleted": True},
        request=request,
    )


def _organization_delete(*, actor, organization: Organization, request=None) -> None:
    """Delete an organisation with everything in it (teams, invitations, its data
    policy, export records); the export files go once the deletion commits."""
    files = [name for name in organization.exports.exclude(file="").values_list("file", flat=True)]
    audit_record(
        event_type=EventType.ORG_DELETED,
        actor=actor,
        organization_id=organization.pk,
        target=organization,
        changes={"last_member_deleted": True},
        request=request,
    )
    organization.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


def person_erase_organization_data(*, user, addresses: list[str]) -> dict:
    """What erasure does to the organisations' records about a person (after
    their memberships ended): invitations to their addresses go; invitations
    they sent stay with the organisation, no longer linked to them
    (core.register). Domain claims and disclosures: domains.services."""
    with transaction.atomic():
        return {
            "invitations_deleted": Invitation.objects.filter(email__in=addresses).delete()[0],
            "invitations_unlinked": Invitation.objects.filter(invited_by=user).update(invited_by=None),
        }
