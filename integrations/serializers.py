from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import StrictSerializer
from organizations.serializers import PersonSerializer

from .catalog import CATEGORIES, FIELDS, category_of, field_label
from .models import Provider

FIELD_CHOICES = list(FIELDS)


class LabelledSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The catalogue key, e.g. identity.email.")
    label = serializers.CharField(help_text="What it is, in the reader's language.")


def _fields(keys) -> list[dict]:
    return [{"key": k, "label": field_label(k)} for k in keys]


def _categories(keys) -> list[dict]:
    return [{"key": c, "label": str(CATEGORIES.get(c, c))} for c in keys]


class ProviderRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="integration or service_provider.")


class CatalogueEntrySerializer(serializers.Serializer):
    """An integration anyone may add, and exactly what it can receive."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    purpose = serializers.CharField()
    categories = serializers.SerializerMethodField()
    # Not get_fields: that name is DRF's own (it builds the serializer's fields).
    fields = serializers.SerializerMethodField(method_name="fields_labelled")

    @extend_schema_field(LabelledSerializer(many=True))
    def get_categories(self, provider):
        return _categories(provider.categories)

    @extend_schema_field(LabelledSerializer(many=True))
    def fields_labelled(self, provider):
        return _fields(provider.fields)


class PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SharingEventSerializer(serializers.Serializer):
    """One share of data about you. ``context["places"]`` names organisations and teams."""

    id = serializers.UUIDField(source="event_id")
    provider = ProviderRefSerializer()
    categories = serializers.SerializerMethodField()
    fields = serializers.SerializerMethodField(method_name="fields_labelled")
    purpose = serializers.CharField()
    legal_basis = serializers.CharField(
        help_text="consent (you or your team added the integration) or contract (a processing agreement)."
    )
    organization = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    installation = serializers.UUIDField(source="installation_id", allow_null=True)
    occurred_at = serializers.DateTimeField()
    delivery_status = serializers.CharField(
        help_text="pending, delivering, delivered or failed (a webhook); handed_over (a service provider)."
    )

    @extend_schema_field(LabelledSerializer(many=True))
    def get_categories(self, event):
        return _categories(event.category_list)

    @extend_schema_field(LabelledSerializer(many=True))
    def fields_labelled(self, event):
        return _fields(event.fields)

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_organization(self, event):
        org = self.context["places"]["organizations"].get(event.organization_id)
        return {"id": org.pk, "name": org.name} if org else None

    @extend_schema_field(PlaceSerializer(allow_null=True))
    def get_team(self, event):
        team = self.context["places"]["teams"].get(event.team_id)
        return {"id": team.pk, "name": team.name} if team else None


class SharingLogSerializer(serializers.Serializer):
    next = serializers.IntegerField(
        allow_null=True, help_text="Pass as ?before= for the next (older) page; null on the last page."
    )
    results = SharingEventSerializer(many=True)


class SharingLogFilterSerializer(serializers.Serializer):
    # Not strict: a query string, where unknown parameters are ignored as on any page.
    provider = serializers.SlugField(
        required=False, default="", allow_blank=True, help_text="Only shares with this provider (its slug)."
    )
    category = serializers.ChoiceField(
        choices=list(CATEGORIES),
        required=False,
        default="",
        allow_blank=True,
        help_text="Only shares of this category.",
    )
    before = serializers.IntegerField(
        required=False,
        min_value=1,
        default=None,
        help_text="The cursor: the `next` of the previous page (pages of 50, newest first).",
    )


class OrgSharingFilterSerializer(SharingLogFilterSerializer):
    installation = serializers.UUIDField(required=False, default=None, help_text="Only this installation.")


class InstallationSerializer(serializers.Serializer):
    """An integration someone added. ``context["summaries"]`` holds share counts."""

    id = serializers.UUIDField(source="public_id")
    provider = ProviderRefSerializer()
    audience = serializers.CharField(help_text="me (the person who added it) or team (the team's members).")
    organization = serializers.CharField(
        source="organization.slug", allow_null=True, help_text="The organisation's slug, if any."
    )
    team = PlaceSerializer(allow_null=True)
    installed_by = PersonSerializer(allow_null=True)
    granted_fields = serializers.SerializerMethodField()
    categories = serializers.SerializerMethodField()
    status = serializers.CharField(help_text="active or removed.")
    created_at = serializers.DateTimeField()
    removed_at = serializers.DateTimeField(allow_null=True)
    shares = serializers.SerializerMethodField(help_text="How many times data was shared with it.")
    people = serializers.SerializerMethodField(help_text="How many people the shares were about.")
    last_shared_at = serializers.SerializerMethodField()

    @extend_schema_field(LabelledSerializer(many=True))
    def get_granted_fields(self, installation):
        return _fields(installation.granted_fields)

    @extend_schema_field(LabelledSerializer(many=True))
    def get_categories(self, installation):
        return _categories(installation.categories)

    def _summary(self, installation) -> dict:
        return self.context.get("summaries", {}).get(installation.public_id) or {}

    def get_shares(self, installation) -> int:
        return self._summary(installation).get("shares", 0)

    def get_people(self, installation) -> int:
        return self._summary(installation).get("people", 0)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_last_shared_at(self, installation):
        last = self._summary(installation).get("last")
        return serializers.DateTimeField().to_representation(last) if last else None


class _FieldsMixin(serializers.Serializer):
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=FIELD_CHOICES),
        allow_empty=False,
        max_length=len(FIELD_CHOICES),
        help_text="The catalogue fields you grant; each must be one the provider declares.",
    )


class MyInstallationCreateSerializer(StrictSerializer, _FieldsMixin):
    provider = serializers.SlugField(help_text="The integration's slug (GET /api/v1/integrations).")
    organization = serializers.SlugField(
        required=False,
        default="",
        allow_blank=True,
        help_text="Needed for organisation fields: the organisation (slug) whose details are shared.",
    )

    def validate(self, data):
        if any(category_of(f) == "organisation" for f in data["fields"]) and not data["organization"]:
            raise serializers.ValidationError(
                {"organization": [_("Needed for the organisation fields.")]}, code="required"
            )
        return data


class OrgInstallationCreateSerializer(StrictSerializer, _FieldsMixin):
    provider = serializers.SlugField(help_text="The integration's slug (GET /api/v1/integrations).")
    team_id = serializers.IntegerField(min_value=1, help_text="The team whose members' data it receives.")


class OrgShareSerializer(serializers.Serializer):
    """One share with an integration: the same fields about each of ``people`` members."""

    provider = ProviderRefSerializer(source="event.provider")
    installation = serializers.UUIDField(source="event.installation_id", allow_null=True)
    team_id = serializers.IntegerField(source="event.team_id", allow_null=True)
    categories = serializers.SerializerMethodField()
    fields = serializers.SerializerMethodField(method_name="fields_labelled")
    purpose = serializers.CharField(source="event.purpose")
    legal_basis = serializers.CharField(source="event.legal_basis")
    occurred_at = serializers.DateTimeField(source="event.occurred_at")
    delivery_status = serializers.CharField(source="event.delivery_status")
    people = serializers.IntegerField(help_text="How many members the share was about.")
    members = serializers.SerializerMethodField(
        help_text="Who they were, only where the organisation's data policy lets you see member data; "
        "else null. An entry is null for someone no longer in the organisation."
    )

    @extend_schema_field(LabelledSerializer(many=True))
    def get_categories(self, share):
        return _categories(share.event.category_list)

    @extend_schema_field(LabelledSerializer(many=True))
    def fields_labelled(self, share):
        return _fields(share.event.fields)

    @extend_schema_field(PersonSerializer(many=True, allow_null=True))
    def get_members(self, share):
        if share.members is None:
            return None
        return [{"id": u.pk, "email": u.email, "name": u.name} if u else None for u in share.members]


class OrgSharingLogSerializer(serializers.Serializer):
    next = serializers.IntegerField(
        allow_null=True, help_text="Pass as ?before= for the next (older) page; null on the last page."
    )
    member_detail = serializers.BooleanField(help_text="Whether ``members`` is filled in.")
    results = OrgShareSerializer(many=True)


# --- Provider register (staff) ----------------------------------------------------


class ProviderFilterSerializer(serializers.Serializer):
    # Not strict: a query string (page and page_size ride along).
    kind = serializers.ChoiceField(
        choices=Provider.Kind.choices,
        required=False,
        default="",
        allow_blank=True,
        help_text="Only this kind.",
    )


class ProviderSerializer(serializers.ModelSerializer):
    """A register entry. ``signing_secret`` is only ever filled in the answer
    that created or rotated it."""

    fields = serializers.ListField(child=serializers.CharField())
    signing_secret = serializers.SerializerMethodField(
        help_text="The new signing secret, after create or rotation only (shown once); else null."
    )

    class Meta:
        model = Provider
        fields = [
            "slug",
            "name",
            "kind",
            "description",
            "purpose",
            "fields",
            "webhook_url",
            "service",
            "agreement_reference",
            "country",
            "transfer_mechanism",
            "role",
            "advertising",
            "active",
            "created_at",
            "updated_at",
            "signing_secret",
        ]
        read_only_fields = fields

    def get_signing_secret(self, provider) -> str | None:
        return self.context.get("secret")


class _ProviderValues(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    purpose = serializers.CharField(max_length=300)
    fields = serializers.ListField(child=serializers.ChoiceField(choices=FIELD_CHOICES), allow_empty=False)
    webhook_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    service = serializers.ChoiceField(choices=Provider.Service.choices, required=False, allow_blank=True)
    agreement_reference = serializers.CharField(max_length=120, required=False, allow_blank=True)
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, allow_blank=True)
    transfer_mechanism = serializers.CharField(max_length=160, required=False, allow_blank=True)
    role = serializers.ChoiceField(
        choices=Provider.Role.choices,
        required=False,
        help_text="Its role under the CCPA; without one, a new service provider is a service provider "
        "and a new integration a third party.",
    )
    advertising = serializers.BooleanField(
        required=False,
        help_text="Receives data for cross-context behavioural advertising (third parties only).",
    )
    active = serializers.BooleanField(required=False)


class ProviderCreateSerializer(_ProviderValues):
    slug = serializers.SlugField(max_length=60)
    kind = serializers.ChoiceField(choices=Provider.Kind.choices)


class ProviderUpdateSerializer(_ProviderValues):
    """Any of the values (used with partial=True: at least one); ``rotate_secret``
    issues a new signing secret (integrations only)."""

    rotate_secret = serializers.BooleanField(required=False)
