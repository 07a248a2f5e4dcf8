"""Email domains an organisation has proved it owns, and the disclosures of
people's addresses at them to that organisation (issue 7).

The tables keep the names they had when these models lived in
``organizations`` (``Meta.db_table``), so existing databases keep their rows;
``domains`` migration 0001 only takes them over in Django's state."""

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
from organizations.models import Organization

# The outcome of a DNS check, in words (DomainClaim.last_check_result holds the code).
CHECK_RESULTS = {
    "verified": _("Verified."),
    "wrong_token": _("The TXT record was found but holds a different value. Copy the value exactly."),
    "no_record": _("No TXT record was found yet. DNS changes can take a while to show; try again later."),
    "timeout": _("The DNS lookup took too long. Try again in a moment."),
    "dns_error": _("The DNS lookup failed. Try again in a moment."),
}


class DomainClaim(models.Model):
    """An organisation's claim to an email domain, proved by a DNS TXT record
    holding ``token``. A domain is verified for one organisation at a time
    (a partial unique constraint); ``include_subdomains`` must be claimed
    explicitly for addresses at sub-domains to count."""

    personal_data = PersonalData(
        activity="domain_disclosure",
        categories=("identity",),
        person="created_by",
        export=NotExported(
            _("The organisation's proof that it owns a domain; that you claimed it is in your audit events.")
        ),
        erasure=Pseudonymised(
            _("Claims you made stay with the organisation, no longer linked to you."),
            _("The organisation's proof that it owns the domain; it describes the domain, not you."),
        ),
        retention=_("Kept until the organisation revokes the claim."),
    )
    # Audit events name claims as they did before the model left organizations.
    audit_target_type = "organizations.domainclaim"

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REVOKED = "revoked", _("Revoked")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domain_claims")
    domain = models.CharField(_("domain"), max_length=253)
    include_subdomains = models.BooleanField(_("include sub-domains"), default=False)
    token = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_result = models.CharField(max_length=20, blank=True)
    # Addresses at the domain are disclosed from this time on (verification
    # plus EMAIL_DISCLOSURE_DELAY_HOURS): until then owners can see what would
    # be disclosed with a dry run.
    disclosures_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "organizations_domainclaim"
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=models.Q(status="verified"), name="domain_verified_once"
            ),
            models.UniqueConstraint(
                fields=["organization", "domain"],
                condition=~models.Q(status="revoked"),
                name="domain_claimed_once_per_org",
            ),
        ]

    def __str__(self):
        return f"{self.domain} ({self.organization}, {self.status})"

    @property
    def last_check_result_display(self) -> str:
        """The last DNS check's outcome for people; never the stored code."""
        if not self.last_check_result:
            return ""
        return str(CHECK_RESULTS.get(self.last_check_result, CHECK_RESULTS["dns_error"]))


class DisclosureRun(models.Model):
    """One pass of the email disclosure job (issue 7): who asked, over which
    people, what it found. The user primary keys from ``first_user_id`` to
    ``last_user_id`` are split into ranges dealt round-robin to ``lane_count``
    lanes (``DisclosureLane``), so that several workers can work on one run at
    once. A dry run computes the same rows and writes none of them."""

    personal_data = PersonalData(
        activity="domain_disclosure",
        categories=("contact",),
        person="user (whose confirmed address started the run), requested_by",
        export=NotExported(
            _("How the disclosure job ran (counts and times); what it disclosed about you is exported.")
        ),
        erasure=Pseudonymised(
            _("Runs stay, no longer linked to you."),
            _(
                "Counts and times of the disclosure job, kept to show it ran as promised; they say nothing "
                "about you."
            ),
        ),
        retention=_("Deleted once older than the organisation's retention period."),
    )

    class Trigger(models.TextChoices):
        DOMAIN_VERIFIED = "domain_verified", _("A domain was verified")
        SCHEDULE = "schedule", _("Scheduled")
        EMAIL_CONFIRMED = "email_confirmed", _("Sign-up or email change")
        OWNER = "owner", _("Asked for by an owner")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="disclosure_runs"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    first_user_id = models.BigIntegerField(default=0)
    last_user_id = models.BigIntegerField(default=0)
    range_size = models.PositiveIntegerField(default=1)
    lane_count = models.PositiveSmallIntegerField(default=1)
    people_matched = models.PositiveIntegerField(default=0)
    disclosed = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last failure of a range (the run stays "running"; the sweep resumes it).
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "organizations_disclosurerun"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status"], name="disclosure_run_status_idx")]

    def __str__(self):
        return f"disclosure run {self.pk} ({self.trigger}, {self.status})"


class DisclosureLane(models.Model):
    """Every ``lane_count``-th range of a run, with its own position: a range
    commits together with the move of its lane's position, so a crash repeats
    nothing and loses nothing, whatever the other lanes do."""

    run = models.ForeignKey(DisclosureRun, on_delete=models.CASCADE, related_name="lanes")
    number = models.PositiveSmallIntegerField()
    next_user_id = models.BigIntegerField()
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "organizations_disclosurelane"
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="disclosure_lane_once")]

    def __str__(self):
        return f"lane {self.number} of disclosure run {self.run_id}"


