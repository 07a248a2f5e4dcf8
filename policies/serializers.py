from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import StrictSerializer

from . import selectors
from .models import PolicyDocument, PolicyVersion


class PolicyVersionSerializer(serializers.ModelSerializer):
    html = serializers.SerializerMethodField(help_text="The text rendered to sanitised HTML.")

    class Meta:
        model = PolicyVersion
        fields = [
            "id",
            "status",
            "number",
            "summary",
            "effective_at",
            "material",
            "published_at",
            "content_hash",
            "body",
            "html",
        ]
        read_only_fields = fields

    def get_html(self, version) -> str:
        return str(selectors.render_policy(version.body))


class PolicyDocumentSerializer(serializers.ModelSerializer):
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = PolicyDocument
        fields = ["slug", "title", "in_force"]
        read_only_fields = fields

    def get_in_force(self, document) -> int | None:
        version = selectors.version_in_force(document=document)
        return version.number if version else None


class PolicyVersionCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=200_000, help_text="The text, in Markdown.")
    summary = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    effective_at = serializers.DateTimeField(help_text="When the version comes into force.")
    material = serializers.BooleanField(
        default=False, help_text="A material change asks everyone to accept it again."
    )
    publish = serializers.BooleanField(
        default=False, help_text="Publish at once (otherwise a draft is saved, to publish later)."
    )

    def validate_effective_at(self, value):
        # A date centuries away is a typo, and before 1900 local time zones had
        # offsets in seconds that no RFC 3339 client reads back.
        if not 2000 <= value.year <= 2999:
            raise serializers.ValidationError(_("Give a date between the years 2000 and 2999."))
        return value


class ChannelProgressSerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()


class ChannelsProgressSerializer(serializers.Serializer):
    email = ChannelProgressSerializer()
    in_app = ChannelProgressSerializer()


class NoticeProgressSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="run.version_id")
    document = serializers.CharField(source="run.version.document.slug")
    number = serializers.IntegerField(source="run.version.number")
    status = serializers.CharField(source="run.status")
    recipients = serializers.IntegerField()
    channels = ChannelsProgressSerializer()
    rate_per_second = serializers.FloatField(
        help_text="Emails sent per second (recent, or overall when done)."
    )
    eta_seconds = serializers.FloatField(
        allow_null=True, help_text="Estimated seconds left; null if unknown."
    )
    started_at = serializers.DateTimeField(source="run.started_at", allow_null=True)
    finished_at = serializers.DateTimeField(source="run.finished_at", allow_null=True)


class PolicyAcceptanceSerializer(serializers.Serializer):
    document = serializers.CharField(source="version.document.slug")
    version = serializers.IntegerField(source="version.number")
    how = serializers.CharField()
    accepted_at = serializers.DateTimeField()


class PolicyAcceptanceCreateSerializer(StrictSerializer):
    document = serializers.SlugField()
    version = serializers.IntegerField(min_value=1)
