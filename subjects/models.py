import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.register import Deleted, Exported, PersonalData


class SubjectLink(models.Model):
    """The one table that knows which person a pseudonymous subject key means.

    Evidence rows (audit events, consent records, disclosures...) store only
    ``subject_key`` and keep personal values encrypted with ``wrapped_key``.
    Erasing a person deletes this row: the evidence stays intact and still
    verifies, but nothing links it to them or can decrypt their values.
    """

    personal_data = PersonalData(
        activity="account",
        categories=("identity",),
        person="user",
        export=Exported(
            "profile", _("Your pseudonymous subject key, which names you in iCentrex's evidence.")
        ),
        erasure=Deleted(
            _(
                "The link from your subject key to you and your personal encryption key are deleted "
                "(crypto-shredding): evidence that names you by that key no longer leads to you, and what "
                "was "
                "sealed with your key can no longer be read."
            )
        ),
        retention=_("Kept while the account exists."),
    )

    subject_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subject_link"
    )
    # The person's own Fernet key, itself encrypted with EVIDENCE_MASTER_KEYS.
    wrapped_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.subject_key)
