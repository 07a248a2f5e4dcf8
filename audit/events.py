"""The one registry of audit event types. Add new types here, nowhere else."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    USER_SIGNED_UP = "user.signed_up", _("Account created")
    USER_SIGNED_IN = "user.signed_in", _("Signed in")
    USER_SIGN_IN_FAILED = "user.sign_in_failed", _("Failed sign-in")
    USER_SIGNED_OUT = "user.signed_out", _("Signed out")
    USER_PROFILE_CHANGED = "user.profile_changed", _("Profile changed")
    PASSWORD_CHANGED = "user.password_changed", _("Password changed")
    PASSWORD_RESET = "user.password_reset", _("Password reset by email")
    EMAIL_ADDED = "user.email_added", _("Email address added")
    EMAIL_CONFIRMED = "user.email_confirmed", _("Email address confirmed")
    EMAIL_CHANGED = "user.email_changed", _("Primary email address changed")
    EMAIL_REMOVED = "user.email_removed", _("Email address removed")
    MFA_ENABLED = "user.mfa_added", _("Two-factor method added")
    MFA_REMOVED = "user.mfa_removed", _("Two-factor method removed")
    MFA_RECOVERY_CODES_REGENERATED = "user.mfa_reset", _("Recovery codes regenerated")
    API_TOKEN_CREATED = "user.api_token_created", _("API token created")
    API_TOKEN_REVOKED = "user.api_token_revoked", _("API token revoked")
    ORG_CREATED = "org.created", _("Organisation created")
    ORG_MEMBER_ADDED = "org.member_added", _("Member added")
    ORG_MEMBER_ROLE_CHANGED = "org.member_role_changed", _("Member role changed")
    ORG_MEMBER_REMOVED = "org.member_removed", _("Member removed")
    ORG_MEMBER_LEFT = "org.member_left", _("Member left")
    ORG_OWNERSHIP_TRANSFERRED = "org.ownership_transferred", _("Ownership transferred")
    TEAM_CREATED = "org.team_created", _("Team created")
    TEAM_MEMBER_ADDED = "org.team_member_added", _("Team member added")
    ORG_RENAMED = "org.renamed", _("Organisation renamed")
    TEAM_RENAMED = "org.team_renamed", _("Team renamed")
    TEAM_DELETED = "org.team_deleted", _("Team deleted")
    TEAM_MEMBER_ROLE_CHANGED = "org.team_member_role_changed", _("Team role changed")
    TEAM_MEMBER_REMOVED = "org.team_member_removed", _("Team member removed")
