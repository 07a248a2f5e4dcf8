import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.evidence import AppendOnlyModel
from core.register import Deleted, Exported, NotExported, PersonalData, Pseudonymised


class MinorReport(models.Model):
    """Someone (anyone, no account needed) tells us an account belongs to a child
    under 13. Staff suspend the account at once, then delete it, or dismiss the
    report."""

    personal_data = PersonalData(
        activity="child_safety",
        categories=("age", "contact"),
        person="account (the account reported), reporter_email",
        export=Exported(
            "support_cases",
            _(
                "Reports you sent from your address: when, their status and what you wrote. Reports about "
                "your "
                "account are not included: they would identify who sent them."
            ),
        ),
        erasure=Pseudonymised(
            _(
                "Reports stay with the child-protection team; your address in them, as sender or as the "
                "account "
                "reported, is replaced by the empty account's placeholder address."
            ),
            _(
                "The record of how iCentrex kept children under 13 off the service (a legal duty), kept "
                "without "
                "identifying you."
            ),
        ),
        retention=_(
            "Kept for the life of the service; what a report says about a child goes when their account "
            "is deleted."
        ),
    )

    class Status(models.TextChoices):
        NEW = "new", _("New")
        SUSPENDED = "suspended", _("Account suspended")
        DELETED = "deleted", _("Account deleted")
        DISMISSED = "dismissed", _("Dismissed")

    OPEN = (Status.NEW, Status.SUSPENDED)

    reporter_email = models.EmailField(_("your email address"))
    reported_email = models.EmailField(_("email address of the account"), blank=True)
    reported_details = models.TextField(_("name and other details"), blank=True, max_length=2000)
    description = models.TextField(_("what makes you think they are under 13"), max_length=5000)
    # The account staff matched and acted on (set when it is suspended). A deleted
    # account stays as a placeholder row, so nothing should delete it from under the report.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    # The language the form was filled in, for the acknowledgement email.
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the acknowledgement email went out: a repeated task sends nothing.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="support_minor_status_idx")]
        constraints = [
            # What the report says about the child is removed once the account is deleted.
            models.CheckConstraint(
                condition=Q(status="deleted") | ~Q(reported_email="") | ~Q(reported_details=""),
                name="support_minor_report_names_someone",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "dismissed"]) | Q(account__isnull=False),
                name="support_minor_report_action_has_account",
            ),
        ]

    def __str__(self):
        return f"Minor report {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class PrivacyQuestion(models.Model):
    """A question about privacy sent through the public contact form; staff
    answer by email from the staff inbox."""

    personal_data = PersonalData(
        activity="privacy_requests",
        categories=("contact", "messages"),
        person="email",
        export=Exported("support_cases", _("Questions sent from your addresses, with our answers.")),
        erasure=Deleted(_("Questions sent from your addresses are deleted with our answers.")),
        retention=_("Kept until the person who asked deletes their account."),
    )

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("your name"), max_length=150, blank=True)
    email = models.EmailField(_("your email address"))
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("your question"), max_length=5000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="support_question_status_idx")]

    def __str__(self):
        return f"Privacy question {self.pk} ({self.status})"


class QuestionReply(models.Model):
    """A staff answer to a privacy question, emailed to the person who asked."""

    personal_data = PersonalData(
        activity="privacy_requests",
        categories=("messages",),
        person="question__email, author (staff)",
        export=Exported("support_cases", _("Our answers, with the question.")),
        erasure=Deleted(_("Deleted with the question.")),
        retention=_("Kept with the question."),
    )

    question = models.ForeignKey(PrivacyQuestion, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("reply"), max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the email went out: a repeated task sends nothing.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Reply {self.pk} to question {self.question_id}"


class SupportCase(models.Model):
    """A signed-in person asks iCentrex support for help; staff answer in the
    privacy centre and by email, and keep internal notes the reporter never sees."""

    personal_data = PersonalData(
        activity="support",
        categories=("identity", "messages"),
        person="reporter, assigned_to (staff)",
        export=Exported("support_cases", _("Your cases: subject, message, organisation, status and dates.")),
        erasure=Deleted(
            _(
                "Your cases are deleted with their messages. A case that was shared, masked, with an "
                "organisation "
                "keeps an empty row for the share to point at."
            )
        ),
        retention=_(
            "A case about an organisation is deleted (emptied, if shared) once it has not changed within "
            "the organisation's retention period."
        ),
    )

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING_ON_REPORTER = "waiting_on_reporter", _("Waiting on the reporter")
        CLOSED = "closed", _("Closed")

    SUBJECT_MAX = 200
    BODY_MAX = 20_000

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_cases"
    )
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    body = models.TextField(_("what you need help with"), max_length=BODY_MAX)
    # Optional: the organisation the case is about; one the reporter belongs to when opened.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_cases",
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves with every message and change, so the queue shows what moved last first.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="support_case_status_idx"),
            models.Index(fields=["reporter", "-updated_at"], name="support_case_reporter_idx"),
        ]

    def __str__(self):
        return f"Support case {self.pk} ({self.status})"


