from rest_framework import serializers


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
    cookies = DeclaredCookieSerializer(many=True)


class DeclarationSerializer(serializers.Serializer):
    revision = serializers.CharField(
        help_text="Hash of the declaration revision; send it back with a decision."
    )
    categories = DeclaredCategorySerializer(many=True)
