"""Support: reports of children under 13, privacy questions, support cases and
their masked sharing with organisations.

One module per concern; the service functions are re-exported here, so callers
import them from ``support.services``:

- ``minor_reports``: reports of a child under 13 and their handling
- ``privacy_questions``: privacy questions and staff's replies
- ``cases``: support cases, from the reporter and from staff
- ``case_shares``: a case shared, masked, with its organisation, and the organisation's replies
- ``erasure``: what erasure and retention do to support records
"""

from .case_shares import (
    EXTRA_MAX,
    FIELDS,
    PHRASE_MAX,
    case_mask_preview,
    case_masked_version,
    case_share,
    reporter_identity,
    shared_case_reply,
)
from .cases import (
    case_add_internal_note,
    case_assign,
    case_open,
    case_reply_by_reporter,
    case_reply_by_staff,
    case_set_status,
)
from .erasure import organization_support_retention, person_erase_support_data
from .minor_reports import (
    minor_report_create,
    minor_report_delete_account,
    minor_report_dismiss,
    minor_report_suspend_account,
)
from .privacy_questions import (
    privacy_question_close,
    privacy_question_create,
    privacy_question_reopen,
    privacy_question_reply,
)

__all__ = [
    "EXTRA_MAX",
    "FIELDS",
    "PHRASE_MAX",
    "case_add_internal_note",
    "case_assign",
    "case_mask_preview",
    "case_masked_version",
    "case_open",
    "case_reply_by_reporter",
    "case_reply_by_staff",
    "case_set_status",
    "case_share",
    "minor_report_create",
    "minor_report_delete_account",
    "minor_report_dismiss",
    "minor_report_suspend_account",
    "organization_support_retention",
    "person_erase_support_data",
    "privacy_question_close",
    "privacy_question_create",
    "privacy_question_reopen",
    "privacy_question_reply",
    "reporter_identity",
    "shared_case_reply",
]