class EmailDisclosure(AppendOnlyModel):
    """Evidence that a person's email address and team names went to the
    organisation that verified the address's domain. The person is named by
    subject key only; the address and team names are sealed with their own key
    (subjects.subject_seal), so erasing them leaves a row that still verifies
    but says nothing about them. Organisation, claim and run are plain columns:
    the evidence outlives them. Sealed in batches like the sharing log."""

    personal_data = PersonalData(
        activity="domain_disclosure",
        categories=("contact",),
        person="subject_key",
        export=Exported(
            "disclosures",
            _(
                "Each disclosure: organisation, domain, when, and the address and team names disclosed, "
                "decrypted for you."
            ),
        ),
        erasure=Pseudonymised(
            _(
                "Kept; the address and team names in it were encrypted with your personal key, which is "
                "deleted."
            ),
            EVIDENCE_REASON,
        ),
        retention=_(
            "Kept as iCentrex's evidence; the organisation's report shows only disclosures within the "
            "organisation's own retention period."
        ),
    )

    seq = models.BigAutoField(primary_key=True)
    disclosure_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization_id = models.BigIntegerField()
    organization_name = models.CharField(max_length=120)
    claim_id = models.BigIntegerField()
    domain = models.CharField(max_length=253)
    run_id = models.BigIntegerField()
    subject_key = models.UUIDField()
    # A Fernet token of {"email": ..., "teams": [[organisation, team], ...]}.
    sealed = models.TextField()
    disclosed_at = models.DateTimeField()
    record_hash = models.CharField(max_length=64)

    class Meta:
        db_table = "organizations_emaildisclosure"
        indexes = [
            models.Index(fields=["organization_id", "-seq"], name="disclosure_org_seq"),
            models.Index(fields=["subject_key", "-seq"], name="disclosure_subject_seq"),
        ]

    def __str__(self):
        return f"disclosure {self.seq} to organisation {self.organization_id}"

    def compute_hash(self) -> str:
        return self.hash_of({field: getattr(self, field) for field in self.HASHED_FIELDS})

    def hashed_content(self) -> dict:
        """Every column but seq (the log's order, pinned by the log itself)."""
        return self.content_of({field: getattr(self, field) for field in self.HASHED_FIELDS})

    HASHED_FIELDS = (
        "disclosure_id",
        "organization_id",
        "organization_name",
        "claim_id",
        "domain",
        "run_id",
        "subject_key",
        "sealed",
        "disclosed_at",
    )

    @staticmethod
    def hash_of(values: dict) -> str:
        """The record hash of these column values (the job hashes rows it has
        not made model instances of: building those cost more than sealing)."""
        return content_hash(EmailDisclosure.content_of(values))

    @staticmethod
    def content_of(values: dict) -> dict:
        return {
            "disclosure_id": str(values["disclosure_id"]),
            "organization": values["organization_id"],
            "organization_name": values["organization_name"],
            "claim": values["claim_id"],
            "domain": values["domain"],
            "run": values["run_id"],
            "subject": str(values["subject_key"]),
            "sealed": values["sealed"],
            "disclosed_at": values["disclosed_at"].isoformat(),
        }


class DisclosureSeal(SealBase):
    """A batch of email disclosures sealed together (audit.sealing)."""

    class Meta(SealBase.Meta):
        db_table = "organizations_disclosureseal"

    def __str__(self):
        return f"disclosure seal {self.pk}"


class DisclosureSealEntry(SealEntryBase):
    seal = models.ForeignKey(DisclosureSeal, on_delete=models.PROTECT, related_name="entries")

    class Meta(SealEntryBase.Meta):
        db_table = "organizations_disclosuresealentry"

    def __str__(self):
        return f"disclosure #{self.record_seq} in seal {self.seal_id}"


class DisclosureState(models.Model):
    """What the organisation last received about a person: a fingerprint of
    (organisation, address, team names). Bookkeeping, not evidence: it makes the
    job idempotent (a run discloses only where the fingerprint changed) and goes
    with the account. ``acknowledged_at`` is when the person dismissed the
    notice about the latest disclosure."""

    personal_data = PersonalData(
        activity="domain_disclosure",
        categories=("contact",),
        person="user",
        export=NotExported(
            _(
                "Bookkeeping: a fingerprint of what the organisation last received; the disclosures are "
                "exported."
            )
        ),
        erasure=Deleted(_("Deleted.")),
        retention=_("Kept while the account exists."),
    )

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    disclosed_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "organizations_disclosurestate"
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="disclosure_state_once"),
        ]

    def __str__(self):
        return f"{self.user_id} as known to {self.organization_id}"


class DisclosureLetter(models.Model):
    """The email that tells a person their work address was disclosed: one per
    person and run (all the organisations of that run in one email), written in
    the transaction of the disclosures it tells about and sent in batches by
    ``tasks.disclosure_letters_send``; ``sent_at`` is set under the row lock in
    the transaction that sends it, so each is sent once (at least once if the
    mail server accepted it and the commit then failed)."""

    personal_data = PersonalData(
        activity="domain_disclosure",
        categories=("contact",),
        person="user",
        export=NotExported(
            _("When we emailed you about a disclosure; the disclosures themselves are in your copy.")
        ),
        erasure=Deleted(_("Deleted.")),
        retention=_("Kept while the account exists."),
    )

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey("DisclosureRun", on_delete=models.CASCADE, related_name="letters")
    organizations = models.JSONField(default=list)  # [[name, domain], ...] as disclosed
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "user"], name="disclosure_letter_once")]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(sent_at__isnull=True), name="disclosure_letter_unsent"
            )
        ]

    def __str__(self):
        return f"letter to {self.user_id} for run {self.run_id}"


class DisclosureDigest(models.Model):
    """A digest of new disclosures emailed to an organisation's owners and
    administrators; the next digest starts after ``up_to_seq``."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="disclosure_digests"
    )
    after_seq = models.BigIntegerField()
    up_to_seq = models.BigIntegerField()
    disclosures = models.PositiveIntegerField()
    recipients = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "organizations_disclosuredigest"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "after_seq"], name="disclosure_digest_once"),
        ]

    def __str__(self):
        return f"digest of {self.organization_id} up to {self.up_to_seq}"
