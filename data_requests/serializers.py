from rest_framework import serializers

from icentrex.api.serializers import StrictSerializer

from .models import OrganizationExport


class OrganizationExportSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = OrganizationExport
        fields = [
            "id",
            "format",
            "status",
            "total",
            "processed",
            "percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, export) -> str | None:
        if export.status != OrganizationExport.Status.DONE or export.is_expired:
            return None
        return f"/api/v1/orgs/{export.organization.slug}/exports/{export.pk}/download"


class OrganizationExportCreateSerializer(StrictSerializer):
    format = serializers.ChoiceField(choices=OrganizationExport.Format.choices, default="json")
