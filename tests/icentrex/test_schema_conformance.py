"""What the server answers is what the OpenAPI schema says (issue 16: a client
generated from the schema crashed on a bare array where a page was declared, on
"" outside an enum, on a null in a non-nullable field).

Every GET operation in the schema is called, with demo data and more made through
the API, by the people who may read it and by one who may not; each answer's status
must be documented for the operation and its body must validate against the
documented schema."""

import json
import re
import uuid
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command
from jsonschema import Draft202012Validator, FormatChecker
from rest_framework.test import APIClient

from accounts.models import User
from cookies.selectors import current_revision

pytestmark = pytest.mark.django_db

_NOT_KEYWORDS = {"properties"}  # maps of names, not schemas


def _json_schema(node, parent_key=None):
    """OpenAPI 3.0 schema objects as JSON Schema (2020-12): ``nullable`` becomes a
    null alternative; documentation-only keywords are dropped."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if parent_key in _NOT_KEYWORDS:
        return {name: _json_schema(schema) for name, schema in node.items()}
    converted = {
        key: _json_schema(value, key)
        for key, value in node.items()
        if key not in {"nullable", "example", "readOnly", "writeOnly", "discriminator"}
    }
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


# The formats generated clients parse strictly; jsonschema checks neither without extras.
_FORMATS = FormatChecker()
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@_FORMATS.checks("date-time")
def _date_time(value) -> bool:
    return not isinstance(value, str) or bool(_RFC3339.match(value))


@_FORMATS.checks("uri")
def _uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    out = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(out))
    return yaml.safe_load(out.read_text())


class Checker:
    def __init__(self, schema):
        self.schema = schema
        self.components = _json_schema(schema["components"])
        self.checked: list[tuple[str, str, int]] = []

    def __call__(self, response, template: str, method: str = "get"):
        operation = self.schema["paths"][template][method]
        status = str(response.status_code)
        assert status in operation["responses"], (
            f"{method.upper()} {template} answered {status}, not documented: {response.content[:300]!r}"
        )
        documented = operation["responses"][status]
        if "content" not in documented:
            assert not response.content, (template, status)
            return None
        body = json.loads(response.content)
        target = _json_schema(documented["content"]["application/json"]["schema"])
        validator = Draft202012Validator({**target, "components": self.components}, format_checker=_FORMATS)
        problems = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
        ]
        assert not problems, (
            f"{method.upper()} {template} ({status}) disagrees with the schema: {problems[:5]}"
        )
        self.checked.append((method, template, response.status_code))
        return body


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return {email: User.objects.get(email=email) for email in User.objects.values_list("email", flat=True)}


def _fill(template: str, values: dict) -> str:
    def value(match):
        name = match.group(1)
        by_path = values.get((template, name))
        return str(by_path if by_path is not None else values.get(name, "no-such-thing"))

    return re.sub(r"\{(\w+)\}", value, template)


def test_every_answer_is_what_the_schema_documents(schema, demo):
    check = Checker(schema)
    owner = as_user(demo["owner@acme.example"])
    member = as_user(demo["member@acme.example"])
    officer = as_user(demo["privacy@icentrex.example"])
    support = as_user(demo["support@icentrex.example"])
    acme_member = demo["member@acme.example"].memberships.get(organization__slug="acme")
    team = owner.get("/api/v1/orgs/acme/teams").json()["results"][0]

    # Make one of most things, through the API (each answer checked too).
    check(
        owner.get("/api/v1/orgs/acme/data-policy"), "/api/v1/orgs/{org_slug}/data-policy"
    )  # never set: null
    check(
        owner.patch(
            "/api/v1/orgs/acme/data-policy",
            {"review_allowed_for": "owners", "notify_member_on_review": True},
            format="json",
        ),
        "/api/v1/orgs/{org_slug}/data-policy",
        "patch",
    )
    check(
        owner.post(f"/api/v1/orgs/acme/members/{acme_member.pk}/review", {"reason": "Audit"}, format="json"),
        "/api/v1/orgs/{org_slug}/members/{member_id}/review",
        "post",
    )
    check(
        owner.post("/api/v1/orgs/acme/invitations", {"email": "new@acme.example"}, format="json"),
        "/api/v1/orgs/{org_slug}/invitations",
        "post",
    )
    export = check(
        owner.post("/api/v1/orgs/acme/exports", {"format": "json"}, format="json"),
        "/api/v1/orgs/{org_slug}/exports",
        "post",
    )
    installed = check(
        member.post(
            "/api/v1/me/integrations",
            {"provider": "calendar-sync", "fields": ["identity.name"]},
            format="json",
        ),
        "/api/v1/me/integrations",
        "post",
    )
    my_export = check(member.post("/api/v1/me/export", {}, format="json"), "/api/v1/me/export", "post")
    case = check(
        member.post(
            "/api/v1/support/cases/",
            {"subject": "Help", "body": "Something is wrong.", "organization": "acme"},
            format="json",
        ),
        "/api/v1/support/cases/",
        "post",
    )
    token = check(member.post("/api/v1/tokens", {"name": "script"}, format="json"), "/api/v1/tokens", "post")
    choices = {"preferences": False, "analytics": True, "marketing": False}
    receipt = check(
        member.post(
            "/api/v1/consent",
            {"method": "api", "revision": current_revision().content_hash, "choices": choices},
            format="json",
        ),
        "/api/v1/consent",
        "post",
    )
    policies = check(APIClient().get("/api/v1/policies/"), "/api/v1/policies/")
    providers = check(officer.get("/api/v1/providers"), "/api/v1/providers")
    assert {p["service"] for p in providers["results"]} >= {""}  # integrations have no service
    assert "" in {p["webhook_url"] for p in providers["results"]}  # service providers have no webhook
    domains = check(owner.get("/api/v1/orgs/acme/domains"), "/api/v1/orgs/{org_slug}/domains")

    values = {
        "org_slug": "acme",
        "team_id": team["id"],
        "member_id": acme_member.pk,
        "record_id": receipt["record_id"],
        "case_id": case["id"],
        "token_id": token["id"],
        "slug": policies["results"][0]["slug"] if policies["results"] else "privacy",
        ("/api/v1/providers/{slug}", "slug"): "calendar-sync",
        ("/api/v1/me/export/{export_id}", "export_id"): my_export["id"],
        ("/api/v1/orgs/{org_slug}/exports/{export_id}", "export_id"): export["id"],
        ("/api/v1/me/integrations/{public_id}", "public_id"): installed["id"],
        ("/api/v1/orgs/{org_slug}/integrations/{public_id}", "public_id"): installed["id"],
        "domain_id": domains["results"][0]["id"] if domains["results"] else 999_999,
        "share_id": uuid.uuid4(),  # none shared: a documented 404
        "version_id": 999_999,
    }
    readers = [owner, member, officer, support, APIClient()]
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = _fill(template, values)
        for client in readers:
            check(client.get(url), template)

    # Every GET was answered, and most of them with data.
    gets = {t for t, ops in schema["paths"].items() if "get" in ops}
    assert {t for m, t, _ in check.checked if m == "get"} == gets
    assert sum(1 for m, _, s in check.checked if m == "get" and s == 200) > len(gets)


def test_refused_bodies_are_documented_errors(schema, demo):
    """Every operation that takes a body refuses an unknown field with a status it
    documents, in the documented error shape, for the people who may call it."""
    check = Checker(schema)
    owner = as_user(demo["owner@acme.example"])
    officer = as_user(demo["privacy@icentrex.example"])
    team = owner.get("/api/v1/orgs/acme/teams").json()["results"][0]
    member = demo["member@acme.example"].memberships.get(organization__slug="acme")
    values = {
        "org_slug": "acme",
        "team_id": team["id"],
        "member_id": member.pk,
        "slug": "calendar-sync",
        "case_id": uuid.uuid4(),
    }
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"post", "patch", "put"} or "requestBody" not in operation:
                continue
            client = officer if template.startswith(("/api/v1/providers", "/api/v1/policies")) else owner
            url = _fill(template, values)
            response = client.generic(
                method.upper(), url, b'{"no_such_field": 1}', content_type="application/json"
            )
            assert 400 <= response.status_code < 500, (method, url, response.status_code)
            check(response, template, method)
            for bad in (b"[", b'"text"', b"[" * 50 + b"]" * 50):
                response = client.generic(method.upper(), url, bad, content_type="application/json")
                assert 400 <= response.status_code < 500, (method, url, bad[:5], response.status_code)
                check(response, template, method)
