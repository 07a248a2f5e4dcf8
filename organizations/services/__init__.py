"""Organisations: creating them, their members and roles, teams, invitations
and data policy, and what deleting an account does to them. Every service that
changes state writes its audit event in its own transaction.

One module per concern; the service functions are re-exported here, so callers
import them from ``organizations.services``:

- ``organizations``: creating and renaming an organisation
- ``members``: role changes, removing a member (or leaving), handing on primary ownership
- ``teams``: teams and their members, and the team-manager rule they follow
- ``invitations``: inviting, and the invitee's answer
- ``data_policy``: the organisation's data policy and reviews of a member's data
- ``erasure``: what deleting an account does to its memberships and invitations

Email-domain claims and disclosures are the ``domains`` app's.
"""

from .data_policy import DATA_POLICY_FIELDS, data_policy_update, member_data_review
from .erasure import memberships_end_for_deleted_account, person_erase_organization_data
from .invitations import invitation_accept, invitation_create, invitation_decline, invitation_revoke
from .members import membership_change_role, membership_remove, organization_transfer_ownership
from .organizations import organization_create, organization_rename
from .teams import (
    require_team_manager,
    team_create,
    team_delete,
    team_member_add,
    team_member_change_role,
    team_member_remove,
    team_rename,
)

__all__ = [
    "DATA_POLICY_FIELDS",
    "data_policy_update",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_revoke",
    "member_data_review",
    "membership_change_role",
    "membership_remove",
    "memberships_end_for_deleted_account",
    "organization_create",
    "organization_rename",
    "organization_transfer_ownership",
    "person_erase_organization_data",
    "require_team_manager",
    "team_create",
    "team_delete",
    "team_member_add",
    "team_member_change_role",
    "team_member_remove",
    "team_rename",
]
