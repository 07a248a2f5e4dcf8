from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.serializers import StrictModelSerializer, StrictSerializer

from .models import PersonalAccessToken, User


class MeSerializer(StrictModelSerializer):
    mfa_enabled = serializers.SerializerMethodField(help_text="Whether two-factor sign-in is on.")

    class Meta:
        model = User
        fields = ["id", "email", "name", "language", "date_joined", "mfa_enabled"]
        read_only_fields = ["id", "email", "date_joined", "mfa_enabled"]

    def get_mfa_enabled(self, user) -> bool:
        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class ApiTokenSerializer(serializers.ModelSerializer):
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = PersonalAccessToken
        fields = ["id", "name", "hint", "created_at", "last_used_at", "expires_at", "revoked_at", "active"]
        read_only_fields = fields


class ApiTokenCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=3650,
        required=False,
        allow_null=True,
        help_text="Days until the token stops working; omit or null for no expiry.",
    )

    def validate_name(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("A name is required."))
        return value.strip()

    def expires_at(self):
        days = self.validated_data.get("expires_in_days")
        return timezone.now() + timedelta(days=days) if days else None


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The token. Shown this once only.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
