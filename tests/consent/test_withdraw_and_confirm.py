"""Saving cookie choices says so, and a category agreed to can be withdrawn with
its own button, without JavaScript: the settings page (the footer's "Cookie
settings" link) then "Withdraw consent" is two clicks from any page."""

import pytest
from django.urls import reverse

from consent.models import ConsentRecord
from cookies.selectors import current_revision

pytestmark = pytest.mark.django_db


def _grant(client, **choices):
    return client.post(
        reverse("cookie_choices"),
        {"method": "banner_custom", "revision": current_revision().content_hash, "next": "/", **choices},
        follow=True,
    )


def test_saving_choices_shows_a_confirmation(client):
    page = _grant(client, analytics="on").content.decode()
    assert '<div class="messages" role="status">' in page and "Your cookie choices were saved." in page


def test_withdraw_one_category_keeps_the_others(client):
    _grant(client, analytics="on", preferences="on")
    html = client.get(reverse("cookie_settings")).content.decode()
    # Buttons for what was agreed to are shown; the others are there but hidden.
    assert (
        'name="withdraw" value="analytics" class="button button-small button-secondary cookie-withdraw"\n'
        in html
    )
    assert 'value="marketing" class="button button-small button-secondary cookie-withdraw" hidden' in html
    response = client.post(
        reverse("cookie_choices"),
        {
            "withdraw": "analytics",
            "revision": current_revision().content_hash,
            "analytics": "on",  # the form still carries the ticked box: the button wins
            "preferences": "on",
            "next": reverse("cookie_settings"),
        },
        follow=True,
    )
    record = ConsentRecord.objects.order_by("-seq").first()
    assert record.action == ConsentRecord.Action.WITHDRAW and record.method == "banner_custom"
    assert record.choices == {"necessary": True, "preferences": True, "analytics": False, "marketing": False}
    assert "You withdrew your consent to Analytics. Your cookie choices were saved." in (
        response.content.decode()
    )


@pytest.mark.parametrize("category", ["necessary", "sell_everything"])
def test_withdrawing_an_unknown_or_necessary_category_is_refused(client, category):
    _grant(client, analytics="on")
    response = client.post(
        reverse("cookie_choices"),
        {"withdraw": category, "revision": current_revision().content_hash, "analytics": "on"},
        follow=True,
    )
    assert "Choose a cookie category" in response.content.decode()
    assert ConsentRecord.objects.count() == 1


def test_withdraw_from_the_privacy_centre_is_recorded_as_such(client, alice, password):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    _grant(client, analytics="on")
    html = client.get(reverse("privacy_cookies")).content.decode()
    assert 'name="withdraw" value="analytics"' in html
    client.post(
        reverse("cookie_choices"),
        {
            "method": "privacy_centre",  # the page's hidden field
            "withdraw": "analytics",
            "revision": current_revision().content_hash,
            "analytics": "on",
            "next": reverse("privacy_cookies"),
        },
    )
    record = ConsentRecord.objects.order_by("-seq").first()
    assert (record.method, record.action, record.choices["analytics"]) == (
        "privacy_centre",
        "withdraw",
        False,
    )
