"""Google Consent Mode v2 on the server side: the declaration says which
category grants which consent type, and region defaults are checked at start-up."""

import json

import pytest
from django.core.checks import Error

from consent.checks import consent_mode_region_defaults
from cookies.selectors import current_revision

pytestmark = pytest.mark.django_db


def page_consent_mode(client, **headers) -> dict:
    page = client.get("/", HTTP_ACCEPT="text/html", **headers).content.decode()
    start = page.index('<script id="icx-consent-mode" type="application/json">') + len(
        '<script id="icx-consent-mode" type="application/json">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    # The defaults reach the page before any script that could load a tag.
    assert page.index("icx-consent-mode") < page.index("consent-mode.js") < page.index('consent.js"')
    return data


def test_every_category_maps_to_consent_types_in_the_declaration():
    categories = {c["key"]: c["consent_mode"] for c in current_revision().content["categories"]}
    assert categories == {
        "necessary": ["security_storage"],
        "preferences": ["functionality_storage", "personalization_storage"],
        "analytics": ["analytics_storage"],
        "marketing": ["ad_storage", "ad_user_data", "ad_personalization"],
    }


def test_the_page_carries_denied_defaults_and_the_returning_visitors_update(client, settings):
    settings.CONSENT_MODE_WAIT_FOR_UPDATE_MS = 800
    data = page_consent_mode(client)
    assert data["default"]["security_storage"] == "granted" and data["wait_for_update"] == 800
    assert {value for key, value in data["default"].items() if key != "security_storage"} == {"denied"}
    assert data["update"] is None
    body = {"method": "banner_custom", "revision": current_revision().content_hash}
    body["choices"] = {"preferences": False, "analytics": True, "marketing": False}
    assert client.post("/api/v1/consent", body, content_type="application/json").status_code == 201
    update = page_consent_mode(client)["update"]
    assert update["analytics_storage"] == "granted" and update["ad_storage"] == "denied"


@pytest.mark.parametrize(
    "defaults",
    [
        [],
        {"California": {"analytics_storage": "granted"}},
        {"US-CA": {"analytics": "granted"}},
        {"US-CA": {"analytics_storage": True}},
        {"SE": {}},
    ],
)
def test_bad_region_defaults_stop_start_up_with_a_clear_error(settings, defaults):
    settings.CONSENT_MODE_REGION_DEFAULTS = defaults
    [error] = consent_mode_region_defaults(None)
    assert isinstance(error, Error) and error.id == "consent.E001"


def test_good_region_defaults_pass(settings):
    settings.CONSENT_MODE_REGION_DEFAULTS = {
        "US-CA": {"analytics_storage": "granted"},
        "SE": {"ad_storage": "denied"},
    }
    assert consent_mode_region_defaults(None) == []
