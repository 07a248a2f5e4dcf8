from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api.serializers import StrictSerializer
from organizations.models import Organization

from . import selectors, services
from .masking import KINDS
from .models import CaseMessage, CaseShare, SharedCaseReply, SupportCase


class CaseMessageSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField(help_text="Who wrote it (staff show as their name).")

    class Meta:
        model = CaseMessage
        fields = ["kind", "author_name", "body", "created_at"]
        read_only_fields = fields

    def get_author_name(self, message) -> str:
        return message.author.get_full_name() if message.author else ""


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    reporter = serializers.EmailField(source="reporter.email", read_only=True)

    class Meta:
        model = SupportCase
        fields = ["id", "subject", "body", "status", "organization", "reporter", "created_at", "updated_at"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    messages = CaseMessageSerializer(
        many=True,
        read_only=True,
        source="thread",
        help_text="The conversation after the opening message, oldest first. Internal notes "
        "(kind internal_note) are listed for support staff only.",
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class _OrganizationSlugField(serializers.SlugRelatedField):
    """DRF reads "" as null for a relation; the schema promises a short name or null, so a
    blank one is refused rather than quietly opening a case about no organisation."""

    def run_validation(self, data=serializers.empty):
        if data == "":
            raise serializers.ValidationError(_("Give an organisation's short name, or leave it out."))
        return super().run_validation(data)


class CaseOpenSerializer(StrictSerializer):
    subject = serializers.CharField(max_length=SupportCase.SUBJECT_MAX)
    body = serializers.CharField(
        max_length=SupportCase.BODY_MAX, help_text="What you need help with (at most 20,000 characters)."
    )
    organization = _OrganizationSlugField(
        slug_field="slug",
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional: the short name of an organisation you belong to that the case is about.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Another organisation's short name is refused exactly like one that does not exist.
        if user is not None:
            self.fields["organization"].queryset = selectors.case_organizations_for(user=user)


# --- Sharing a case, masked, with its organisation's admins ---------------------------


# The subject, the message, or the reporter's n-th later message in the thread.
SHARE_FIELD = r"^(?:subject|body|reply-[1-9][0-9]{0,3})$"
SHARE_FIELD_HELP = "'subject', 'body', or 'reply-N': the reporter's N-th later message in the thread."


class DetectionSerializer(serializers.Serializer):
    field = serializers.RegexField(SHARE_FIELD, help_text=SHARE_FIELD_HELP)
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=KINDS)
    rule = serializers.CharField()
    tag = serializers.CharField(
        help_text="The numbered tag it is masked as ('[name 1]'): the same person or value has the same tag "
        "in everything shared from the case."
    )


class RedactionRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    rule = serializers.CharField()
    count = serializers.IntegerField()


class MaskPreviewSerializer(serializers.Serializer):
    detections = DetectionSerializer(many=True)
    masked_subject = serializers.CharField()
    masked_body = serializers.CharField()
    masked_replies = serializers.ListField(
        child=serializers.CharField(),
        help_text="The reporter's later messages in the thread, masked, oldest first.",
    )
    redaction_report = RedactionRowSerializer(many=True)


class UnmaskSerializer(StrictSerializer):
    field = serializers.RegexField(SHARE_FIELD, max_length=10, help_text=SHARE_FIELD_HELP)
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=0)


class ExtraMaskSerializer(StrictSerializer):
    phrase = serializers.CharField(max_length=services.PHRASE_MAX)
    kind = serializers.ChoiceField(choices=KINDS)


class ShareRequestSerializer(StrictSerializer):
    unmask = serializers.ListField(
        child=UnmaskSerializer(),
        required=False,
        default=list,
        max_length=500,
        help_text="Detections (from mask-preview) to leave unmasked, by field, start and end.",
    )
    extra = serializers.ListField(
        child=ExtraMaskSerializer(),
        required=False,
        default=list,
        max_length=services.EXTRA_MAX,
        help_text="Phrases to mask by hand, wherever they occur (rule 'manual').",
    )


class MaskedReplySerializer(serializers.Serializer):
    written_at = serializers.DateTimeField(help_text="When the reporter wrote it.")
    body = serializers.CharField(help_text="What they wrote, masked with the case's tags.")


class CaseShareSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    reviewed_by = serializers.SerializerMethodField(
        help_text="The iCentrex staff member who reviewed the masks."
    )
    redaction_report = RedactionRowSerializer(many=True, read_only=True)
    masked_replies = MaskedReplySerializer(many=True, read_only=True)

    class Meta:
        model = CaseShare
        fields = [
            "id",
            "masked_subject",
            "masked_body",
            "masked_replies",
            "redaction_report",
            "reviewed_by",
            "shared_at",
        ]
        read_only_fields = fields

    def get_reviewed_by(self, share) -> str:
        return share.reviewed_by.get_full_name()


class SharedCaseReplySerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = SharedCaseReply
        fields = ["author_name", "body", "created_at"]
        read_only_fields = fields

    def get_author_name(self, reply) -> str:
        return reply.author.get_full_name() if reply.author else ""


class SharedCaseDetailSerializer(CaseShareSerializer):
    replies = SharedCaseReplySerializer(many=True, read_only=True, source="reply_list")

    class Meta(CaseShareSerializer.Meta):
        fields = [*CaseShareSerializer.Meta.fields, "replies"]
        read_only_fields = fields
