import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.evidence import AppendOnlyModel, content_hash
from audit.sealing import SealBase, SealEntryBase
from core.register import (
    EVIDENCE_REASON,
    Deleted,
    Exported,
    NotExported,
    PersonalData,
    Pseudonymised,
)

from .catalog import categories_of


class Provider(models.Model):
    """Someone iCentrex shares personal data with: an integration a person or a
    team installs, or a service provider (processor) acting for iCentrex."""

    class Kind(models.TextChoices):
        INTEGRATION = "integration", _("Integration")
        SERVICE_PROVIDER = "service_provider", _("Service provider")

    class Service(models.TextChoices):
        HOSTING = "hosting", _("Hosting")
        EMAIL = "email", _("Email delivery")
        PAYMENT = "payment", _("Payment processing")
        SECURITY = "security", _("Security consulting")
        MARKETING = "marketing", _("Marketing")

    class Role(models.TextChoices):
        # What the recipient is under California's privacy law (CCPA/CPRA): a disclosure to
        # a third party for cross-context behavioural advertising is "sharing".
        SERVICE_PROVIDER = "service_provider", _("Service provider or processor")
        CONTRACTOR = "contractor", _("Contractor")
        THIRD_PARTY = "third_party", _("Third party")

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    role = models.CharField(
        _("role under the CCPA"),
        max_length=20,
        choices=Role.choices,
        default=Role.THIRD_PARTY,
        help_text=_("A service provider or contractor processes only for iCentrex, under a contract."),
    )
    advertising = models.BooleanField(
        _("receives data for cross-context behavioural advertising"),
        default=False,
        help_text=_("It uses what it receives to target ads across other businesses' sites or apps."),
    )
    description = models.TextField(_("description"), blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    # "category.field" keys (integrations.catalog.FIELDS) this provider receives.
    fields = models.JSONField(_("fields received"), default=list)
    # Integrations only.
    webhook_url = models.URLField(_("webhook endpoint"), blank=True)
    signing_secret_sealed = models.TextField(blank=True, editable=False)
    # Service providers only.
    service = models.CharField(_("service"), max_length=12, choices=Service.choices, blank=True)
    agreement_reference = models.CharField(_("processing agreement"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code"))
    transfer_mechanism = models.CharField(_("transfer mechanism"), max_length=160, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="integration") | ~models.Q(webhook_url=""),
                name="provider_integration_has_endpoint",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="service_provider") | ~models.Q(service=""),
                name="provider_processor_has_service",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def categories(self) -> list[str]:
        return categories_of(self.fields)

    @property
    def is_integration(self) -> bool:
        return self.kind == self.Kind.INTEGRATION


class Installation(models.Model):
    """A person (for themselves) or a team admin (for their team) added an
    integration, after seeing exactly what it will receive."""

    personal_data = PersonalData(
        activity="integrations",
        categories=("identity", "sharing"),
        person="installed_by",
        export=Exported(
            "data_sharing",
            _("Integrations you added: provider, for whom, the fields granted, status and dates."),
        ),
        erasure=Pseudonymised(
            _(
                "Integrations you added for yourself are removed (the provider is told, without personal "
                "data); "
                "those you added for a team stay with the team. Neither is linked to you any more."
            ),
            _(
                "The provider must be told that the integration ended, and a team's integration serves its "
                "other members."
            ),
        ),
        retention=_("Kept while the integration is installed, then as the record of what it received."),
    )

    class Audience(models.TextChoices):
        ME = "me", _("Only me")
        TEAM = "team", _("My team's members")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REMOVED = "removed", _("Removed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="installations")
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="installations"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="installations",
    )
    team = models.ForeignKey(
        "organizations.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="installations"
    )
    audience = models.CharField(max_length=8, choices=Audience.choices)
    granted_fields = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(audience="me", team__isnull=True)
                | models.Q(audience="team", team__isnull=False, organization__isnull=False),
                name="installation_audience_matches_team",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="installation_org_status")]

    def __str__(self):
        return f"{self.provider} ({self.get_audience_display()})"

    @property
    def categories(self) -> list[str]:
        return categories_of(self.granted_fields)


