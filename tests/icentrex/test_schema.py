import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {"/api/v1/me", "/api/v1/tokens", "/api/v1/tokens/{token_id}"} <= paths
    assert "personalToken" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_swagger_ui_is_served_without_a_cdn(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    out = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(out))
    return yaml.safe_load(out.read_text())


def _request_component(schema, path, method):
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_the_schema_says_what_strict_bodies_enforce(schema):
    bodies = [
        (path, method, _request_component(schema, path, method))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"post", "patch", "put"} and "requestBody" in operation
    ]
    assert len(bodies) > 25
    # Every request body of this API is strict: none takes unknown properties.
    for path, method, component in bodies:
        assert component.get("additionalProperties") is False, (method, path)
        if method == "patch":
            assert component.get("minProperties") == 1 and not component.get("required"), path
            assert schema["paths"][path][method]["requestBody"]["required"] is True, path
        # Malformed, oversized and non-JSON bodies are documented wherever a body is read.
        assert {"400", "413", "415"} <= set(schema["paths"][path][method]["responses"]), (method, path)


def test_empty_query_filters_are_documented_as_no_filter(schema):
    parameters = schema["paths"]["/api/v1/orgs/{org_slug}/audit-events"]["get"]["parameters"]
    by_name = {p["name"]: p for p in parameters}
    assert by_name["until"]["allowEmptyValue"] is True and by_name["event_type"]["allowEmptyValue"] is True
    assert "allowEmptyValue" not in by_name["page"]


def test_the_schema_says_minimums_and_enums_the_server_enforces(schema):
    from audit.events import ORGANIZATION_EVENT_TYPES

    grant = _request_component(schema, "/api/v1/me/integrations", "post")
    assert grant["properties"]["fields"]["minItems"] == 1
    token = _request_component(schema, "/api/v1/tokens", "post")
    assert token["properties"]["expires_in_days"]["minimum"] == 1
    audit = {
        p["name"]: p for p in schema["paths"]["/api/v1/orgs/{org_slug}/audit-events"]["get"]["parameters"]
    }
    assert set(audit["event_type"]["schema"]["enum"]) - {""} == set(ORGANIZATION_EVENT_TYPES)
    assert "integration.installed" in audit["event_type"]["schema"]["enum"]
    members = {p["name"]: p for p in schema["paths"]["/api/v1/orgs/{org_slug}/members"]["get"]["parameters"]}
    assert members["team"]["schema"]["minimum"] == 1
    assert members["page"]["schema"]["minimum"] == 1
    assert members["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert "400" in schema["paths"]["/api/v1/orgs/{org_slug}/members"]["get"]["responses"]
    provider = schema["components"]["schemas"]["Provider"]["properties"]["service"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in provider["oneOf"]
    assert schema["components"]["schemas"]["DataPolicy"]["properties"]["updated_at"]["nullable"] is True
    reviews = schema["paths"]["/api/v1/me/reviews"]["get"]["responses"]["200"]["content"]["application/json"]
    assert reviews["schema"]["$ref"].endswith("/PaginatedReviewOfMyDataList")