class CaseMessage(models.Model):
    """One message in a case's thread after the opening one: the reporter's, a
    staff reply (emailed and shown in the privacy centre) or an internal note
    (staff only)."""

    personal_data = PersonalData(
        activity="support",
        categories=("messages",),
        person="case__reporter, author",
        export=Exported(
            "support_cases",
            _(
                "The messages you can see: yours, staff replies and share notices. Internal notes are "
                "staff's "
                "working notes and are not included."
            ),
        ),
        erasure=Deleted(_("Deleted with the case.")),
        retention=_("Kept with the case."),
    )

    class Kind(models.TextChoices):
        REPORTER = "reporter", _("Reporter")
        STAFF_REPLY = "staff_reply", _("Staff reply")
        INTERNAL_NOTE = "internal_note", _("Internal note")
        # The case was shared, masked, with the organisation's admins (``share`` says which).
        SHARE_NOTICE = "share_notice", _("Shared with the organisation")

    VISIBLE_TO_REPORTER = (Kind.REPORTER, Kind.STAFF_REPLY, Kind.SHARE_NOTICE)
    EMAILED = (Kind.STAFF_REPLY, Kind.SHARE_NOTICE)

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    body = models.TextField(_("message"), max_length=SupportCase.BODY_MAX, blank=True)
    # Share notices only: the masked version the reporter is shown.
    share = models.OneToOneField(
        "CaseShare", on_delete=models.PROTECT, null=True, blank=True, related_name="notice"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Staff replies and share notices: set when the email went out, so a repeated task sends nothing.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="support_case_message_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["staff_reply", "share_notice"]) | Q(emailed_at__isnull=True),
                name="support_case_message_only_replies_emailed",
            ),
            models.CheckConstraint(
                condition=Q(kind="share_notice", share__isnull=False)
                | (~Q(kind="share_notice") & Q(share__isnull=True)),
                name="support_case_message_notice_has_share",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk} on case {self.case_id}"


class CaseShare(AppendOnlyModel):
    """Evidence that staff shared a case, masked, with its organisation's
    admins: only the masked text is ever stored, with counts of what was masked
    (per kind and rule, never the values). Append-only (a trigger in PostgreSQL)."""

    personal_data = PersonalData(
        activity="support",
        categories=("messages",),
        person="case__reporter, reviewed_by (staff)",
        export=Exported(
            "support_cases",
            _(
                "Each time your case was shared: with which organisation, when, exactly the masked text its "
                "administrators saw, and counts of what was masked."
            ),
        ),
        erasure=Pseudonymised(
            _("Kept: it holds only the masked text, checked to contain none of your identifiers."),
            _(
                "Evidence of exactly what iCentrex staff passed on to an organisation, and that it was "
                "masked."
            ),
        ),
        retention=_("Deleted once older than the organisation's retention period."),
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Cases are not deleted (a deleted account stays as a placeholder row): PROTECT.
    case = models.ForeignKey(SupportCase, on_delete=models.PROTECT, related_name="shares")
    # The case's organisation when it was shared. Evidence outlives the organisation (its
    # deletion leaves the row as it is, like the sharing log's organisation_id): no constraint.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="shared_cases",
    )
    masked_subject = models.CharField(max_length=SupportCase.SUBJECT_MAX * 4)
    masked_body = models.TextField()
    # What the reporter wrote in the thread after the case was opened, masked with the same
    # tags: [{"written_at": ISO 8601, "body": masked text}], oldest first.
    masked_replies = models.JSONField(default=list, blank=True)
    redaction_report = models.JSONField(default=list)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shared_at", "-id"]
        indexes = [models.Index(fields=["organization", "-shared_at"], name="support_share_org_idx")]

    def __str__(self):
        return f"Share {self.public_id} of case {self.case_id}"

    @property
    def later_messages(self) -> list[dict]:
        """The masked replies with their times as datetimes, for the pages."""
        return [
            {"written_at": datetime.fromisoformat(reply["written_at"]), "body": reply["body"]}
            for reply in self.masked_replies
        ]

    @property
    def masked_counts(self) -> list[dict]:
        """The report summed per kind (what the admins see)."""
        counts: dict[str, int] = {}
        for row in self.redaction_report:
            counts[row["kind"]] = counts.get(row["kind"], 0) + row["count"]
        return [{"kind": kind, "count": n} for kind, n in sorted(counts.items())]


class SharedCaseReply(models.Model):
    """An organisation admin answers a shared case. It reaches iCentrex staff
    (the staff case page, and an email to the assigned staff member or, with
    nobody assigned, to the support queue), never the reporter directly."""

    personal_data = PersonalData(
        activity="support",
        categories=("messages",),
        person="author",
        export=Exported(
            "support_cases", _("Replies you wrote to shared cases as an organisation administrator.")
        ),
        erasure=Deleted(_("Replies you wrote are deleted.")),
        retention=_("Deleted with the shared case."),
    )

    BODY_MAX = 10_000

    share = models.ForeignKey(CaseShare, on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("reply"), max_length=BODY_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when support staff were emailed: a repeated task sends nothing.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Reply {self.pk} to share {self.share_id}"


class CasePseudonym(models.Model):
    """Which numbered tag (``[name 1]``, ``[email 2]``) stands for one person or
    value in a case, so everything shared from the case — its subject and
    message, later shares — calls the same person by the same tag. The value is
    never stored: only a fingerprint keyed to the case (an HMAC under the
    server's secret), from which nothing can be read back and which matches
    nothing in another case. The number says only the order of first appearance."""

    personal_data = PersonalData(
        activity="support",
        categories=("messages",),
        person="case__reporter",
        export=NotExported(
            _("Keyed fingerprints of what was masked in your case, from which nothing can be read back.")
        ),
        erasure=Deleted(_("Deleted with your cases.")),
        retention=_("Kept while the case exists."),
    )

    case = models.ForeignKey(SupportCase, on_delete=models.CASCADE, related_name="pseudonyms")
    kind = models.CharField(max_length=20)
    number = models.PositiveIntegerField()
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "fingerprint"], name="support_pseudonym_one_tag_per_value"
            ),
            models.UniqueConstraint(
                fields=["case", "kind", "number"], name="support_pseudonym_one_value_per_tag"
            ),
        ]

    def __str__(self):
        return f"[{self.kind} {self.number}] in case {self.case_id}"
