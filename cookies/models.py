from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.evidence import AppendOnlyModel
from core.register import EVIDENCE_REASON, NotExported, PersonalData, Pseudonymised

# Google Consent Mode v2's consent types, each set by the categories that cover it.
CONSENT_MODE_TYPES = (
    "ad_storage",
    "ad_user_data",
    "ad_personalization",
    "analytics_storage",
    "functionality_storage",
    "personalization_storage",
    "security_storage",
)


def validate_consent_mode(value):
    if not isinstance(value, list) or any(item not in CONSENT_MODE_TYPES for item in value):
        raise ValidationError(
            _("Choose consent-mode types from: %(types)s.") % {"types": ", ".join(CONSENT_MODE_TYPES)}
        )


def other_languages() -> list[str]:
    """The languages besides the default one that every declaration text must have."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def missing_translations(translations, fields: tuple[str, ...]) -> list[str]:
    """ "sv: purpose"-style names of the texts ``translations`` lacks."""
    translations = translations if isinstance(translations, dict) else {}
    return [
        f"{language}: {field}"
        for language in other_languages()
        for field in fields
        if not str((translations.get(language) or {}).get(field) or "").strip()
    ]


def _check_translations(instance, fields: tuple[str, ...]) -> None:
    missing = missing_translations(instance.translations, fields)
    if missing:
        raise ValidationError(
            {
                "translations": _("Give every text in every language the site speaks; missing: %(missing)s.")
                % {"missing": ", ".join(missing)}
            }
        )


class CookieCategory(models.Model):
    class GpcOptOut(models.TextChoices):
        # What an opt-out preference signal (Global Privacy Control) refuses, in the
        # words of California's rules (11 CCR 7025): a category is either outside it,
        # or the sale or sharing of personal information, or cross-context advertising.
        NONE = "", _("Not affected by an opt-out signal")
        SALE_SHARING = "sale_sharing", _("Sale or sharing of personal information")
        CROSS_CONTEXT_ADVERTISING = "cross_context_advertising", _("Cross-context behavioural advertising")

    key = models.SlugField(_("key"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"))
    # Strictly necessary cookies are always on; nobody can refuse them.
    is_necessary = models.BooleanField(_("strictly necessary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    gpc_opt_out = models.CharField(
        _("opt-out signal refuses it as"),
        max_length=32,
        choices=GpcOptOut.choices,
        blank=True,
        default="",
        help_text=_("Whether a browser's Global Privacy Control signal turns this category off, and why."),
    )
    # The name and description in the site's other languages: {"sv": {"name": …, "description": …}}.
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    consent_mode = models.JSONField(
        _("Google Consent Mode types"),
        default=list,
        blank=True,
        validators=[validate_consent_mode],
        help_text=_('The consent-mode types this category grants, e.g. ["analytics_storage"].'),
    )

    class Meta:
        ordering = ["position", "key"]
        verbose_name_plural = _("cookie categories")

    def __str__(self):
        return self.name

    TRANSLATED = ("name", "description")

    def clean(self):
        _check_translations(self, self.TRANSLATED)
        if self.is_necessary and self.gpc_opt_out:
            raise ValidationError(
                {"gpc_opt_out": _("Strictly necessary cookies cannot be refused, by a signal or otherwise.")}
            )


class Cookie(models.Model):
    category = models.ForeignKey(CookieCategory, on_delete=models.PROTECT, related_name="cookies")
    name = models.CharField(_("name or pattern"), max_length=120)
    provider = models.CharField(_("provider"), max_length=120)
    first_party = models.BooleanField(_("first party"), default=True)
    domain = models.CharField(_("domain"), max_length=120)
    # No lifetime: a session cookie, gone when the browser closes.
    lifetime_days = models.PositiveIntegerField(_("lifetime (days)"), null=True, blank=True)
    purpose = models.TextField(_("purpose"))
    tied_to_account = models.BooleanField(_("tied to the account"), default=False)
    # The purpose in the site's other languages: {"sv": {"purpose": …}}.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    TRANSLATED = ("purpose",)

    class Meta:
        ordering = ["category__position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="cookie_unique_name_per_category")
        ]

    def __str__(self):
        return self.name

    @property
    def is_session(self) -> bool:
        return self.lifetime_days is None

    def clean(self):
        _check_translations(self, self.TRANSLATED)


class DeclarationRevision(AppendOnlyModel):
    """A published state of the cookie declaration: its full text and a hash of
    it. Consent records point at the revision the person was shown."""

    personal_data = PersonalData(
        activity="cookie_consent",
        categories=("identity",),
        person="created_by_subject (the privacy officer who published it)",
        export=NotExported(
            _("Published declarations are public; who published one is in their audit events.")
        ),
        erasure=Pseudonymised(_("Kept: the text people consented to."), EVIDENCE_REASON),
        retention=_("Kept for the life of the service: consent records point at it."),
    )

    content = models.JSONField()
    content_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Evidence names people by subject key only (see subjects/).
    created_by_subject = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self):
        return f"revision {self.pk} ({self.content_hash[:12]})"


class DeclaredHost(models.Model):
    """A third-party host the declaration lists (it covers its subdomains):
    scripts and frames from it load only with consent to its category, and
    tracker discovery does not report it."""

    category = models.ForeignKey(CookieCategory, on_delete=models.PROTECT, related_name="hosts")
    host = models.CharField(_("host"), max_length=253, unique=True)
    provider = models.CharField(_("provider"), max_length=120)
    purpose = models.TextField(_("purpose"))
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    TRANSLATED = ("purpose",)

    class Meta:
        ordering = ["category__position", "host"]

    def __str__(self):
        return self.host

    def clean(self):
        _check_translations(self, self.TRANSLATED)


class TrackerSighting(models.Model):
    """A cookie, a local-storage key or a third-party host that pages reported
    and the declaration does not list (names only, never values): what a
    privacy officer reviews and may add to the declaration. Counted, not
    evidence; no person or device is kept with it."""

    class Kind(models.TextChoices):
        COOKIE = "cookie", _("Cookie")
        STORAGE = "storage", _("Local storage")
        HOST = "host", _("Third-party host")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        DECLARED = "declared", _("Added to the declaration")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    name = models.CharField(max_length=253)
    origin = models.CharField(max_length=200)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    reports = models.PositiveIntegerField(default=1)
    # Up to PAGES_KEPT page addresses (scheme, host and path: no query or fragment).
    pages = models.JSONField(default=list)
    suggested_category = models.CharField(max_length=32, blank=True)
    suggested_provider = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    declared_in = models.ForeignKey(
        DeclarationRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PAGES_KEPT = 10

    class Meta:
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name", "origin"], name="tracker_sighting_unique")
        ]
        indexes = [models.Index(fields=["status", "-last_seen"], name="tracker_sighting_status_idx")]

    def __str__(self):
        return f"{self.kind} {self.name} on {self.origin}"
