"""The processing activities behind the personal-data register (issue 20):
why iCentrex holds each kind of personal data, on what legal basis, about
whom, and who receives it. Every ``PersonalData`` declaration names its
activity and the categories of data it holds, so the records of processing
(GDPR art. 30, ``registers.records``) are generated from the register and
never typed twice. ``tests/registers/test_records.py`` fails when a model
holds personal data the record could not account for.

This module imports no models: models import it (through core.register).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# GDPR art. 6(1): the legal bases the activities rest on.
LEGAL_BASES = {
    "consent": _("Consent (GDPR art. 6(1)(a))"),
    "contract": _("Performance of a contract (GDPR art. 6(1)(b))"),
    "legal_obligation": _("Legal obligation (GDPR art. 6(1)(c))"),
    "legitimate_interests": _("Legitimate interests (GDPR art. 6(1)(f))"),
}

DATA_SUBJECTS = {
    "users": _("People with an iCentrex account"),
    "members": _("Members of customer organisations"),
    "invitees": _("People invited to join an organisation"),
    "visitors": _("Visitors to iCentrex's sites and apps"),
    "requesters": _("People who contact iCentrex without an account"),
    "staff": _("iCentrex staff"),
}

DATA_CATEGORIES = {
    "identity": _("Names and account identifiers"),
    "contact": _("Email addresses"),
    "credentials": _("Passwords, API tokens and two-factor methods"),
    "membership": _("Organisation memberships, roles and teams"),
    "device": _("Cookie choices and the device identifiers they are kept under"),
    "activity_log": _("Records of actions taken in the service"),
    "sharing": _("Records of what was shared, with whom and why"),
    "messages": _("Messages to support and privacy staff"),
    "requests": _("Data-subject requests and how they were answered"),
    "age": _("Reports that a user may be under 13"),
    "policy": _("Policy notices sent and versions accepted"),
    "payment": _("Billing names and addresses of paying organisations"),
}

RECIPIENT_GROUPS = {
    "service_providers": _("Service providers, each listed with its purpose, country and safeguards"),
    "integrations": _("Integrations that people or organisations install, each listed with what it receives"),
    "organisations": _("Customer organisations: their owners and administrators"),
}

# How a customer organisation, the controller of its members' data, is reached
# (its records hold no one's name or address, so they can be kept for ever).
ORGANISATION_CONTACT = _("Through the organisation's owners, in the iCentrex console.")

# The kinds of service provider (integrations.Provider.Service) by value: the
# test checks that every kind the provider register offers is named here.
SERVICES = ("hosting", "email", "payment", "security", "marketing")


@dataclass(frozen=True)
class Activity:
    """One processing activity. ``services`` are the kinds of service provider
    that receive its data; ``to_integrations`` and ``to_organisations`` say
    whether integrations or customer organisations do. ``for_customers``: also
    carried out as a processor, on behalf of the organisations that use
    iCentrex (GDPR art. 30(2)). ``held_elsewhere``: categories only its
    providers hold (no model here declares them)."""

    name: str
    purpose: str
    legal_basis: str
    data_subjects: tuple[str, ...]
    services: tuple[str, ...] = ("hosting",)
    to_integrations: bool = False
    to_organisations: bool = False
    for_customers: bool = False
    held_elsewhere: tuple[str, ...] = ()

    def __post_init__(self):
        unknown = (
            {self.legal_basis} - LEGAL_BASES.keys()
            | set(self.data_subjects) - DATA_SUBJECTS.keys()
            | set(self.services) - set(SERVICES)
            | set(self.held_elsewhere) - DATA_CATEGORIES.keys()
        )
        if unknown:
            raise ValueError(f"unknown keys in activity {self.name!r}: {sorted(unknown)}")


ACTIVITIES = {
    "account": Activity(
        name=_("Accounts and sign-in"),
        purpose=_("Create and run people's accounts, sign them in securely and send them account email."),
        legal_basis="contract",
        data_subjects=("users",),
        services=("hosting", "email"),
    ),
    "organisations": Activity(
        name=_("Organisations, members and teams"),
        purpose=_(
            "Let organisations run their workspace: members, roles, teams, invitations, and the review "
            "and export of member data under the organisation's own data policy."
        ),
        legal_basis="contract",
        data_subjects=("members", "invitees"),
        services=("hosting", "email"),
        to_organisations=True,
        for_customers=True,
    ),
    "domain_disclosure": Activity(
        name=_("Work addresses disclosed to the domain's organisation"),
        purpose=_(
            "Tell an organisation that has verified an email domain which accounts use an address "
            "on it, and tell the people concerned."
        ),
        legal_basis="legitimate_interests",
        data_subjects=("users",),
        services=("hosting", "email"),
        to_organisations=True,
    ),
    "cookie_consent": Activity(
        name=_("Cookie consent and opt-out signals"),
        purpose=_(
            "Ask before setting optional cookies, honour opt-out preference signals, and keep proof of "
            "every choice."
        ),
        legal_basis="legal_obligation",
        data_subjects=("users", "visitors", "staff"),
    ),
    "integrations": Activity(
        name=_("Integrations"),
        purpose=_(
            "Share with the integrations a person or organisation installs exactly the fields they "
            "granted, and keep a log of every share."
        ),
        legal_basis="consent",
        data_subjects=("users", "members"),
        to_integrations=True,
        for_customers=True,
    ),
    "support": Activity(
        name=_("Support and masked escalations"),
        purpose=_(
            "Answer support cases, and share a case with the organisation it concerns only with "
            "identifiers masked."
        ),
        legal_basis="contract",
        data_subjects=("users", "members", "staff"),
        services=("hosting", "email"),
        to_organisations=True,
        for_customers=True,
    ),
    "privacy_requests": Activity(
        name=_("Privacy questions and data-subject requests"),
        purpose=_(
            "Answer privacy questions and requests to see, copy, correct or delete personal data "
            "within the legal deadlines."
        ),
        legal_basis="legal_obligation",
        data_subjects=("users", "requesters", "staff"),
        services=("hosting", "email"),
    ),
    "child_safety": Activity(
        name=_("Children under 13"),
        purpose=_("Receive reports that a user may be under 13 and close such accounts."),
        legal_basis="legal_obligation",
        data_subjects=("users", "requesters"),
        services=("hosting", "email"),
    ),
    "policy_notices": Activity(
        name=_("Policy changes"),
        purpose=_("Announce changes to the privacy policy and keep proof of who was told and who accepted."),
        legal_basis="legal_obligation",
        data_subjects=("users", "staff"),
        services=("hosting", "email"),
    ),
    "subprocessor_notices": Activity(
        name=_("Sub-processor change notices"),
        purpose=_(
            "Tell customers and subscribers about new or changed sub-processors before the change takes "
            "effect, and record their objections."
        ),
        legal_basis="legal_obligation",
        data_subjects=("members", "requesters"),
        services=("hosting", "email"),
        for_customers=True,
    ),
    "accountability": Activity(
        name=_("Security and accountability"),
        purpose=_(
            "Keep the audit trail and staff permissions that show who did what, investigate incidents, "
            "and prove that the policy's promises were kept."
        ),
        legal_basis="legal_obligation",
        data_subjects=("users", "members", "staff"),
        services=("hosting", "security"),
        to_organisations=True,
        for_customers=True,
    ),
    "billing": Activity(
        name=_("Billing"),
        purpose=_("Take organisations' subscription payments."),
        legal_basis="contract",
        data_subjects=("members",),
        services=("payment",),
        held_elsewhere=("payment",),
    ),
    "product_news": Activity(
        name=_("Product news"),
        purpose=_("Send product news to people who asked for it."),
        legal_basis="consent",
        data_subjects=("users",),
        services=("marketing",),
        held_elsewhere=("contact",),
    ),
}

# What iCentrex does to keep personal data safe (art. 30(1)(g), 32(1)), each
# a measure this code base carries out and tests, not an aspiration.
SECURITY_MEASURES = (
    _(
        "Personal values inside evidence are encrypted with a key per person; erasure deletes the key, "
        "so the evidence stays and no longer leads to the person."
    ),
    _(
        "Evidence (consent records, sharing events, disclosures, notices, audit events) is append-only, "
        "enforced by the database, and sealed in signed checkpoints anyone can verify."
    ),
    _(
        "Every organisation's data is reached through one access check; another organisation's object "
        "answers as if it did not exist, and tests cover every organisation-scoped address."
    ),
    _("Staff work under roles with the least permissions they need; every staff address is access-tested."),
    _("Support cases are shared with organisations only with personal identifiers masked."),
    _("Two-factor sign-in (authenticator apps and recovery codes) for every account."),
    _("Passwords are stored as salted hashes; API tokens only as hashes."),
    _("Sign-in, forms and public endpoints are rate-limited; pages allow scripts only from iCentrex itself."),
    _("Data is kept only as long as the register says, and deleted by scheduled retention jobs."),
)

# The European Economic Area (ISO 3166-1 alpha-2): a provider elsewhere is a
# transfer to a third country and needs a safeguard (GDPR chapter V).
EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)


def check_categories(activity: str, categories: tuple[str, ...]) -> None:
    """For ``PersonalData``: the activity and categories must exist."""
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown processing activity {activity!r}")
    if not categories or set(categories) - DATA_CATEGORIES.keys():
        raise ValueError(f"unknown or missing data categories {categories!r}")
