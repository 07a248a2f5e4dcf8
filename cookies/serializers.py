from rest_framework import serializers

from .models import CONSENT_MODE_TYPES, CookieCategory


# Documentation only: the body is the stored revision's content, rendered once
# (cookies.declaration.declaration_content gives its shape).
class DeclaredCookieSerializer(serializers.Serializer):
    name = serializers.CharField()
    provider = serializers.CharField()
    first_party = serializers.BooleanField()
    domain = serializers.CharField()
    lifetime_days = serializers.IntegerField(
        allow_null=True, help_text="Null: ends with the browser session."
    )
    purpose = serializers.CharField()
    tied_to_account = serializers.BooleanField()


class DeclaredCategorySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The key to use in a decision's `choices`.")
    name = serializers.CharField()
    description = serializers.CharField()
    necessary = serializers.BooleanField(help_text="Always on; cannot be refused.")
    gpc_opt_out = serializers.ChoiceField(
        choices=[value for value, _label in CookieCategory.GpcOptOut.choices],
        help_text="Empty: an opt-out preference signal (Global Privacy Control) leaves this category "
        "alone; otherwise the signal turns it off, as the sale or sharing of personal information or as "
        "cross-context behavioural advertising.",
    )
    consent_mode = serializers.ListField(
        child=serializers.ChoiceField(choices=list(CONSENT_MODE_TYPES)),
        help_text="The Google Consent Mode v2 types this category grants when it is on.",
    )
    cookies = DeclaredCookieSerializer(many=True)


class DeclarationSerializer(serializers.Serializer):
    revision = serializers.CharField(
        help_text="Hash of the declaration revision; send it back with a decision."
    )
    categories = DeclaredCategorySerializer(many=True)
