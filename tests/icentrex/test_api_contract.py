"""The API contract against clients nobody here wrote (issue 16): bad input of any
shape is a 4xx in the one error shape and writes nothing; every endpoint answers
OPTIONS; what the schema declares is what the server enforces."""

import json
import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, reverse
from rest_framework.test import APIClient

from accounts.models import PersonalAccessToken, User
from audit.events import ORGANIZATION_EVENT_TYPES, EventType
from audit.models import AuditEvent
from audit.services import audit_record
from consent.models import ConsentRecord, ConsentState
from cookies.selectors import current_revision
from core.api.renderers import JSONRenderer
from data_requests.models import PersonalExport
from icentrex import api_urls
from integrations.models import Installation, Provider
from organizations.models import DataPolicy, Invitation, Membership, Organization, Team, TeamMembership
from support.models import SupportCase
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db

TABLES = [
    ConsentRecord,
    ConsentState,
    User,
    PersonalAccessToken,
    Organization,
    Membership,
    Team,
    TeamMembership,
    Invitation,
    DataPolicy,
    Installation,
    Provider,
    SupportCase,
    PersonalExport,
    AuditEvent,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@pytest.fixture
def nothing_written(db):
    """Row counts of every table these requests could write, before and after."""
    before = counts()
    yield
    assert counts() == before


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def send(client, method: str, url: str, body) -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.generic(method, url, raw, content_type="application/json")


@pytest.fixture
def token_api(alice_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    return client


@pytest.fixture
def revision(db):
    return current_revision().content_hash


# --- Server errors: now 400s ---------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_deeply_nested_json_is_a_400(client, token_api, alice_token, who, nothing_written):
    caller = client if who == "anonymous" else token_api
    assert_error(send(caller, "POST", "/api/v1/consent", DEEP), 400, "parse_error")
    # Deep, but under the interpreter's limit: refused by the parser, not by luck downstream.
    nested = b'{"method": "api", "revision": "x", "choices": ' + b"[" * 500 + b"]" * 500 + b"}"
    assert_error(send(caller, "POST", "/api/v1/consent", nested), 400, "parse_error")


def test_deeply_nested_json_is_a_400_everywhere(token_api, alice_token, nothing_written):
    assert_error(send(token_api, "PATCH", "/api/v1/me", DEEP), 400, "parse_error")
    assert_error(send(token_api, "POST", "/api/v1/tokens", DEEP), 400, "parse_error")


@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_a_lone_surrogate_is_a_400(client, token_api, alice_token, revision, who, nothing_written):
    caller = client if who == "anonymous" else token_api
    body = b'{"method": "api", "revision": "%s", "choices": {"\\ud800": true}}' % revision.encode()
    assert_error(send(caller, "POST", "/api/v1/consent", body), 400, "parse_error")
    body = b'{"method": "banner_accept_all", "revision": "%s", "page_url": "\\udfff"}' % revision.encode()
    assert_error(send(caller, "POST", "/api/v1/consent", body), 400, "parse_error")


@pytest.mark.parametrize(
    "body", [b'{"name": "A\\ud800"}', b'{"name": "A\\u0000B"}', b'{"\\ud800": 1}', b'{"name": NaN}']
)
def test_unstorable_text_is_a_400_not_a_database_error(token_api, alice, body, nothing_written):
    assert_error(send(token_api, "PATCH", "/api/v1/me", body), 400, "parse_error")
    alice.refresh_from_db()
    assert alice.name == "Alice Andersson"


def test_rendering_survives_any_string():
    rendered = JSONRenderer().render({"detail": "bad \ud800 key", "ok": "å"})
    assert json.loads(rendered) == {"detail": "bad \ud800 key", "ok": "å"}


# --- OPTIONS on every endpoint ---------------------------------------------------------


def _api_routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else api_urls.urlpatterns:
        if isinstance(entry, URLResolver):
            yield from _api_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str, values: dict[str, str]) -> str:
    def value(match):
        converter, name = match.group(1), match.group(2)
        if name in values:
            return str(values[name])
        return {"int": "1", "uuid": str(uuid.uuid4()), "slug": "x", "str": "x", "path": "x"}[converter]

    return "/api/v1/" + re.sub(r"<(\w+):(\w+)>", value, route)


@pytest.mark.parametrize("persona", ["owner", "member"])
def test_options_answers_on_every_endpoint(owner, member, engineering, persona, nothing_written):
    membership = {"owner": owner, "member": member}[persona]
    client = as_user(membership.user)
    values = {"org_slug": "acme", "team_id": engineering.pk, "member_id": membership.pk}
    routes = list(_api_routes())
    assert len(routes) > 40
    for route in routes:
        url = _concrete(route, values)
        response = client.options(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        body = response.json()
        assert {"name", "renders", "parses"} <= set(body), url


# --- Strict types ----------------------------------------------------------------------


CHOSEN = {"preferences": False, "analytics": True, "marketing": False}


def consent_cases(revision):
    base = {"method": "api", "revision": revision}
    return [
        {**base, "choices": {**CHOSEN, "analytics": "true"}},
        {**base, "choices": {**CHOSEN, "analytics": 1}},
        {**base, "choices": {**CHOSEN, "analytics": 0}},
        {**base, "choices": {**CHOSEN, "analytics": None}},
        {**base, "choices": CHOSEN, "page_url": 123},
        {**base, "choices": CHOSEN, "language": ["sv"]},
        {**base, "choices": list(CHOSEN)},
        {**base, "choices": CHOSEN, "method": 1},
    ]


@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_wrong_types_in_a_consent_decision_record_nothing(client, token_api, alice_token, revision, who):
    caller = client if who == "anonymous" else token_api
    before = counts()
    for body in consent_cases(revision):
        response = send(caller, "POST", "/api/v1/consent", body)
        assert_error(response, 400, "invalid")
    assert counts() == before
    # The same body with the declared types is recorded (the cases differ in type only).
    ok = send(
        caller,
        "POST",
        "/api/v1/consent",
        {"method": "api", "revision": revision, "choices": CHOSEN},
    )
    assert ok.status_code == 201, ok.content
    assert ConsentRecord.objects.count() == before["ConsentRecord"] + 1


def test_wrong_type_errors_name_the_nested_field(client, revision):
    body = {"method": "api", "revision": revision, "choices": {**CHOSEN, "analytics": "true"}}
    errors = assert_error(send(client, "POST", "/api/v1/consent", body), 400, "invalid")
    assert errors["fields"] == {"choices.analytics": ["Expected true or false."]}


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("PATCH", "/api/v1/me", {"name": 0}, "name"),
        ("PATCH", "/api/v1/me", {"name": 5}, "name"),
        ("PATCH", "/api/v1/me", {"name": True}, "name"),
        ("PATCH", "/api/v1/me", {"language": ["sv"]}, "language"),
        ("POST", "/api/v1/tokens", {"name": 0}, "name"),
        ("POST", "/api/v1/tokens", {"name": "ok", "expires_in_days": "5"}, "expires_in_days"),
        ("POST", "/api/v1/tokens", {"name": "ok", "expires_in_days": True}, "expires_in_days"),
        ("POST", "/api/v1/tokens", {"name": "ok", "expires_in_days": 5.0}, "expires_in_days"),
        ("POST", "/api/v1/orgs", {"name": 5}, "name"),
        ("POST", "/api/v1/orgs", {"name": "Fika", "slug": 0}, "slug"),
        ("PATCH", "/api/v1/orgs/acme", {"name": 0}, "name"),
        ("POST", "/api/v1/orgs/acme/teams", {"name": 5}, "name"),
        (
            "PATCH",
            "/api/v1/orgs/acme/data-policy",
            {"notify_member_on_review": "true"},
            "notify_member_on_review",
        ),
        ("PATCH", "/api/v1/orgs/acme/data-policy", {"retention_days": "90"}, "retention_days"),
        ("PATCH", "/api/v1/orgs/acme/data-policy", {"retention_days": True}, "retention_days"),
        ("POST", "/api/v1/orgs/acme/invitations", {"email": 1}, "email"),
        (
            "POST",
            "/api/v1/orgs/acme/domains",
            {"domain": "acme.example", "include_subdomains": 1},
            "include_subdomains",
        ),
        ("POST", "/api/v1/me/integrations", {"provider": "calendar-sync", "fields": [1]}, "fields.0"),
        ("POST", "/api/v1/me/integrations", {"provider": "calendar-sync", "fields": "identity.id"}, "fields"),
        ("POST", "/api/v1/support/cases/", {"subject": 5, "body": "Help"}, "subject"),
        ("POST", "/api/v1/me/policy-acceptances", {"document": "privacy", "version": "1"}, "version"),
        ("POST", "/api/v1/support/cases/", {"subject": "S", "body": "B", "organization": ""}, "organization"),
        ("POST", "/api/v1/me/export", None, "non_field_errors"),
        ("POST", "/api/v1/me/export", [], "non_field_errors"),
        # Longer than the schema's maxLength as sent, though it would fit once trimmed.
        ("PATCH", "/api/v1/orgs/acme", {"name": "\t" + "x" * 120}, "name"),
    ],
)
def test_wrong_types_are_refused_and_write_nothing(owner, method, url, body, field, nothing_written):
    response = send(as_user(owner.user), method, url, body)
    errors = assert_error(response, 400, "invalid")
    assert field in errors["fields"], errors


