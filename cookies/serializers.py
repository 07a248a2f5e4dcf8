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
    purpose = serializers.CharField(help_text="In the asked language.")
    tied_to_account = serializers.BooleanField()
    translations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text='The purpose in every other language the site speaks: {"sv": {"purpose": …}}.',
    )


class DeclaredHostSerializer(serializers.Serializer):
    host = serializers.CharField(help_text="Covers its subdomains.")
    provider = serializers.CharField()
    purpose = serializers.CharField(help_text="In the asked language.")
    translations = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))


class DeclaredCategorySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The key to use in a decision's `choices`.")
    name = serializers.CharField(help_text="In the asked language.")
    description = serializers.CharField(help_text="In the asked language.")
    necessary = serializers.BooleanField(help_text="Always on; cannot be refused.")
    translations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text='Name and description in every other language the site speaks: {"sv": {"name": …, '
        '"description": …}}.',
    )
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
    hosts = DeclaredHostSerializer(
        many=True, help_text="Third-party hosts its scripts and frames load from: held until consent."
    )


class DeclarationSerializer(serializers.Serializer):
    revision = serializers.CharField(
        help_text="Hash of the declaration revision (it covers every language); send it back with a decision."
    )
    language = serializers.CharField(
        help_text="The language of the texts (also the Content-Language header)."
    )
    categories = DeclaredCategorySerializer(many=True)
    banner = serializers.DictField(
        child=serializers.CharField(),
        help_text="What a banner says around the declaration, in the same language (embed.js shows it).",
    )
