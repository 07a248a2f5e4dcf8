"""Nothing answered to a signed-in person may be kept by a shared cache; public
static files stay cacheable."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db


def _plain_paths(resolver=None, prefix="") -> list[str]:
    """Every route without a parameter: the pages a walk can open by URL alone."""
    paths = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = str(entry.pattern)
        if "<" in route or "(?P" in route or "\\" in route:
            continue
        route = route.lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            paths += _plain_paths(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append("/" + prefix + route)
    return sorted(set(paths))


def private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_the_walk_covers_the_signed_in_surfaces():
    paths = _plain_paths()
    surfaces = ("/privacy/", "/privacy/data/", "/privacy/policies/", "/api/v1/me", "/staff/minor-reports/")
    for expected in surfaces:
        assert any(p.rstrip("/") == expected.rstrip("/") for p in paths), expected
    assert len(paths) > 40


def test_every_page_answered_to_a_signed_in_person_is_private_and_not_stored(client, alice):
    client.force_login(alice)
    answered = {}
    for path in _plain_paths():
        response = client.get(path)
        answered[path] = (response.status_code, response.get("Cache-Control"))
    shared = {path: seen for path, seen in answered.items() if "no-store" not in (seen[1] or "")}
    # The views that declare themselves public: the same bytes for everyone, nobody's data
    # (the cookie declaration, the GPC support resource, the receipt keys, and the transparency logs' keys,
    # index and verifier script).
    assert shared == {
        reverse("api-cookie-declaration"): (200, "public, max-age=60"),
        reverse("transparency_keys"): (200, "public, max-age=300"),
        reverse("transparency_well_known"): (200, "public, max-age=300"),
        reverse("transparency_verifier"): (200, "public, max-age=300"),
        reverse("gpc_support"): (200, "public, max-age=3600"),
        reverse("jwks"): (200, "public, max-age=300"),
    }
    assert sum(1 for status, _ in answered.values() if status == 200) > 15  # real pages, not just errors


def test_errors_and_redirects_for_a_signed_in_person_are_private_too(client, alice):
    client.force_login(alice)
    for response in (client.get("/no-such-page/"), client.get(reverse("staff_minor_reports"))):
        assert response.status_code in (302, 403, 404) and private(response)


def test_token_authenticated_api_responses_are_private(alice_api):
    assert private(alice_api.get(reverse("api-me")))


def test_responses_that_set_a_cookie_are_private(client, alice, password):
    signed_in = client.post(reverse("account_login"), {"login": alice.email, "password": password})
    assert signed_in.cookies and private(signed_in)
    language = client.post(reverse("language_switch"), {"language": "sv", "next": "/"})
    assert private(language)


def test_anonymous_pages_naming_a_person_are_private(client):
    # allauth's pages: a reset or confirmation link is a secret and names an address.
    assert private(client.get(reverse("account_reset_password")))
    assert private(client.get("/accounts/confirm-email/not-a-key/"))


def test_public_pages_and_static_files_stay_cacheable(client):
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "no-store" not in home.get("Cache-Control", "")
    css = client.get("/static/css/app.css")
    assert css.status_code == 200
    assert "no-store" not in css.get("Cache-Control", "") and "private" not in css.get("Cache-Control", "")
    declaration = client.get(reverse("api-cookie-declaration"))
    assert "no-store" not in declaration.get("Cache-Control", "")
