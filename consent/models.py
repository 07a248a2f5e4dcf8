import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.evidence import AppendOnlyModel, content_hash
from audit.sealing import SealBase, SealEntryBase
from core.register import EVIDENCE_REASON, Deleted, Exported, PersonalData, Pseudonymised


class ConsentRecord(AppendOnlyModel):
    """Proof of one consent decision: who (a subject key: an account's, or a
    device's visitor id), what per category, how, after being shown which
    declaration revision, and in what context. Inserted once, never changed;
    sealed in batches by ``ConsentSeal`` (so inserts never wait on each other)."""

    personal_data = PersonalData(
        activity="cookie_consent",
        categories=("device",),
        person="subject_key (the account's, and linked devices' visitor ids)",
        export=Exported(
            "consent",
            _(
                "Every decision as its receipt: choices per category, how, which declaration and policy "
                "version, "
                "language, page, signals, network, browser, time, hash, and whether it is sealed."
            ),
        ),
        erasure=Pseudonymised(
            _("Kept unchanged; your account's subject key no longer leads to you."), EVIDENCE_REASON
        ),
        retention=_(
            "Deleted once older than the consent retention period (CONSENT_RECORD_RETENTION_DAYS, five "
            "years by default); its seal keeps its hash."
        ),
    )

    class Action(models.TextChoices):
        GRANT = "grant", _("Granted")
        DENY = "deny", _("Denied")
        UPDATE = "update", _("Updated")
        WITHDRAW = "withdraw", _("Withdrew")

    class Method(models.TextChoices):
        ACCEPT_ALL = "banner_accept_all", _("Banner: accept all")
        REJECT_ALL = "banner_reject_all", _("Banner: reject all")
        CUSTOM = "banner_custom", _("Banner: own choices")
        PRIVACY_CENTRE = "privacy_centre", _("Privacy centre")
        API = "api", _("API")
        GPC = "gpc", _("Global Privacy Control signal")
        OPT_OUT = "opt_out_link", _("Do Not Sell or Share link")

    class SubjectType(models.TextChoices):
        ACCOUNT = "account", _("Account")
        VISITOR = "visitor", _("Device (not signed in)")

    # seq orders records for sealing; record_id is what receipts and the API show.
    seq = models.BigAutoField(primary_key=True)
    record_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Indexed together with seq (consent_record_subject_idx), which also serves lookups by subject.
    subject_key = models.UUIDField()
    subject_type = models.CharField(max_length=8, choices=SubjectType.choices)
    choices = models.JSONField()
    action = models.CharField(max_length=8, choices=Action.choices)
    method = models.CharField(max_length=24, choices=Method.choices)
    # No database constraint or index (consent_record's hot write, issue 4): the
    # constraint's check locked the one current revision row from every consent
    # transaction, and nothing looks records up by revision id. Revisions are
    # append-only (the database refuses UPDATE and DELETE), so a reference cannot
    # dangle; revision_hash, inside the record's hash, names the text shown.
    revision = models.ForeignKey(
        "cookies.DeclarationRevision",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    revision_hash = models.CharField(max_length=64)
    policy_version = models.CharField(max_length=40)
    language = models.CharField(max_length=10, blank=True)
    page_url = models.CharField(max_length=500, blank=True)
    origin = models.CharField(max_length=200, blank=True)
    # The opt-out preference signal: None, not sent; False, sent but not "1"; True, on
    # (the Sec-GPC header, or navigator.globalPrivacyControl read by our script).
    gpc = models.BooleanField(null=True)
    # Categories the signal refuses that the person nevertheless granted one by one
    # while it was on: their explicit choice wins, and the record says so.
    gpc_overridden = models.JSONField(default=list)
    dnt = models.BooleanField(null=True)
    ip_prefix = models.CharField(max_length=45, blank=True)
    ua_family = models.CharField(max_length=60, blank=True)
    ua_version = models.CharField(max_length=20, blank=True)
    recorded_at = models.DateTimeField()
    record_hash = models.CharField(max_length=64)
    # Which columns record_hash covers: 1, every column but seq and revision_id
    # (records written before revision_id was hashed: their hashes are evidence
    # and are never recomputed); 2, every column but seq and gpc_overridden (written
    # before it existed); 3, every column but seq. seq is the log's
    # ordering, which the transparency log itself pins (a record's leaf index).
    # A record moved to a lower version no longer matches its stored hash (the
    # version is inside it), so this column cannot be used to drop a field from a hash.
    hash_version = models.PositiveSmallIntegerField(default=3)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["subject_key", "-seq"], name="consent_record_subject_idx"),
            models.Index(fields=["recorded_at"], name="consent_record_time_idx"),
        ]

    def __str__(self):
        return f"{self.record_id} {self.action}"

    def hashed_content(self) -> dict:
        return {
            "record_id": str(self.record_id),
            "subject_key": str(self.subject_key),
            "subject_type": self.subject_type,
            "choices": self.choices,
            "action": self.action,
            "method": self.method,
            "revision_hash": self.revision_hash,
            "policy_version": self.policy_version,
            "language": self.language,
            "page_url": self.page_url,
            "origin": self.origin,
            "gpc": self.gpc,
            "dnt": self.dnt,
            "ip_prefix": self.ip_prefix,
            "ua_family": self.ua_family,
            "ua_version": self.ua_version,
            "recorded_at": self.recorded_at.isoformat(),
        } | self._versioned_content()

    def _versioned_content(self) -> dict:
        if self.hash_version == 1:
            return {}
        content = {"revision_id": self.revision_id, "hash_version": self.hash_version}
        if self.hash_version >= 3:
            content["gpc_overridden"] = self.gpc_overridden
        return content

    def compute_hash(self) -> str:
        return content_hash(self.hashed_content())