def test_member_and_team_writes_are_strict(owner, member, engineering, nothing_written):
    client = as_user(owner.user)
    for url, body in [
        (f"/api/v1/orgs/acme/members/{member.pk}", {"role": 1}),
        (f"/api/v1/orgs/acme/teams/{engineering.pk}", {"name": 7}),
        (f"/api/v1/orgs/acme/teams/{engineering.pk}/members/{member.pk}", {"role": False}),
    ]:
        assert_error(send(client, "PATCH", url, body), 400, "invalid")
    assert_error(
        send(
            client, "POST", f"/api/v1/orgs/acme/teams/{engineering.pk}/members", {"member_id": str(member.pk)}
        ),
        400,
        "invalid",
    )
    assert_error(
        send(client, "POST", "/api/v1/orgs/acme/transfer-ownership", {"member_id": True}), 400, "invalid"
    )


# --- PATCH {} --------------------------------------------------------------------------


@pytest.fixture
def officer(db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    person = UserFactory(email="officer@icentrex.example")
    person.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return person


def test_every_patch_with_nothing_in_it_is_refused(owner, member, engineering, officer, nothing_written):
    values = {"org_slug": "acme", "team_id": engineering.pk, "member_id": member.pk, "slug": "calendar-sync"}
    patched = []
    for route in _api_routes():
        url = _concrete(route, values)
        client = as_user(officer if url.startswith("/api/v1/providers/") else owner.user)
        if "PATCH" not in client.options(url).get("Allow", ""):
            continue
        patched.append(url)
        errors = assert_error(send(client, "PATCH", url, {}), 400, "invalid")
        assert errors["fields"] == {"non_field_errors": ["Nothing to change."]}, url
    assert len(patched) == 7, patched


# --- Pagination ----------------------------------------------------------------------


def test_a_page_past_the_end_is_empty_not_an_error(alice_api, alice):
    from accounts.services import api_token_create

    for n in range(3):
        api_token_create(actor=alice, name=f"t{n}")
    page = alice_api.get("/api/v1/tokens", {"page": 3, "page_size": 2}).json()
    assert page["count"] == 4 and page["results"] == [] and page["next"] is None
    assert "page=2" in page["previous"]
    last = alice_api.get("/api/v1/tokens", {"page": 2, "page_size": 2}).json()
    assert len(last["results"]) == 2 and last["next"] is None


@pytest.mark.parametrize(
    "params",
    [{"page": 0}, {"page": -1}, {"page": "abc"}, {"page_size": 0}, {"page_size": 101}, {"page_size": "x"}],
)
def test_bad_page_parameters_are_a_400(alice_api, params):
    errors = assert_error(alice_api.get("/api/v1/tokens", params), 400, "invalid")
    assert set(errors["fields"]) == set(params)


def test_my_reviews_are_paginated_like_every_list(alice_api):
    page = alice_api.get("/api/v1/me/reviews").json()
    assert page == {"count": 0, "next": None, "previous": None, "results": []}


# --- The audit-log filter comes from the registry -------------------------------------


def test_audit_filter_offers_every_organisation_event_type(owner, console, acme):
    audit_record(
        event_type=EventType.INTEGRATION_INSTALLED, actor=owner.user, organization_id=acme.pk, changes={}
    )
    client = as_user(owner.user)
    page = client.get("/api/v1/orgs/acme/audit-events", {"event_type": "integration.installed"}).json()
    assert [e["event_type"] for e in page["results"]] == ["integration.installed"]
    assert_error(
        client.get("/api/v1/orgs/acme/audit-events", {"event_type": "user.signed_in"}), 400, "invalid"
    )

    csv = console(owner).get(
        reverse("org_audit", args=["acme"]), {"format": "csv", "event_type": "integration.installed"}
    )
    assert b"integration.installed" in b"".join(csv.streaming_content)


def test_only_registered_organisation_events_are_logged_for_an_organisation(owner, acme):
    assert EventType.INTEGRATION_INSTALLED in ORGANIZATION_EVENT_TYPES
    with pytest.raises(ValueError):
        audit_record(event_type=EventType.USER_SIGNED_IN, actor=owner.user, organization_id=acme.pk)


# --- Strictness holds for every kind of field ---------------------------------------------


def _every_kind_of_field():
    from rest_framework import serializers

    from core.api.serializers import StrictSerializer

    class Inner(StrictSerializer):
        flag = serializers.BooleanField()

    class Everything(StrictSerializer):
        text = serializers.CharField(required=False)
        email = serializers.EmailField(required=False)
        slug = serializers.SlugField(required=False)
        url = serializers.URLField(required=False)
        regex = serializers.RegexField(r"^[A-Z]{2}$", required=False)
        choice = serializers.ChoiceField(choices=["a", "b"], required=False)
        flag = serializers.BooleanField(required=False)
        number = serializers.IntegerField(required=False)
        ratio = serializers.FloatField(required=False)
        day = serializers.DateField(required=False)
        moment = serializers.DateTimeField(required=False)
        key = serializers.UUIDField(required=False)
        names = serializers.ListField(child=serializers.CharField(), required=False)
        flags = serializers.DictField(child=serializers.BooleanField(), required=False)
        inner = Inner(required=False)
        inners = Inner(many=True, required=False)

    return Everything


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *[
            (f, v)
            for f in ["text", "email", "slug", "url", "regex", "choice", "day", "moment", "key"]
            for v in (0, 5, True, 1.5, [], {})
        ],
        *[("flag", v) for v in ("true", "false", 1, 0, "yes", [], {})],
        *[("number", v) for v in (True, False, "5", 5.0, [], {})],
        *[("ratio", v) for v in (True, "1.5", [])],
        *[("names", v) for v in ("a", {"a": "b"}, [1], [True], [["a"]])],
        *[("flags", v) for v in ([True], {"a": "true"}, {"a": 1}, "x")],
        *[("inner", v) for v in ([], "x", {"flag": 1})],
        *[("inners", v) for v in ({}, [{"flag": "true"}], ["x"])],
    ],
)
def test_strictness_holds_for_every_kind_of_field(field, value):
    serializer = _every_kind_of_field()(data={field: value})
    assert not serializer.is_valid()
    assert field in serializer.errors