class WebhookDelivery(models.Model):
    """One signed POST to an integration's endpoint (an outbox row, mutable:
    pending -> delivering -> delivered | failed). ``idempotency_key`` is sent
    with every attempt, so the provider can drop a repeat."""

    personal_data = PersonalData(
        activity="integrations",
        categories=("identity", "contact", "sharing"),
        person="payload.people (found through sharing events' delivery ids), installation__installed_by",
        export=NotExported(
            _("What each delivery carried about you is in the data-sharing file, field by field.")
        ),
        erasure=Deleted(
            _("Your record in every delivery's content is replaced by a note that you were erased.")
        ),
        retention=_("Kept while the installation exists."),
    )

    class Kind(models.TextChoices):
        DATA_SHARED = "data.shared", _("Data shared")
        INSTALLATION_REMOVED = "installation.removed", _("Installation removed")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERING = "delivering", _("Delivering")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    installation = models.ForeignKey(Installation, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.kind} to {self.installation.provider} ({self.status})"


class SharingEvent(AppendOnlyModel):
    """Evidence that personal data about one person went to a provider: what
    (categories and exact fields), why (purpose, legal basis), when, to whom.
    Written in the transaction of the action that causes the share; sealed in
    batches like consent records. People are named by subject key only."""

    personal_data = PersonalData(
        activity="integrations",
        categories=("sharing",),
        person="subject_key",
        export=Exported(
            "data_sharing",
            _(
                "Every share: provider, categories and exact fields, purpose, legal basis, organisation and "
                "team, "
                "time and hash."
            ),
        ),
        erasure=Pseudonymised(_("Kept unchanged; your subject key no longer leads to you."), EVIDENCE_REASON),
        retention=_("Kept for the life of the service."),
    )

    class LegalBasis(models.TextChoices):
        CONSENT = "consent", _("Your consent (you or your team added it)")
        CONTRACT = "contract", _("Processing agreement (acting for iCentrex)")

    seq = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="sharing_events")
    subject_key = models.UUIDField()
    # Plain columns: the evidence outlives organisations, teams and installations.
    organization_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    installation_id = models.UUIDField(null=True, blank=True)
    delivery_id = models.BigIntegerField(null=True, blank=True)
    # ",identity,profile," so one category filters with a plain LIKE on any database.
    categories = models.CharField(max_length=200)
    fields = models.JSONField()
    purpose = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=10, choices=LegalBasis.choices)
    occurred_at = models.DateTimeField()
    record_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["subject_key", "-seq"], name="sharing_subject_seq"),
            models.Index(fields=["organization_id", "-seq"], name="sharing_org_seq"),
            models.Index(fields=["installation_id", "-seq"], name="sharing_installation_seq"),
        ]

    def __str__(self):
        return f"{self.provider_id} received {self.fields} about {self.subject_key}"

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]

    def compute_hash(self) -> str:
        return content_hash(self.hashed_content())

    def hashed_content(self) -> dict:
        """Every column but seq (the log's order, pinned by the log itself)."""
        return {
            "event_id": str(self.event_id),
            "provider": self.provider_id,
            "subject": str(self.subject_key),
            "organization": self.organization_id,
            "team": self.team_id,
            "installation": str(self.installation_id) if self.installation_id else None,
            "delivery": self.delivery_id,
            "categories": self.categories,
            "fields": self.fields,
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "occurred_at": self.occurred_at.isoformat(),
        }


class SharingSeal(SealBase):
    """A batch of sharing events sealed together (audit.sealing)."""

    def __str__(self):
        return f"sharing seal {self.pk}"


class SharingSealEntry(SealEntryBase):
    seal = models.ForeignKey(SharingSeal, on_delete=models.PROTECT, related_name="entries")

    def __str__(self):
        return f"sharing event #{self.record_seq} in seal {self.seal_id}"


# --- Sub-processor changes and their notices (issue 20) -----------------------------------------


