from rest_framework import serializers

from audit.events import organization_event_choices
from core.api.serializers import StrictSerializer

from .models import DataPolicy, Invitation, Membership, Organization, Team
from .roles import OrgRole, TeamRole
from .selectors import data_policy_in_plain_words


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "created_at"]
        read_only_fields = fields


class MyOrganizationSerializer(serializers.Serializer):
    """An organisation as seen by one of its members."""

    organization = OrganizationSerializer()
    role = serializers.ChoiceField(choices=OrgRole.choices)
    is_primary_owner = serializers.BooleanField()
    joined_at = serializers.DateTimeField()


class OrganizationCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(
        max_length=60, required=False, help_text="Defaults to one made from the name."
    )


class OrganizationUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    user = PersonSerializer()
    teams = serializers.SerializerMethodField(help_text="Names of the member's teams.")

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "is_primary_owner", "joined_at", "teams"]
        read_only_fields = fields

    def get_teams(self, membership) -> list[str]:
        return self.context.get("team_names", {}).get(membership.pk, [])


class MemberFilterSerializer(serializers.Serializer):
    # Not strict: the query string also carries page and page_size.
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="Part of an email address or name.",
    )
    role = serializers.ChoiceField(choices=OrgRole.choices, required=False, allow_blank=True, default="")
    team = serializers.IntegerField(
        required=False,
        min_value=1,
        source="team_id",
        default=None,
        help_text="Only members of this team (id).",
    )


class MemberUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=OrgRole.choices)


class TransferOwnershipSerializer(StrictSerializer):
    member_id = serializers.IntegerField(help_text="The membership that becomes primary owner.")


class TeamSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "slug", "created_at", "member_count"]
        read_only_fields = fields


class TeamWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)


class TeamMemberSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(source="membership_id")
    user = PersonSerializer(source="membership.user")
    role = serializers.ChoiceField(choices=TeamRole.choices)


class TeamMemberAddSerializer(StrictSerializer):
    member_id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=TeamRole.choices, default=TeamRole.MEMBER)


class TeamMemberUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=TeamRole.choices)


class InvitationSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    invited_by = PersonSerializer(allow_null=True)
    expired = serializers.BooleanField(source="is_expired")

    class Meta:
        model = Invitation
        fields = [
            "id",
            "public_id",
            "email",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "sent_at",
            "responded_at",
            "expired",
        ]
        read_only_fields = fields


class InvitationCreateSerializer(StrictSerializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=OrgRole.choices, default=OrgRole.MEMBER)


class MyInvitationSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer()
    invited_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Invitation
        fields = ["public_id", "organization", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = fields


class DataPolicySerializer(serializers.ModelSerializer):
    in_plain_words = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Null while the organisation keeps the defaults."
    )

    class Meta:
        model = DataPolicy
        fields = [
            "retention_days",
            "review_allowed_for",
            "notify_member_on_review",
            "export_allowed_for",
            "updated_at",
            "in_plain_words",
        ]
        read_only_fields = fields

    def get_in_plain_words(self, policy) -> list[str]:
        return data_policy_in_plain_words(policy=policy)


class DataPolicyUpdateSerializer(StrictSerializer):
    retention_days = serializers.IntegerField(min_value=1, max_value=36500, allow_null=True, required=False)
    review_allowed_for = serializers.ChoiceField(choices=DataPolicy.Who.choices, required=False)
    notify_member_on_review = serializers.BooleanField(required=False)
    export_allowed_for = serializers.ChoiceField(choices=DataPolicy.Who.choices, required=False)


class ReviewRequestSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Why you open this member's data; the member may see it."
    )


class MemberDataRecordSerializer(serializers.Serializer):
    profile = serializers.DictField()
    membership = serializers.DictField()
    teams = serializers.ListField(child=serializers.DictField())


class ReviewOfMyDataSerializer(serializers.Serializer):
    organization = OrganizationSerializer(allow_null=True)
    reviewer = PersonSerializer(allow_null=True, help_text="Null once the reviewer's account is erased.")
    reviewed_at = serializers.DateTimeField()
    reason = serializers.CharField()


class AuditFilterSerializer(serializers.Serializer):
    # Not strict: the query string also carries page and page_size.
    event_type = serializers.ChoiceField(
        choices=organization_event_choices(),
        required=False,
        allow_blank=True,
        default="",
        help_text="Only this kind of event, e.g. org.member_role_changed.",
    )
    since = serializers.DateField(required=False, default=None, help_text="From this day on.")
    until = serializers.DateField(required=False, default=None, help_text="Up to this day.")


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="event.id")
    occurred_at = serializers.DateTimeField(source="event.occurred_at")
    event_type = serializers.CharField(source="event.event_type")
    description = serializers.CharField(source="event.get_event_type_display")
    actor = PersonSerializer(allow_null=True)
    subject = PersonSerializer(allow_null=True)
    target_type = serializers.CharField(source="event.target_type")
    target_id = serializers.CharField(source="event.target_id")
    details = serializers.DictField()
    network = serializers.CharField(source="event.ip_prefix")
