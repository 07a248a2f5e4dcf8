from rest_framework import serializers

from core.api.serializers import StrictSerializer

from .models import ErasureRequest, OrganizationExport, PersonalExport

_BUILT_FIELDS = [
    "status",
    "total",
    "processed",
    "percent",
    "error",
    "created_at",
    "started_at",
    "finished_at",
    "link_state",
    "link_sent_at",
    "expires_at",
    "downloaded_at",
]


class OrganizationExportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    link_state = serializers.CharField(
        read_only=True,
        help_text="building, failed, ready (the link email is on its way), sent, used or expired. "
        "The download link goes by email to whoever started the export; it needs sign-in, works "
        "once and expires after 7 days.",
    )

    class Meta:
        model = OrganizationExport
        fields = ["id", "public_id", "format", *_BUILT_FIELDS]
        read_only_fields = fields


class OrganizationExportCreateSerializer(StrictSerializer):
    format = serializers.ChoiceField(choices=OrganizationExport.Format.choices, default="json")


class PersonalExportSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    current_kind = serializers.CharField(read_only=True, help_text="The file being written, while it builds.")
    link_state = serializers.CharField(
        read_only=True,
        help_text="building, failed, ready (the link email is on its way), sent, used or expired. "
        "The download link goes by email only; it needs sign-in, works once and expires after 7 days.",
    )

    class Meta:
        model = PersonalExport
        fields = ["id", "current_kind", *_BUILT_FIELDS]
        read_only_fields = fields


class ErasureRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = ErasureRequest
        fields = [
            "id",
            "status",
            "requested_at",
            "scheduled_for",
            "cancelled_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ErasureCreateSerializer(StrictSerializer):
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, help_text="Your password: deleting an account needs it again."
    )
    code = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="The current code from your authenticator app, when you use two-factor sign-in.",
    )


class NoFieldsSerializer(StrictSerializer):
    """A request that takes no input: any field sent is refused, not ignored."""