class SubprocessorChange(models.Model):
    """A sub-processor (a service provider) added, changed or removed. Adding
    and changing are scheduled: announced to subscribers at once and applied
    ``SUBPROCESSOR_NOTICE_DAYS`` later, so customers can object in between.
    Removing takes effect at once (it only narrows who holds data) and is
    announced too."""

    class Kind(models.TextChoices):
        ADD = "add", _("New sub-processor")
        CHANGE = "change", _("Changed sub-processor")
        REMOVE = "remove", _("Sub-processor removed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # For a change: the register values it sets, {field: new value}.
    values = models.JSONField(default=dict, blank=True)
    summary = models.TextField()
    announced_at = models.DateTimeField()
    effective_on = models.DateField()
    applied_at = models.DateTimeField(null=True, blank=True)
    # When every subscriber's notice was planned (the fan-out's first step).
    planned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-announced_at", "-id"]
        indexes = [models.Index(fields=["applied_at", "effective_on"], name="subprocessor_change_due")]

    def __str__(self):
        return f"{self.kind} {self.provider_id} on {self.effective_on}"

    @property
    def objections_open(self) -> bool:
        return self.applied_at is None and timezone.localdate() < self.effective_on


class SubprocessorSubscription(models.Model):
    """Who is told about sub-processor changes: an organisation (its owners and
    administrators get the email), or anyone by email once they confirm it
    (double opt-in). Only a SHA-256 of the confirm/unsubscribe token is kept."""

    personal_data = PersonalData(
        activity="subprocessor_notices",
        categories=("contact",),
        person="email (a subscriber's address), subscribed_by",
        export=NotExported(_("A subscription to sub-processor notices; each email says how to stop it.")),
        erasure=Deleted(
            _("A subscription by your address is deleted; an organisation's stays, no longer linked to you.")
        ),
        retention=_("Until you unsubscribe."),
    )

    organization = models.OneToOneField(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subprocessor_subscription",
    )
    subscribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="subprocessor_subscription_email_once"
            ),
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False, email="")
                | models.Q(organization__isnull=True) & ~models.Q(email=""),
                name="subprocessor_subscription_one_kind",
            ),
        ]

    def __str__(self):
        return f"subscription {self.pk}"


class SubprocessorNoticeDelivery(models.Model):
    """One subscriber's notice of one change: the fan-out's per-recipient
    record, planned once (unique) and sent once (``sent_at`` under the row
    lock, with the evidence row, in the sending transaction)."""

    change = models.ForeignKey(SubprocessorChange, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(SubprocessorSubscription, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "subscription"], name="subprocessor_notice_once")
        ]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(sent_at__isnull=True), name="subprocessor_notice_unsent"
            )
        ]

    def __str__(self):
        return f"notice of change {self.change_id} to subscription {self.subscription_id}"


class SubprocessorEvidence(AppendOnlyModel):
    """The evidence stream of sub-processor changes: every notice sent (to
    whom: an organisation, or a subscription by number) and every objection an
    organisation raised, sealed in batches like the sharing log."""

    personal_data = PersonalData(
        activity="subprocessor_notices",
        categories=("identity",),
        person="raised_by_subject (who raised an objection)",
        export=NotExported(_("Notices and objections are the organisation's, not one person's.")),
        erasure=Pseudonymised(_("Kept unchanged; your subject key no longer leads to you."), EVIDENCE_REASON),
        retention=_("Kept for the life of the service."),
    )

    class Kind(models.TextChoices):
        NOTICE_SENT = "notice_sent", _("Notice sent")
        OBJECTION = "objection", _("Objection")

    seq = models.BigAutoField(primary_key=True)
    record_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    change_id = models.BigIntegerField()
    provider_slug = models.CharField(max_length=60)
    organization_id = models.BigIntegerField(null=True, blank=True)
    subscription_id = models.BigIntegerField(null=True, blank=True)
    raised_by_subject = models.UUIDField(null=True, blank=True)
    text = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    record_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["change_id", "kind"], name="subprocessor_evidence_change")]

    def __str__(self):
        return f"{self.kind} for change {self.change_id}"

    def compute_hash(self) -> str:
        return content_hash(self.hashed_content())

    def hashed_content(self) -> dict:
        return {
            "record_id": str(self.record_id),
            "kind": self.kind,
            "change": self.change_id,
            "provider": self.provider_slug,
            "organization": self.organization_id,
            "subscription": self.subscription_id,
            "raised_by": str(self.raised_by_subject) if self.raised_by_subject else None,
            "text": self.text,
            "occurred_at": self.occurred_at.isoformat(),
        }


class SubprocessorSeal(SealBase):
    def __str__(self):
        return f"sub-processor seal {self.pk}"


class SubprocessorSealEntry(SealEntryBase):
    seal = models.ForeignKey(SubprocessorSeal, on_delete=models.PROTECT, related_name="entries")

    def __str__(self):
        return f"sub-processor record #{self.record_seq} in seal {self.seal_id}"
