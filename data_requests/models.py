import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.register import Deleted, Exported, NotExported, PersonalData, Pseudonymised


def _export_expiry():
    # Referenced by migration 0001 (exports then expired 7 days after they were asked for).
    return timezone.now() + timedelta(days=7)


class BuiltFile(models.Model):
    """A file built by a Celery job and reached through one emailed link that
    needs sign-in, works once and expires ``EXPORT_LINK_VALID_DAYS`` after it
    was sent (data_requests.links). Only a SHA-256 of the link's token is kept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.PENDING, Status.RUNNING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves with progress: a build that stops moving died with its worker (the sweep).
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    link_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    link_sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(self.processed * 100 / self.total)) if self.total else 0

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def link_state(self) -> str:
        """Where the file stands for the person: building, failed, waiting for
        the email, link sent, used or expired."""
        if self.status != self.Status.DONE:
            return "failed" if self.status == self.Status.FAILED else "building"
        if self.downloaded_at:
            return "used"
        if self.is_expired:
            return "expired"
        return "sent" if self.link_sent_at else "ready"


class OrganizationExport(BuiltFile):
    """An export of an organisation's member data, built by a Celery job; the
    download link goes by email to whoever asked for it."""

    personal_data = PersonalData(
        activity="organisations",
        categories=("identity", "contact", "membership"),
        person="requested_by",
        export=NotExported(_("The organisation's file; that you asked for it is in your audit events.")),
        erasure=Pseudonymised(
            _("Exports you asked for stay with the organisation, no longer linked to you."),
            _("The organisation's copy of its member list, which it keeps under its own retention period."),
        ),
        retention=_(
            "The file is deleted when its link is used or expires (7 days); the row once older than the "
            "organisation's retention period."
        ),
    )

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        CSV = "csv", "CSV"

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.JSON)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One export at a time per organisation, so a double click cannot start two.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status__in=["pending", "running"]),
                name="data_export_one_active_per_org",
            )
        ]

    def __str__(self):
        return f"{self.get_format_display()} export of {self.organization} ({self.status})"

    @property
    def recipient(self):
        """Who gets the link: whoever started the export."""
        return self.requested_by


class PersonalExport(BuiltFile):
    """A copy of one person's data: a ZIP with one JSON file per kind of data
    and a readable summary (data_requests.personal_export)."""

    personal_data = PersonalData(
        activity="privacy_requests",
        categories=("requests",),
        person="user",
        export=Exported(
            "profile", _("Each copy of your data you asked for: when, and when its link was sent and used.")
        ),
        erasure=Deleted(_("Deleted, files included.")),
        retention=_(
            "The file is deleted when its link is used or expires (7 days); the row goes with the account."
        ),
    )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_exports"
    )
    # The file being written (export kind), for the progress shown while it builds.
    current_kind = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One at a time per person: a second request while one builds is refused.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status__in=["pending", "running"]),
                name="personal_export_one_active",
            )
        ]

    def __str__(self):
        return f"personal export {self.public_id} ({self.status})"

    @property
    def received_ref(self) -> str:
        """How the request log names this request (SubjectRequest.source_ref)."""
        return f"personal_export:{self.pk}"

    @property
    def recipient(self):
        return self.user


class ErasureRequest(models.Model):
    """A person asked to delete their account. It waits ``ERASURE_GRACE_DAYS``
    (cancellable), then a Celery job works through the erasure steps
    (data_requests.erasure), each in its own transaction together with
    ``steps_done``, so a job whose worker died resumes where it stopped."""

    personal_data = PersonalData(
        activity="privacy_requests",
        categories=("requests",),
        person="user",
        export=Exported(
            "profile",
            _("Each request to delete your account: when, when it is due, and whether you cancelled it."),
        ),
        erasure=Pseudonymised(
            _("Kept: dates, steps and counts, pointing only at the empty account row."),
            _("Proof that the request was carried out, and when (GDPR art. 5(2) and 17)."),
        ),
        retention=_("Kept for the life of the service."),
    )

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        RUNNING = "running", _("Deleting")
        DONE = "done", _("Deleted")

    OPEN = (Status.SCHEDULED, Status.RUNNING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    requested_at = models.DateTimeField(auto_now_add=True)
    scheduled_for = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Moves with every step: a job that stops moving died with its worker (the sweep resumes it).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    # Counts per step (never personal values): what the erasure removed or unlinked.
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status__in=["scheduled", "running"]), name="erasure_one_open"
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="erasure_due_idx")]

    def __str__(self):
        return f"erasure {self.public_id} ({self.status})"

    @property
    def received_ref(self) -> str:
        """How the request log names this request (SubjectRequest.source_ref)."""
        return f"erasure:{self.pk}"


class SubjectRequest(models.Model):
    """One data-subject request and its deadline (GDPR Art. 12(3), 15–22): from
    self-service (a copy, a deletion) or a privacy question or support case that
    staff classified. Due one calendar month after receipt (data_requests.deadlines),
    extendable once by up to two months with a reason and a notice to the person
    sent within the first month. The request log behind the yearly figures."""

    personal_data = PersonalData(
        activity="privacy_requests",
        categories=("requests", "contact"),
        person="user",
        export=Exported(
            "profile",
            _(
                "Each request you made about your data: its type, when we received it, when it was due, "
                "any extension and why, and how it ended."
            ),
        ),
        erasure=Pseudonymised(
            _("Kept without your account or address: type, dates and outcome."),
            _("The request log a regulator may ask for (GDPR art. 5(2) and 12; 11 CCR 7101: 24 months)."),
        ),
        retention=_("Kept for 24 months after the request was answered."),
    )

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        RECTIFICATION = "rectification", _("Rectification")
        ERASURE = "erasure", _("Erasure")
        RESTRICTION = "restriction", _("Restriction of processing")
        OBJECTION = "objection", _("Objection")
        PORTABILITY = "portability", _("Portability")

    class Source(models.TextChoices):
        SELF_SERVICE = "self_service", _("Self-service")
        PRIVACY_QUESTION = "privacy_question", _("Privacy question")
        SUPPORT_CASE = "support_case", _("Support case")
        OTHER = "other", _("Other (letter, phone, email)")

    class Identity(models.TextChoices):
        NOT_CHECKED = "not_checked", _("Not checked yet")
        VERIFIED = "verified", _("Verified")
        SIGNED_IN = "signed_in", _("Signed in (no further check needed)")
        FAILED = "failed", _("Could not be verified")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLIED = "complied", _("Complied with")
        COMPLIED_IN_PART = "complied_in_part", _("Complied with in part")
        DENIED = "denied", _("Denied")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    # What it came from, e.g. "privacy_question:42"; empty for requests logged by hand.
    source_ref = models.CharField(max_length=80, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Where to write when the person has no account here (or a different address).
    contact_email = models.EmailField(blank=True)
    received_at = models.DateTimeField()
    due_on = models.DateField()
    extension_months = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_notice_sent_at = models.DateTimeField(null=True, blank=True)
    identity = models.CharField(max_length=12, choices=Identity.choices, default=Identity.NOT_CHECKED)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Calendar days from receipt to answer, in the controller's time zone: what the
    # yearly figures' median and 95th percentile are taken over.
    days_to_respond = models.PositiveIntegerField(null=True, blank=True)
    # Why a request was logged after its due date had passed (required then).
    late_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["outcome", "due_on"], name="subject_request_queue_idx"),
            models.Index(fields=["received_at"], name="subject_request_received_idx"),
            models.Index(fields=["user", "-received_at"], name="subject_request_user_idx"),
        ]
        constraints = [
            # A question or case is classified once per type of request.
            models.UniqueConstraint(
                fields=["source_ref", "kind"],
                condition=~Q(source_ref=""),
                name="subject_request_once_per_source",
            ),
        ]

    def __str__(self):
        return f"{self.kind} request {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    @property
    def reply_to(self) -> str:
        return self.contact_email or (self.user.email if self.user else "")


class SubjectRequestReminder(models.Model):
    """A reminder to the privacy officers that a request is coming due (or is
    overdue): one row per request and stage, claimed before the email goes out,
    so beat running twice or a task delivered twice sends it once."""

    class Stage(models.TextChoices):
        WEEK = "week", _("Due within a week")
        TWO_DAYS = "two_days", _("Due within two days")
        OVERDUE = "overdue", _("Overdue")

    subject_request = models.ForeignKey(SubjectRequest, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject_request", "stage"], name="subject_request_reminder_once")
        ]

    def __str__(self):
        return f"reminder {self.stage} for {self.subject_request_id}"


class EvidencePack(models.Model):
    """Everything that proves what happened to one person's data, for a
    data-subject request or a complaint: their copy of their data plus a
    receipt with its proof for every evidence row about them, the log's keys
    and the verifier. Made by a privacy officer with a stated reason, which
    the person sees under "Who looked at my data"."""

    personal_data = PersonalData(
        activity="privacy_requests",
        categories=("requests", "identity"),
        person="user, requested_by (the officer)",
        export=NotExported(
            _("A working file for one request or complaint; each pack shows in Who looked at my data.")
        ),
        erasure=Deleted(_("Deleted with its file.")),
        retention=_("Deleted, with its file, 30 days after it is made."),
    )

    KEPT_DAYS = 30  # the retention above
    Status = BuiltFile.Status

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject_request = models.ForeignKey(
        SubjectRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence_packs"
    )
    reason = models.TextField(max_length=1000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="evidence-packs/", blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"evidence pack {self.public_id}"
