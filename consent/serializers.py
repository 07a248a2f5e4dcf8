from django.core.validators import RegexValidator
from rest_framework import serializers

from audit.serializers import ReceiptProofSerializer
from core.api.serializers import StrictSerializer

from .models import ConsentRecord


class ConsentDecisionSerializer(StrictSerializer):
    # Plain values, not (value, lazy label) pairs: DRF copies every field for every
    # request, and copying lazy translations dominated this hot endpoint's profile.
    method = serializers.ChoiceField(
        # Our own pages' methods (privacy centre, the opt-out link) are not the API's.
        choices=[
            m.value
            for m in ConsentRecord.Method
            if m not in (ConsentRecord.Method.PRIVACY_CENTRE, ConsentRecord.Method.OPT_OUT)
        ],
        help_text="How the decision was given.",
    )
    revision = serializers.CharField(
        min_length=64, max_length=64, help_text="The declaration revision shown."
    )
    choices = serializers.DictField(
        child=serializers.BooleanField(),
        required=False,
        help_text="Category key -> yes/no; required for banner_custom and api.",
    )
    visitor = serializers.CharField(
        required=False,
        max_length=200,
        help_text="The signed visitor token a previous response returned (embeds).",
    )
    page_url = serializers.CharField(
        required=False, max_length=500, allow_blank=True, help_text="The page the decision was made on."
    )
    language = serializers.CharField(required=False, max_length=10, allow_blank=True)
    gpc = serializers.BooleanField(
        required=False,
        help_text="navigator.globalPrivacyControl as the page read it: true records the opt-out signal as on "
        "even when no Sec-GPC header came with the request.",
    )

    def validate(self, data):
        if (
            data["method"] in (ConsentRecord.Method.CUSTOM, ConsentRecord.Method.API)
            and "choices" not in data
        ):
            raise serializers.ValidationError({"choices": ["Required for this method."]})
        return data


_DECISION_FIELDS = ConsentDecisionSerializer._declared_fields
_DECIDABLE_METHODS = frozenset(_DECISION_FIELDS["method"].choices)
_CUSTOM_METHODS = (ConsentRecord.Method.CUSTOM, ConsentRecord.Method.API)
# text field -> (min length, max length), as ConsentDecisionSerializer declares them
_TEXT_FIELDS = {
    name: (field.min_length or (0 if field.allow_blank else 1), field.max_length)
    for name, field in _DECISION_FIELDS.items()
    if type(field) is serializers.CharField
}


def _plain_text(value, bounds: tuple[int, int]) -> bool:
    """A string CharField would return unchanged: printable (no NUL, control or
    surrogate character) and no surrounding spaces to trim."""
    return (
        type(value) is str
        and bounds[0] <= len(value) <= bounds[1]
        and value.isprintable()
        and value[:1] != " "
        and value[-1:] != " "
    )


def plain_decision(data) -> dict | None:
    """What ``ConsentDecisionSerializer`` validates ``data`` to, when ``data`` is a
    plainly well-formed decision (JSON strings and booleans of the right sizes,
    no unknown field); None for anything else, which the serializer then judges
    and words its errors for. The hottest write skips building a serializer
    (DRF deep-copies every field per instance); tests/consent/test_plain_decision.py
    checks the two agree."""
    if type(data) is not dict or "revision" not in data:
        return None
    method = data.get("method")
    if type(method) is not str or method not in _DECIDABLE_METHODS:
        return None
    for name, value in data.items():
        if name == "method":
            continue
        if name == "choices":
            if type(value) is not dict or any(type(choice) is not bool for choice in value.values()):
                return None
        elif name == "gpc":
            if type(value) is not bool:
                return None
        elif name not in _TEXT_FIELDS or not _plain_text(value, _TEXT_FIELDS[name]):
            return None
    if method in _CUSTOM_METHODS and "choices" not in data:
        return None
    return data