class ConsentLink(AppendOnlyModel):
    """A device's visitor id joined to an account when its person signed in: the
    device's earlier records become the account's history without editing them."""

    personal_data = PersonalData(
        activity="cookie_consent",
        categories=("device",),
        person="account_subject_key",
        export=Exported(
            "consent", _("Each device joined to your account when you signed in on it, and when.")
        ),
        erasure=Pseudonymised(
            _("Kept; it joins two pseudonymous keys, and neither leads to you after erasure."),
            EVIDENCE_REASON,
        ),
        retention=_("Kept with the records it joins."),
    )

    visitor_key = models.UUIDField()  # leads the unique constraint below, which indexes it
    account_subject_key = models.UUIDField(db_index=True)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visitor_key", "account_subject_key"], name="consent_link_unique")
        ]


class ConsentState(models.Model):
    """The current choices per subject, for fast reads. Not evidence: it is
    derived from the records and may be rebuilt from them."""

    personal_data = PersonalData(
        activity="cookie_consent",
        categories=("device",),
        person="subject_key",
        export=Exported("consent", _("Your current choice for each category.")),
        erasure=Deleted(_("Deleted.")),
        retention=_("Deleted when the decision it reflects is deleted under the consent retention period."),
    )

    subject_key = models.UUIDField(unique=True)
    choices = models.JSONField()
    # Written with every consent record; no constraint or index, as ConsentRecord.revision.
    revision = models.ForeignKey(
        "cookies.DeclarationRevision",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    record_id = models.UUIDField()
    updated_at = models.DateTimeField()
    # Whether the opt-out preference signal was on at the last decision: a page
    # view with the signal records it only when this (or the revision) differs.
    gpc = models.BooleanField(null=True)

    def __str__(self):
        return f"consent state of {self.subject_key}"


class ConsentSeal(SealBase):
    """A batch of records sealed together: the Merkle root of their hashes,
    chained to the previous seal (as Certificate Transparency logs do)."""

    def __str__(self):
        return f"consent seal {self.pk}"


class ConsentSealEntry(SealEntryBase):
    """One record's leaf in a seal (see audit.sealing)."""

    seal = models.ForeignKey(ConsentSeal, on_delete=models.PROTECT, related_name="entries")

    def __str__(self):
        return f"consent record #{self.record_seq} in seal {self.seal_id}"
