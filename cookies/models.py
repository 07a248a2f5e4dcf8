from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.evidence import AppendOnlyModel
from core.register import EVIDENCE_REASON, NotExported, PersonalData, Pseudonymised


class CookieCategory(models.Model):
    key = models.SlugField(_("key"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(_("description"))
    # Strictly necessary cookies are always on; nobody can refuse them.
    is_necessary = models.BooleanField(_("strictly necessary"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]
        verbose_name_plural = _("cookie categories")

    def __str__(self):
        return self.name


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


class DeclarationRevision(AppendOnlyModel):
    """A published state of the cookie declaration: its full text and a hash of
    it. Consent records point at the revision the person was shown."""

    personal_data = PersonalData(
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