def test_strict_fields_take_their_own_types():
    import datetime

    serializer = _every_kind_of_field()(
        data={
            "text": "x",
            "email": "a@example.org",
            "slug": "a-b",
            "url": "https://example.org/",
            "regex": "SE",
            "choice": "a",
            "flag": False,
            "number": 3,
            "ratio": 2,
            "day": "2026-12-05",
            "moment": "2026-12-05T08:00:00Z",
            "key": str(uuid.UUID(int=1)),
            "names": ["a"],
            "flags": {"a": True},
            "inner": {"flag": True},
            "inners": [{"flag": False}],
        }
    )
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["day"] == datetime.date(2026, 12, 5)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/support/cases/?status=",
        "/api/v1/orgs/acme/audit-events?event_type=&since=&until=",
        "/api/v1/orgs/acme/members?search=&role=&team=",
        "/api/v1/me/data-sharing?provider=&category=&before=",
    ],
)
def test_an_empty_query_filter_is_no_filter(owner, url):
    # The schema says allowEmptyValue for these; the server must agree.
    response = as_user(owner.user).get(url)
    assert response.status_code == 200, response.content


def test_a_policy_date_centuries_away_is_refused(officer, nothing_written):
    body = {"body": "Text", "effective_at": "0480-03-23T06:31:40+03:33"}
    errors = assert_error(
        send(as_user(officer), "POST", "/api/v1/policies/privacy/versions/", body), 400, "invalid"
    )
    assert "effective_at" in errors["fields"]
