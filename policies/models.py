from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.evidence import AppendOnlyModel, EvidenceImmutableError, content_hash
from audit.sealing import ChainedSealBase
from core.register import EVIDENCE_REASON, Exported, NotExported, PersonalData, Pseudonymised


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
    personal_data = PersonalData(
        activity="policy_notices",
        categories=("identity",),
        person="published_by_subject (the privacy officer who published it)",
        export=NotExported(_("Policy texts are public; who published one is in their audit events.")),
        erasure=Pseudonymised(_("Kept: the text people were told about and accepted."), EVIDENCE_REASON),
        retention=_("Kept for the life of the service."),
    )

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
    """Proof that a person accepted a policy version (a material change), or was
    notified of it and carried on (a non-material change): who (subject key),
    which version, when and how. Append-only like all evidence."""

    personal_data = PersonalData(
        activity="policy_notices",
        categories=("policy",),
        person="subject_key",
        export=Exported("policies", _("Each version you accepted or were notified of, how and when.")),
        erasure=Pseudonymised(_("Kept unchanged; your subject key no longer leads to you."), EVIDENCE_REASON),
        retention=_("Kept for the life of the service."),
    )

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        NOTIFIED = "notified", _("Notified")

    class How(models.TextChoices):
        INTERSTITIAL = "interstitial", _("Asked on the next page after the change")
        API = "api", _("Through the API")
        BANNER = "banner", _("Saw the update banner and carried on")

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="acceptances")
    subject_key = models.UUIDField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ACCEPTED)
    how = models.CharField(max_length=16, choices=How.choices)
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip_prefix = models.CharField(max_length=45, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "subject_key", "kind"], name="policy_acceptance_once")
        ]

    def __str__(self):
        return f"{self.subject_key} {self.kind} {self.version}"


class NoticeRun(models.Model):
    """The outbox row of one published version's change notices. It is written
    in the publishing transaction, so the fan-out cannot be lost: if the broker
    is down when the version is published, the periodic sweep relays it later.
    Operational state (not evidence): it tracks how far the fan-out got."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Sending")
        DONE = "done", _("Finished")

    version = models.OneToOneField(PolicyVersion, on_delete=models.PROTECT, related_name="notice_run")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Everyone who had an account when the version was published is notified;
    # people who sign up later read the new version when they sign up.
    last_user_pk = models.BigIntegerField()
    recipient_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"notices for {self.version}"


class NoticeChunk(models.Model):
    """One primary-key range of users [first_pk, last_pk] of a run: the unit a
    task works on, retries and the sweep resumes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    run = models.ForeignKey(NoticeRun, on_delete=models.PROTECT, related_name="chunks")
    first_pk = models.BigIntegerField()
    last_pk = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Last sign of life of a task working on it; the sweep re-enqueues stale chunks.
    touched_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "first_pk"], name="notice_chunk_unique_range")]
        indexes = [models.Index(fields=["status", "touched_at"], name="notice_chunk_status")]

    def __str__(self):
        return f"users {self.first_pk}-{self.last_pk} of {self.run}"


class PolicyNoticeQuerySet(models.QuerySet):
    def delete(self):
        raise EvidenceImmutableError("Policy notices are evidence and are never deleted")


