from rest_framework import serializers

from core.api.serializers import StrictSerializer

from .names import VERIFICATION_PREFIX, InvalidDomain, normalize_domain, verification_record_name


class DomainClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    domain = serializers.CharField(help_text="In normal form: lower case, ASCII (punycode), no trailing dot.")
    include_subdomains = serializers.BooleanField()
    status = serializers.CharField()
    dns_record_name = serializers.SerializerMethodField(help_text="Where to publish the TXT record.")
    dns_record_value = serializers.SerializerMethodField(help_text="The TXT record's value.")
    created_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_checked_at = serializers.DateTimeField(allow_null=True)
    last_check_result = serializers.CharField(
        help_text="verified, wrong_token, no_record, timeout or dns_error; empty before the first check."
    )

    def get_dns_record_name(self, claim) -> str:
        return verification_record_name(claim.domain)

    def get_dns_record_value(self, claim) -> str:
        return VERIFICATION_PREFIX + claim.token


class DomainClaimCreateSerializer(StrictSerializer):
    domain = serializers.CharField(max_length=300)
    include_subdomains = serializers.BooleanField(default=False)


class DisclosureFilterSerializer(serializers.Serializer):
    # Not strict: the query string also carries page and page_size.
    since = serializers.DateField(required=False, default=None, help_text="From this UTC day on.")
    until = serializers.DateField(required=False, default=None, help_text="Up to this UTC day.")
    domain = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=253,
        help_text="Only those disclosed under this verified domain.",
    )
    after = serializers.IntegerField(
        required=False, default=None, min_value=0, help_text="Only disclosures after this sequence number."
    )

    def validate_domain(self, value):
        if not value:
            return ""
        try:
            return normalize_domain(value)
        except InvalidDomain:
            raise serializers.ValidationError("That is not a domain name.") from None


class DisclosureSerializer(serializers.Serializer):
    """One disclosure as the organisation received it."""

    id = serializers.UUIDField(source="record.disclosure_id")
    seq = serializers.IntegerField(source="record.seq")
    disclosed_at = serializers.DateTimeField(source="record.disclosed_at")
    domain = serializers.CharField(
        source="record.domain", help_text="The verified domain it was disclosed under."
    )
    email = serializers.EmailField(allow_null=True, help_text="Null once the person has been erased.")
    teams = serializers.ListField(child=serializers.CharField(), help_text="“Team (Organisation)”.")
    erased = serializers.BooleanField()


class MyDisclosureSerializer(serializers.Serializer):
    """One disclosure of your address, as you see it."""

    id = serializers.UUIDField(source="record.disclosure_id")
    disclosed_at = serializers.DateTimeField(source="record.disclosed_at")
    organization = serializers.CharField(source="record.organization_name")
    domain = serializers.CharField(source="record.domain")
    email = serializers.EmailField(allow_null=True)
    teams = serializers.ListField(child=serializers.CharField())


class DryRunRowSerializer(serializers.Serializer):
    email = serializers.EmailField()
    domain = serializers.CharField()
    teams = serializers.SerializerMethodField()
    new_person = serializers.BooleanField(source="is_new", help_text="Never disclosed to you before.")

    def get_teams(self, row) -> list[str]:
        return [f"{team} ({org})" for org, team in row.teams]


class DryRunSerializer(serializers.Serializer):
    run_id = serializers.IntegerField(source="run.pk")
    people_matched = serializers.IntegerField(
        source="run.people_matched", help_text="People whose verified address is at your verified domains."
    )
    would_disclose = serializers.IntegerField(help_text="Disclosures the next real run would make.")
    new_people = serializers.IntegerField(help_text="Of those, people never disclosed to you before.")
    sample = DryRunRowSerializer(many=True, help_text="Up to 100 of them.")