class ConsentReceiptSerializer(serializers.Serializer):
    record_id = serializers.UUIDField()
    subject_key = serializers.UUIDField()
    subject_type = serializers.CharField()
    choices = serializers.DictField(child=serializers.BooleanField())
    action = serializers.CharField()
    method = serializers.CharField()
    revision_hash = serializers.CharField()
    policy_version = serializers.CharField()
    language = serializers.CharField()
    page_url = serializers.CharField()
    origin = serializers.CharField()
    gpc = serializers.BooleanField(allow_null=True)
    gpc_overridden = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Categories the opt-out signal refuses that the person granted one by one while it was on "
        "(hashed from hash_version 3 on).",
    )
    dnt = serializers.BooleanField(allow_null=True)
    ip_prefix = serializers.CharField()
    ua_family = serializers.CharField()
    ua_version = serializers.CharField()
    recorded_at = serializers.CharField()
    revision_id = serializers.IntegerField(
        required=False, help_text="The declaration revision's id (hashed from hash_version 2 on)."
    )
    hash_version = serializers.IntegerField(
        required=False,
        help_text="Which fields the hash covers: 2 adds revision_id, 3 gpc_overridden; absent on older ones.",
    )
    record_hash = serializers.CharField(
        help_text='Hex SHA-256 of the canonical JSON {"content": {the hashed_fields}, "prev": ""} '
        "(sorted keys, no spaces, UTF-8)."
    )
    hashed_fields = serializers.ListField(
        child=serializers.CharField(), help_text="The fields record_hash covers."
    )
    sealed = serializers.BooleanField(
        help_text="Whether the record is in a signed checkpoint of the consent log yet."
    )
    proof = ReceiptProofSerializer(
        allow_null=True,
        help_text="The inclusion proof and signed checkpoint; null until the record is logged (seconds).",
    )
    controller = serializers.DictField(
        child=serializers.CharField(),
        help_text="The controller the consent was given to: name, address, privacy contact email and phone.",
    )


class ConsentRecordedSerializer(ConsentReceiptSerializer):
    visitor = serializers.CharField(
        help_text="Signed visitor token; send it with later decisions from an embed."
    )


class ConsentStateSerializer(serializers.Serializer):
    revision = serializers.CharField(allow_null=True)
    current = serializers.BooleanField(
        help_text="Whether the choices were made for the declaration in force."
    )
    choices = serializers.DictField(child=serializers.BooleanField(), allow_null=True)
    reconsent = serializers.ListField(
        child=serializers.CharField(), help_text="Accepted categories that must be asked about again."
    )
    gpc = serializers.BooleanField(
        help_text="Whether an opt-out preference signal (Global Privacy Control) was on at the last decision."
    )


class ConsentHistoryItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentRecord
        fields = ["record_id", "recorded_at", "action", "method", "choices", "revision_hash", "origin"]
        read_only_fields = fields


_COOKIE_NAME = RegexValidator(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", "Not a cookie name.", code="invalid")
_HOST = RegexValidator(
    r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$",
    "Not a host name (lower case, no port).",
    code="invalid",
)
TRACKER_REPORT_ITEMS = 50


class TrackerReportSerializer(StrictSerializer):
    """What a banner script found on a page: names and hosts only, never values."""

    page_url = serializers.CharField(max_length=500, help_text="The page the names were found on.")
    cookies = serializers.ListField(
        child=serializers.CharField(max_length=120, validators=[_COOKIE_NAME]),
        max_length=TRACKER_REPORT_ITEMS,
        required=False,
        default=list,
        help_text="Names of the cookies the page can read (document.cookie).",
    )
    storage = serializers.ListField(
        child=serializers.CharField(max_length=120),
        max_length=TRACKER_REPORT_ITEMS,
        required=False,
        default=list,
        help_text="Keys in the page's localStorage.",
    )
    hosts = serializers.ListField(
        child=serializers.CharField(max_length=253, validators=[_HOST]),
        max_length=TRACKER_REPORT_ITEMS,
        required=False,
        default=list,
        help_text="Hosts of third-party scripts, frames and requests the page loaded.",
    )
    visitor = serializers.CharField(
        required=False, max_length=200, help_text="An embed's signed visitor token (for the rate limit)."
    )


class TrackerReportedSerializer(serializers.Serializer):
    undeclared = serializers.IntegerField(help_text="How many of the reported names the declaration lacks.")


class KantaraReceiptSerializer(serializers.Serializer):
    receipt = serializers.DictField(
        help_text="The receipt in the Kantara Consent Receipt v1.1 format (KI-CR-v1.1.0); "
        "consent/schemas/ holds the schema it follows."
    )
    jws = serializers.CharField(help_text="The same receipt signed: a compact JWS, EdDSA (Ed25519).")