class PolicyNotice(models.Model):
    """That a person was told about a new policy version, on one channel.

    Unique per (version, subject, channel): however often a task is retried or
    delivered twice, nobody gets the same notice twice. The row moves
    pending -> sending -> sent | failed once; a final row is evidence and is
    frozen (PostgreSQL refuses to change or delete it) and carries the hash of
    its content; a run's final rows are sealed together (``NoticeSeal``).
    People are named only by subject key, like all evidence."""

    personal_data = PersonalData(
        activity="policy_notices",
        categories=("policy", "contact"),
        person="subject_key",
        export=Exported(
            "policies", _("Each change notice: version, channel, status, when it was sent or why it failed.")
        ),
        erasure=Pseudonymised(_("Kept unchanged; your subject key no longer leads to you."), EVIDENCE_REASON),
        retention=_("Kept for the life of the service."),
    )

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In-app notice")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    FINAL = (Status.SENT, Status.FAILED)

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="notices")
    chunk = models.ForeignKey(NoticeChunk, on_delete=models.PROTECT, related_name="notices")
    subject_key = models.UUIDField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    content_hash = models.CharField(max_length=64, blank=True)

    objects = PolicyNoticeQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "subject_key", "channel"], name="policy_notice_once"),
        ]
        indexes = [
            models.Index(fields=["chunk", "channel", "status"], name="policy_notice_chunk_status"),
            models.Index(fields=["version", "status", "channel"], name="policy_notice_progress"),
            models.Index(fields=["subject_key"], name="policy_notice_subject"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} notice of {self.version_id} to {self.subject_key}"

    def delete(self, *args, **kwargs):
        raise EvidenceImmutableError("Policy notices are evidence and are never deleted")

    def compute_hash(self, *, version_hash: str) -> str:
        return notice_hash(
            version_hash=version_hash,
            subject_key=self.subject_key,
            channel=self.channel,
            status=self.status,
            sent_at=self.sent_at,
            failure_reason=self.failure_reason,
        )


def notice_hash(*, version_hash, subject_key, channel, status, sent_at, failure_reason) -> str:
    """(version, subject, channel) is unique, so the content names the notice
    without its id, and rows can be written final in one bulk insert."""
    return content_hash(
        {
            "version": version_hash,
            "subject": str(subject_key),
            "channel": channel,
            "status": status,
            "sent_at": sent_at.isoformat() if sent_at else None,
            "failure": failure_reason,
        }
    )


def notice_entry_content(
    *,
    notice_id,
    version_hash,
    chunk_id,
    subject_key,
    channel,
    status,
    attempts,
    next_attempt_at,
    claimed_at,
    sent_at,
    failure_reason,
    created_at,
    content_hash,
) -> dict:
    """Every column of a final notice, as its log entry hashes it: a notice's
    row changes no more once final, so any later change breaks its entry."""
    iso = lambda moment: moment.isoformat() if moment else None  # noqa: E731
    return {
        "notice": notice_id,
        "version": version_hash,
        "chunk": chunk_id,
        "subject": str(subject_key),
        "channel": channel,
        "status": status,
        "attempts": attempts,
        "next_attempt_at": iso(next_attempt_at),
        "claimed_at": iso(claimed_at),
        "sent_at": iso(sent_at),
        "failure": failure_reason,
        "created_at": iso(created_at),
        "content_hash": content_hash,
    }


NOTICE_ENTRY_FIELDS = (
    "id", "version__content_hash", "chunk_id", "subject_key", "channel", "status", "attempts",
    "next_attempt_at", "claimed_at", "sent_at", "failure_reason", "created_at", "content_hash",
)  # fmt: skip


def notice_entry_values_content(values: tuple) -> dict:
    """``notice_entry_content`` from a notice's ``NOTICE_ENTRY_FIELDS`` values."""
    names = ("notice_id", "version_hash", *NOTICE_ENTRY_FIELDS[2:])
    return notice_entry_content(**dict(zip(names, values, strict=True)))


def notice_entry_hash(values: tuple) -> str:
    """The hash of a notice's entry from its ``NOTICE_ENTRY_FIELDS`` values."""
    return content_hash(notice_entry_values_content(values))


class NoticeEntry(AppendOnlyModel):
    """A final notice's entry in the notices transparency log (audit.transparency):
    written in the transaction that makes the notice final, in that order, with
    the hash of every column of the notice. Notices become final out of id
    order, so the log follows these entries rather than the notices."""

    seq = models.BigAutoField(primary_key=True)
    notice = models.OneToOneField(PolicyNotice, on_delete=models.PROTECT, related_name="log_entry")
    record_hash = models.CharField(max_length=64)

    def __str__(self):
        return f"log entry {self.seq} of notice {self.notice_id}"

    def compute_hash(self) -> str:
        """The hash of the notice as it is now ("" when it is gone)."""
        return self.compute_hashes([self])[self.seq]

    def hashed_content(self) -> dict:
        values = PolicyNotice.objects.filter(pk=self.notice_id).values_list(*NOTICE_ENTRY_FIELDS).get()
        return notice_entry_values_content(values)

    @classmethod
    def compute_hashes(cls, entries) -> dict[int, str]:
        """``compute_hash`` of many entries in one query (audit.logverify uses it)."""
        notices = PolicyNotice.objects.filter(pk__in=[entry.notice_id for entry in entries])
        values = {row[0]: row for row in notices.values_list(*NOTICE_ENTRY_FIELDS)}
        return {
            entry.seq: notice_entry_hash(values[entry.notice_id]) if entry.notice_id in values else ""
            for entry in entries
        }


class NoticeSeal(ChainedSealBase):
    """All final notices of a finished run, sealed together: the Merkle root of
    their hashes in id order, chained to the previous seal. An edited, deleted
    or added notice no longer matches (``notice_seals_verify``).

    A link of the same chain as the batch-sealed streams' seals
    (audit.sealing.ChainedSealBase), but not a ``SealBase``: its hash covers
    the run as well as the root and the count (``chained_content``), as every
    notice seal already stored was hashed, and it has no entries table (its
    leaves are the run's notices themselves). The count keeps its column name,
    ``notice_count``."""

    run = models.OneToOneField(NoticeRun, on_delete=models.PROTECT, related_name="seal")
    notice_count = models.PositiveIntegerField()

    def chained_content(self) -> dict:
        return {"run": self.run_id, "merkle_root": self.merkle_root, "count": self.notice_count}
