"""Whether the "Do Not Sell or Share My Personal Information" link is required
(Cal. Civ. Code 1798.135; 11 CCR 7013, 7025), computed from the registers
rather than assumed: personal information is *shared* when a third party
receives it for cross-context behavioural advertising, and *sold* when a third
party receives it for value. Two places say who receives what:

- the provider register: an active provider classified as a third party that
  receives data for cross-context behavioural advertising;
- the cookie declaration: a category declared as the sale or sharing of personal
  information, or as cross-context advertising, whose cookies or hosts belong to
  someone other than iCentrex.

The link is required when either names someone, unless the business processes
opt-out preference signals frictionlessly (7025(f): no fee, no extra information,
no interruption in response to the signal), which the operator states with
CONSENT_GPC_FRICTIONLESS. The consent app shows the link and records the
opt-out; staff see this assessment and its reasons on the provider register."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from cookies.selectors import current_revision

from .models import Provider

_REGISTER_VERSION = "icx:provider-register-version"


@dataclass(frozen=True)
class Recipient:
    name: str
    source: str  # "register" or "declaration"
    why: str


@dataclass(frozen=True)
class OptOutAssessment:
    recipients: tuple[Recipient, ...]
    frictionless: bool
    # The declaration's categories an opt-out turns off (keys).
    categories: tuple[str, ...] = field(default=())

    @property
    def required(self) -> bool:
        return bool(self.recipients) and not self.frictionless

    def reasons(self) -> list[str]:
        if not self.recipients:
            return [
                _(
                    "No third party receives personal information for cross-context behavioural advertising "
                    "or for value: no provider in the register is so classified, and no cookie or host in "
                    "such a category of the declaration belongs to anyone but iCentrex."
                )
            ]
        reasons = [recipient.why for recipient in self.recipients]
        if self.frictionless:
            reasons.append(
                _(
                    "Opt-out preference signals are processed frictionlessly (CONSENT_GPC_FRICTIONLESS), "
                    "so the link is not required."
                )
            )
        else:
            reasons.append(
                _(
                    "Opt-out preference signals are honoured, but frictionless processing is not claimed "
                    "(CONSENT_GPC_FRICTIONLESS is off), so the link is required."
                )
            )
        return reasons


def do_not_sell_assessment(revision=None) -> OptOutAssessment:
    revision = revision or current_revision()
    recipients = []
    for provider in Provider.objects.filter(
        active=True, role=Provider.Role.THIRD_PARTY, advertising=True
    ).order_by("name"):
        recipients.append(
            Recipient(
                provider.name,
                "register",
                _(
                    "%(name)s, a third party in the provider register, receives data for cross-context "
                    "behavioural advertising."
                )
                % {"name": provider.name},
            )
        )
    categories = []
    for category in revision.content["categories"]:
        if category["necessary"] or not category.get("gpc_opt_out"):
            continue
        categories.append(category["key"])
        others = {cookie["provider"] for cookie in category["cookies"] if not cookie["first_party"]}
        others |= {host["provider"] for host in category.get("hosts", ())}
        for name in sorted(others):
            recipients.append(
                Recipient(
                    name,
                    "declaration",
                    _(
                        "%(name)s receives data through the %(category)s category of the cookie declaration, "
                        "which is declared as the sale or sharing of personal information or cross-context "
                        "advertising."
                    )
                    % {"name": name, "category": category["name"]},
                )
            )
    return OptOutAssessment(
        recipients=tuple(recipients),
        frictionless=settings.CONSENT_GPC_FRICTIONLESS,
        categories=tuple(categories),
    )


def do_not_sell_link_required(revision) -> bool:
    """For the footer of every page, without a database query: kept in the
    cache under the declaration revision, the register's version (bumped on
    every change to a provider) and the frictionless setting."""
    version = cache.get(_REGISTER_VERSION, 0)
    key = f"icx:do-not-sell:{revision.content_hash}:{version}:{int(settings.CONSENT_GPC_FRICTIONLESS)}"
    required = cache.get(key)
    if required is None:
        required = do_not_sell_assessment(revision).required
        cache.set(key, required, timeout=300)
    return required


def provider_register_changed() -> None:
    """A provider was added, changed or removed: the next page computes the link again."""
    if not cache.add(_REGISTER_VERSION, 1, timeout=None):
        cache.incr(_REGISTER_VERSION)
