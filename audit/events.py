"""The one registry of audit event types. Add new types here, nowhere else.

The model field is a plain string column without choices, so a new type needs
no migration: audit_record refuses a type that is not in EventType, and pages,
filters and the API take their labels and choices from here
(event_type_label, organization_event_choices)."""

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
    USER_SUSPENDED = "user.suspended", _("Account suspended by iCentrex staff")
    USER_REINSTATED = "user.reinstated", _("Account reinstated by iCentrex staff")
    USER_DELETED = "user.deleted", _("Account deleted by iCentrex staff")
    USER_ERASED = "user.erased", _("Account deleted at the person's request")
    DATA_EXPORT_REQUESTED = "data.export_requested", _("Copy of your data requested")
    DATA_EXPORT_DOWNLOADED = "data.export_downloaded", _("Copy of your data downloaded")
    ERASURE_REQUESTED = "data.erasure_requested", _("Account deletion requested")
    ERASURE_CANCELLED = "data.erasure_cancelled", _("Account deletion cancelled")
    ERASURE_STARTED = "data.erasure_started", _("Account deletion started")
    SUBJECT_REQUEST_OPENED = "data.subject_request_opened", _("Data-subject request logged")
    SUBJECT_REQUEST_EXTENDED = "data.subject_request_extended", _("Data-subject request deadline extended")
    SUBJECT_REQUEST_CLOSED = "data.subject_request_closed", _("Data-subject request answered")
    SUBJECT_REQUEST_IDENTITY = (
        "data.subject_request_identity",
        _("Data-subject request identity check recorded"),
    )
    RECORD_OF_PROCESSING_GENERATED = "data.record_generated", _("Record of processing generated")
    ORG_SUBPROCESSOR_NOTICES = "org.subprocessor_notices", _("Sub-processor notices turned on or off")
    ORG_SUBPROCESSOR_OBJECTION = "org.subprocessor_objection", _("Objection to a sub-processor change")
    STAFF_OPENED_PERSONAL_DATA = "staff.opened_personal_data", _("iCentrex staff opened your data")
    RETENTION_APPLIED = "data.retention_applied", _("Retention period applied")
    ORG_CREATED = "org.created", _("Organisation created")
    ORG_MEMBER_ROLE_CHANGED = "org.member_role_changed", _("Member role changed")
    ORG_MEMBER_REMOVED = "org.member_removed", _("Member removed")
    ORG_MEMBER_LEFT = "org.member_left", _("Member left")
    ORG_OWNERSHIP_TRANSFERRED = "org.ownership_transferred", _("Ownership transferred")
    TEAM_CREATED = "org.team_created", _("Team created")
    TEAM_MEMBER_ADDED = "org.team_member_added", _("Team member added")
    ORG_RENAMED = "org.renamed", _("Organisation renamed")
    ORG_DELETED = "org.deleted", _("Organisation deleted")
    TEAM_RENAMED = "org.team_renamed", _("Team renamed")
    TEAM_DELETED = "org.team_deleted", _("Team deleted")
    TEAM_MEMBER_ROLE_CHANGED = "org.team_member_role_changed", _("Team role changed")
    TEAM_MEMBER_REMOVED = "org.team_member_removed", _("Team member removed")
    INVITATION_CREATED = "org.invitation_created", _("Invitation sent")
    INVITATION_ACCEPTED = "org.invitation_accepted", _("Invitation accepted")
    INVITATION_DECLINED = "org.invitation_declined", _("Invitation declined")
    INVITATION_REVOKED = "org.invitation_revoked", _("Invitation revoked")
    DATA_POLICY_CHANGED = "org.data_policy_changed", _("Data policy changed")
    MEMBER_DATA_REVIEWED = "org.member_data_reviewed", _("Member data reviewed")
    MEMBER_DATA_EXPORTED = "org.member_data_exported", _("Member data exported")
    MEMBER_DATA_EXPORT_DOWNLOADED = "org.member_data_export_downloaded", _("Member data export downloaded")
    COOKIE_DECLARATION_PUBLISHED = "cookies.declaration_published", _("Cookie declaration published")
    POLICY_DRAFTED = "policy.drafted", _("Policy version drafted")
    POLICY_PUBLISHED = "policy.published", _("Policy version published")
    MINOR_REPORT_RECEIVED = "support.minor_report_received", _("Report of a child under 13 received")
    MINOR_REPORT_DISMISSED = "support.minor_report_dismissed", _("Report of a child under 13 dismissed")
    PRIVACY_QUESTION_RECEIVED = "support.question_received", _("Privacy question received")
    PRIVACY_QUESTION_ANSWERED = "support.question_answered", _("Privacy question answered")
    PRIVACY_QUESTION_CLOSED = "support.question_closed", _("Privacy question closed")
    PRIVACY_QUESTION_REOPENED = "support.question_reopened", _("Privacy question reopened")
    SUPPORT_CASE_OPENED = "support.case_opened", _("Support case opened")
    SUPPORT_CASE_REPORTER_REPLIED = "support.case_reporter_replied", _("Reply added to a support case")
    SUPPORT_CASE_STAFF_REPLIED = "support.case_staff_replied", _("Support case answered by staff")
    SUPPORT_CASE_NOTE_ADDED = "support.case_note_added", _("Internal note added to a support case")
    SUPPORT_CASE_ASSIGNED = "support.case_assigned", _("Support case assigned")
    SUPPORT_CASE_STATUS_CHANGED = "support.case_status_changed", _("Support case status changed")
    SUPPORT_CASE_SHARED = "support.case_shared", _("Support case shared, masked, with the organisation")
    SUPPORT_SHARED_CASE_REPLY = "support.shared_case_reply", _("Organisation replied to a shared case")
    INTEGRATION_INSTALLED = "integration.installed", _("Integration added")
    INTEGRATION_REMOVED = "integration.removed", _("Integration removed")
    PROVIDER_CHANGED = "integration.provider_changed", _("Provider register changed")
    DOMAIN_CLAIMED = "org.domain_claimed", _("Email domain claimed")
    DOMAIN_VERIFIED = "org.domain_verified", _("Email domain verified")
    DOMAIN_REVOKED = "org.domain_revoked", _("Email domain claim revoked")


# The types that go into an organisation's audit log: audit_record refuses an
# organisation for any other, so the log's filters (API and console) offer exactly
# what the log can hold. A new organisation event is added here too.
ORGANIZATION_EVENT_TYPES = frozenset(
    {
        *(t for t in EventType if t.value.startswith("org.")),
        EventType.RETENTION_APPLIED,
        EventType.INTEGRATION_INSTALLED,
        EventType.INTEGRATION_REMOVED,
        EventType.SUPPORT_SHARED_CASE_REPLY,
        EventType.RECORD_OF_PROCESSING_GENERATED,
    }
)


def organization_event_choices() -> list[tuple[str, str]]:
    """(value, label) of every organisation event type, in registry order."""
    return [(t.value, t.label) for t in EventType if t in ORGANIZATION_EVENT_TYPES]


def event_type_label(value: str) -> str:
    """The readable label of a stored event type, in the active language. A
    type that has left the registry still has rows in the chain: it shows as
    its code."""
    try:
        return str(EventType(value).label)
    except ValueError:
        return value
