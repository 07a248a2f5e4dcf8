from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.evidence import AppendOnlyModel, content_hash


def version_hash(*, document: str, number, body: str, summary: str, effective_at, material: bool) -> str:
    """The fingerprint of a published version (also used by the seeding migration)."""
    return content_hash(
        {
            "document": document,
            "number": number,
            "body": body,
            "summary": summary,
            "effective_at": effective_at.isoformat(),
            "material": material,
        }
    )


class PublishedVersionError(Exception):
    """A published policy version is never changed or deleted."""


class PolicyDocument(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self):
        return self.title


class PolicyVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="versions")
    # Numbered on publication: 1, 2, 3... per document. Drafts have none.
    number = models.PositiveIntegerField(null=True, blank=True)
    body = models.TextField(_("text (Markdown)"))
    summary = models.TextField(_("summary of changes"), blank=True)
    effective_at = models.DateTimeField(_("in force from"))
    material = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_("Material changes ask everyone to accept them again."),
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by_subject = models.UUIDField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["document", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="policy_version_unique_number"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(number__isnull=False, published_at__isnull=False),
                name="policy_version_published_is_numbered",
            ),
        ]

    def __str__(self):
        return f"{self.document} v{self.number or 'draft'}"

    def save(self, *args, **kwargs):
        if self.pk and PolicyVersion.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise PublishedVersionError(f"{self} is published and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise PublishedVersionError(f"{self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def compute_hash(self) -> str:
        return version_hash(
            document=self.document.slug,
            number=self.number,
            body=self.body,
            summary=self.summary,
            effective_at=self.effective_at,
            material=self.material,
        )


class PolicyAcceptance(AppendOnlyModel):
    """Proof that a person accepted a policy version: who (subject key), which
    version, when and how. Append-only like all evidence."""

    class How(models.TextChoices):
        INTERSTITIAL = "interstitial", _("Asked on the next page after the change")
        API = "api", _("Through the API")

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="acceptances")
    subject_key = models.UUIDField()
    how = models.CharField(max_length=16, choices=How.choices)
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip_prefix = models.CharField(max_length=45, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "subject_key"], name="policy_acceptance_once")
        ]

    def __str__(self):
        return f"{self.subject_key} accepted {self.version}"
