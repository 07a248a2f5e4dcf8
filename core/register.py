"""The register of personal data, in code (issue 9).

Every model that holds personal data declares, next to the model, a
``personal_data = PersonalData(...)`` saying what happens to its rows

- on **export** (a copy of one's data): which file of the ZIP they go to and
  how, or why they are left out;
- on **erasure** (the person deletes their account): deleted, or kept and
  unlinked from the person (pseudonymised), with the legal reason;
- under **retention**: how long they are kept;
- in the **records of processing**: the activity it serves and the
  categories of data it holds (``core.processing``).

Models of other packages (Django's, allauth's) are declared in ``THIRD_PARTY``
below. ``tests/data_requests/test_register.py`` fails for any model related
to a person — a relation to the user or a membership, a pseudonymous subject
key, an email address — that has no declaration, and checks the declarations
against what the export job writes and what erasure leaves behind. The account
deletion page shows the register to the person in plain words.

This module imports no models: models import it.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .processing import check_categories

# The files of a personal export, in the order the ZIP holds them.
EXPORT_KINDS = {
    "profile": _("Your profile, sign-in addresses, two-factor methods, API tokens and requests"),
    "memberships": _("Your organisations, roles, teams, invitations and reviews of your data"),
    "consent": _("Your cookie consent records (with receipts), current choices and linked devices"),
    "policies": _("Policy change notices you were sent and the versions you accepted"),
    "data_sharing": _("What was shared about you with integrations and service providers"),
    "disclosures": _("Disclosures of your work address to the organisation that owns its domain"),
    "support_cases": _("Your support cases, privacy questions and reports you sent"),
    "audit_events": _("The audit trail of what you did and what was done to your account"),
}


@dataclass(frozen=True)
class Exported:
    """Included in ``kind``'s file of the export, as ``how`` says."""

    kind: str
    how: str

    def __post_init__(self):
        if self.kind not in EXPORT_KINDS:
            raise ValueError(f"unknown export kind {self.kind!r}")


@dataclass(frozen=True)
class NotExported:
    """Left out of the export, for the reason given."""

    why: str


@dataclass(frozen=True)
class Deleted:
    """Erasure deletes the rows (or, for the account itself, everything in it
    that identifies the person)."""

    how: str


@dataclass(frozen=True)
class Pseudonymised:
    """Erasure keeps the rows but unlinks them from the person, for the legal
    reason given: they name the person by a subject key whose link and
    personal key erasure deletes, or their link to the account is cleared."""

    how: str
    legal_reason: str


@dataclass(frozen=True)
class PersonalData:
    """What happens to a model's personal data. ``person`` says how a row
    leads to the person (a field path, for the tests and the reader);
    ``activity`` is the processing activity it serves and ``categories`` the
    kinds of personal data it holds (core.processing), which the records of
    processing are generated from."""

    person: str
    export: Exported | NotExported
    erasure: Deleted | Pseudonymised
    retention: str
    activity: str
    categories: tuple[str, ...]

    def __post_init__(self):
        check_categories(self.activity, self.categories)


# --- Models of other packages ------------------------------------------------------

THIRD_PARTY = {
    "account.emailaddress": PersonalData(
        activity="account",
        categories=("contact",),
        person="user",
        export=Exported("profile", _("Every address with whether it is verified and primary.")),
        erasure=Deleted(_("All your sign-in addresses are deleted.")),
        retention=_("Kept while the account exists."),
    ),
    "account.emailconfirmation": PersonalData(
        activity="account",
        categories=("contact",),
        person="email_address__user",
        export=NotExported(_("A one-time confirmation key, of no use to you once sent.")),
        erasure=Deleted(_("Deleted with the address it confirms.")),
        retention=_("Until the address is confirmed or removed."),
    ),
    "mfa.authenticator": PersonalData(
        activity="account",
        categories=("credentials",),
        person="user",
        export=Exported(
            "profile",
            _("The kind of each two-factor method and when it was added and last used; never its secret."),
        ),
        erasure=Deleted(_("Your two-factor methods and recovery codes are deleted.")),
        retention=_("Kept while the account exists."),
    ),
    "sessions.session": PersonalData(
        activity="account",
        categories=("identity",),
        person="session_data (the signed-in account's id, encoded)",
        export=NotExported(_("Technical sign-in state, holding only your account's id.")),
        erasure=Deleted(_("Every session signed in to your account ends and is deleted.")),
        retention=_("Until the session expires or you sign out."),
    ),
    "admin.logentry": PersonalData(
        activity="accountability",
        categories=("activity_log",),
        person="user, or object_id of the account",
        export=NotExported(_("Administrators' change log of the back office, about iCentrex staff work.")),
        erasure=Deleted(_("Back-office log entries about your account are deleted.")),
        retention=_("Kept while the account exists."),
    ),
    "accounts.user_groups": PersonalData(
        activity="accountability",
        categories=("identity",),
        person="user",
        export=NotExported(_("Staff groups only; customers belong to none.")),
        erasure=Deleted(_("Group memberships are cleared.")),
        retention=_("Kept while the account exists."),
    ),
    "accounts.user_user_permissions": PersonalData(
        activity="accountability",
        categories=("identity",),
        person="user",
        export=NotExported(_("Staff permissions only; customers have none.")),
        erasure=Deleted(_("Permissions are cleared.")),
        retention=_("Kept while the account exists."),
    ),
}

# The legal reasons used by the evidence models, said once.
EVIDENCE_REASON = _(
    "Evidence that iCentrex kept its promises (GDPR art. 5(2) accountability, art. 7(1) proof of "
    "consent, art. 30 records of processing). The row names you only by a pseudonymous key; erasure "
    "deletes the link from that key to you and your personal encryption key, so the row stays and "
    "still verifies but no longer leads to you, and any personal value in it can no longer be read."
)


def declarations() -> list[tuple[type, PersonalData]]:
    """Every model with its declaration: our models' own, then THIRD_PARTY."""
    from django.apps import apps

    ours = [
        (m, m.personal_data)
        for m in apps.get_models(include_auto_created=True)
        if hasattr(m, "personal_data")
    ]
    return ours + [(apps.get_model(label), declaration) for label, declaration in THIRD_PARTY.items()]
