"""Undeclared-tracker discovery: pages report the cookie and storage names and
third-party hosts they hold; what the declaration lacks is counted per origin
for privacy officers, who can add it to the declaration (a new revision). Bad,
oversized, foreign or too frequent reports get a 4xx and write nothing."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from cookies.models import Cookie, DeclaredHost, TrackerSighting
from cookies.selectors import current_revision
from tests.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/consent/trackers"
PROPERTY = "https://blog.icentrex.example"


def report(client, body, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def body(**extra):
    return {
        "page_url": "https://blog.icentrex.example/posts/1?email=someone@example.org#top",
        "cookies": ["_ga", "_ga_ABC123", "sessionid", "_fbp", "csrftoken"],
        "storage": ["icx-consent", "ajs_user_id", "theme"],
        "hosts": ["connect.facebook.net", "www.googletagmanager.com", "cdn.tracker.example"],
        **extra,
    }


@pytest.fixture
def allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [PROPERTY]
    settings.CONSENT_TRACKER_REPORT_RATE = "100/h"


def test_only_what_the_declaration_lacks_is_counted(client, allowed):
    response = report(client, body(), HTTP_ORIGIN=PROPERTY)
    assert response.status_code == 202 and response.json() == {"undeclared": 5}
    found = {(s.kind, s.name): s for s in TrackerSighting.objects.all()}
    assert set(found) == {
        ("cookie", "_fbp"),
        ("storage", "ajs_user_id"),
        ("storage", "theme"),
        ("host", "connect.facebook.net"),
        ("host", "cdn.tracker.example"),
    }
    facebook = found[("host", "connect.facebook.net")]
    assert (facebook.suggested_category, facebook.suggested_provider) == ("marketing", "Meta (Facebook)")
    assert found[("storage", "ajs_user_id")].suggested_category == "analytics"
    assert found[("host", "cdn.tracker.example")].suggested_category == ""
    # The page without its query or fragment; the origin it came from.
    assert facebook.pages == ["https://blog.icentrex.example/posts/1"] and facebook.origin == PROPERTY


def test_reports_are_counted_into_the_same_rows(client, allowed):
    for page in range(3):
        report(client, body(page_url=f"https://blog.icentrex.example/p/{page}"), HTTP_ORIGIN=PROPERTY)
    assert TrackerSighting.objects.count() == 5
    facebook = TrackerSighting.objects.get(name="_fbp")
    assert facebook.reports == 3 and len(facebook.pages) == 3 and facebook.last_seen >= facebook.first_seen


def test_the_same_name_on_another_origin_is_its_own_row(client, allowed, settings):
    settings.CORS_ALLOWED_ORIGINS = [PROPERTY, "https://shop.icentrex.example"]
    report(client, body(), HTTP_ORIGIN=PROPERTY)
    report(client, body(), HTTP_ORIGIN="https://shop.icentrex.example")
    assert TrackerSighting.objects.filter(name="_fbp").count() == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"page_url": "https://x.example/", "cookies": ["_ga=GA1.1.42"]},  # a value, not a name
        {"page_url": "https://x.example/", "cookies": ["a b"]},
        {"page_url": "https://x.example/", "hosts": ["Tracker.Example:443"]},
        {"page_url": "https://x.example/", "hosts": ["https://tracker.example/x.js"]},
        {"page_url": "https://x.example/", "storage": ["k" * 121]},
        {"page_url": "https://x.example/", "cookies": [f"c{i}" for i in range(51)]},
        {"page_url": "https://x.example/", "values": {"_ga": "GA1"}},
        {"cookies": ["_fbp"]},
        {"page_url": "https://x.example/", "cookies": "_fbp"},
        [],
    ],
)
def test_bad_reports_are_refused_and_write_nothing(client, allowed, bad):
    response = report(client, bad, HTTP_ORIGIN=PROPERTY)
    assert_error(response, 400)
    assert not TrackerSighting.objects.exists()


def test_oversized_reports_are_refused(client, allowed):
    response = report(client, body(page_url="https://x.example/" + "p" * 9000), HTTP_ORIGIN=PROPERTY)
    assert_error(response, 413)
    assert not TrackerSighting.objects.exists()


def test_reports_from_other_sites_are_refused(client, allowed):
    assert_error(report(client, body(), HTTP_ORIGIN="https://evil.example"), 403, "origin_not_allowed")
    assert not TrackerSighting.objects.exists()


def test_a_device_may_report_a_few_times_per_origin(client, allowed, settings):
    settings.CONSENT_TRACKER_REPORT_RATE = "2/h"
    assert report(client, body(), HTTP_ORIGIN=PROPERTY).status_code == 202
    assert report(client, body(), HTTP_ORIGIN=PROPERTY).status_code == 202
    assert_error(report(client, body(), HTTP_ORIGIN=PROPERTY), 429, "rate_limited")
    assert TrackerSighting.objects.get(name="_fbp").reports == 2


def officer():
    person = UserFactory()
    person.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return person


def test_an_officer_adds_a_sighting_to_the_declaration(client, allowed):
    report(Client(), body(), HTTP_ORIGIN=PROPERTY)
    before = current_revision()
    client.force_login(officer())
    page = client.get("/staff/trackers/")
    assert page.status_code == 200 and b"connect.facebook.net" in page.content
    facebook = TrackerSighting.objects.get(name="connect.facebook.net")
    response = client.post(
        f"/staff/trackers/{facebook.pk}/declare/",
        {
            "category": "marketing",
            "provider": "Meta (Facebook)",
            "purpose": "Measures ad campaigns.",
            "purpose_sv": "Mäter annonskampanjer.",
        },
    )
    assert response.status_code == 302
    current_revision.forget()
    revision = current_revision()
    assert revision.pk != before.pk
    marketing = next(c for c in revision.content["categories"] if c["key"] == "marketing")
    assert marketing["hosts"] == [
        {
            "host": "connect.facebook.net",
            "provider": "Meta (Facebook)",
            "purpose": "Measures ad campaigns.",
            "translations": {"sv": {"purpose": "Mäter annonskampanjer."}},
        }
    ]
    facebook.refresh_from_db()
    assert facebook.status == "declared" and facebook.declared_in_id == revision.pk
    assert DeclaredHost.objects.filter(host="connect.facebook.net").exists()
    # Declared now: the next report does not count it.
    assert report(Client(), body(), HTTP_ORIGIN=PROPERTY).json() == {"undeclared": 4}

    cookie = TrackerSighting.objects.get(name="_fbp")
    response = client.post(
        f"/staff/trackers/{cookie.pk}/declare/",
        {
            "category": "marketing",
            "provider": "Meta",
            "purpose": "Ads.",
            "purpose_sv": "Annonser.",
            "lifetime_days": "90",
        },
    )
    assert response.status_code == 302
    assert Cookie.objects.get(name="_fbp").lifetime_days == 90


def test_declaring_needs_the_purpose_in_every_language(client, allowed):
    report(Client(), body(), HTTP_ORIGIN=PROPERTY)
    client.force_login(officer())
    sighting = TrackerSighting.objects.get(name="_fbp")
    revisions = current_revision().pk
    response = client.post(
        f"/staff/trackers/{sighting.pk}/declare/",
        {"category": "marketing", "provider": "Meta", "purpose": "Ads.", "purpose_sv": " "},
    )
    assert response.status_code == 400 and b"Purpose in Swedish" in response.content
    assert current_revision().pk == revisions and not Cookie.objects.filter(name="_fbp").exists()


def test_declaring_needs_a_purpose_and_a_real_category(client, allowed):
    report(Client(), body(), HTTP_ORIGIN=PROPERTY)
    client.force_login(officer())
    sighting = TrackerSighting.objects.get(name="_fbp")
    revisions = current_revision().pk
    response = client.post(
        f"/staff/trackers/{sighting.pk}/declare/", {"category": "nope", "provider": "", "purpose": ""}
    )
    assert response.status_code == 400
    assert current_revision().pk == revisions and not Cookie.objects.filter(name="_fbp").exists()


def test_people_without_the_role_cannot_see_the_report(client, allowed):
    report(Client(), body(), HTTP_ORIGIN=PROPERTY)
    client.force_login(UserFactory())
    assert client.get("/staff/trackers/").status_code in (403, 404)
    sighting = TrackerSighting.objects.first()
    response = client.post(
        f"/staff/trackers/{sighting.pk}/declare/", {"category": "marketing", "provider": "x", "purpose": "y"}
    )
    assert response.status_code in (403, 404)
    assert sighting.__class__.objects.get(pk=sighting.pk).status == "open"


def test_the_portable_count_matches_the_one_statement(monkeypatch):
    """SQLite (the embedded defaults) counts with the ORM; both give the same rows."""
    from types import SimpleNamespace

    from cookies import services

    def count_three_reports(origin):
        for page in ("/a", "/b", "/a"):
            services.tracker_report_record(
                origin=origin,
                page_url=origin + page,
                cookies=["_fbp", "trk"],
                storage=["ajs_user_id"],
                hosts=["cdn.tracker.example"],
                first_party_hosts=set(),
            )
        return {
            (s.kind, s.name, s.reports, tuple(p.removeprefix(origin) for p in s.pages), s.suggested_category)
            for s in TrackerSighting.objects.filter(origin=origin)
        }

    one_statement = count_three_reports("https://one.example")
    monkeypatch.setattr(services, "connection", SimpleNamespace(vendor="sqlite"))
    assert count_three_reports("https://portable.example") == one_statement
    assert ("cookie", "_fbp", 3, ("/a", "/b"), "marketing") in one_statement
