"""The opt-out preference signal as a persistent preference (GPC draft; 11 CCR
7025): one record per change of the signal or of the declaration, for the
device and, signed in, the account and every device linked to it; a visit
without the signal is not an opt-in; an explicit choice made with the signal
on wins only for what was granted one by one, and the record says so."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from consent.cookie import COOKIE_NAME, read_consent_cookie
from consent.models import ConsentLink, ConsentRecord, ConsentState
from cookies.models import CookieCategory
from cookies.selectors import current_revision
from cookies.services import declaration_publish
from subjects.services import subject_key_for_user
from tests.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GPC = {"HTTP_SEC_GPC": "1"}
PAGE = {"HTTP_ACCEPT": "text/html,application/xhtml+xml", "HTTP_SEC_FETCH_DEST": "document"}


def view(client, path="/", **headers):
    response = client.get(path, **PAGE, **headers)
    assert response.status_code == 200, response.status_code
    return response


def decide(client, method, choices=None, **headers):
    body = {"method": method, "revision": current_revision().content_hash}
    if choices is not None:
        body["choices"] = choices
    response = client.post("/api/v1/consent", body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    return response.json()


def device_cookie(client) -> dict:
    class Request:
        COOKIES = {COOKIE_NAME: client.cookies[COOKIE_NAME].value}

    return read_consent_cookie(Request)


def shown(page: str, attribute: str) -> bool:
    """Whether the element carrying ``attribute`` is on the page and not hidden."""
    at = page.find(attribute)
    return at >= 0 and " hidden" not in page[page.rfind("<", 0, at) : page.find(">", at)]


def consent_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "WITH"))]


def test_many_page_views_with_the_signal_write_one_record():
    client = Client()
    view(client, **GPC)
    record = ConsentRecord.objects.get()
    assert (record.method, record.gpc, record.subject_type) == ("gpc", True, "visitor")
    # Only what the signal refuses is decided; the banner still asks about the rest.
    assert record.choices == {"necessary": True, "marketing": False}
    assert device_cookie(client)["gpc"] is True
    with CaptureQueriesContext(connection) as queries:
        for _ in range(50):
            view(client, **GPC)
    assert ConsentRecord.objects.count() == 1
    assert not [sql for sql in consent_writes(queries) if "consent_" in sql]


def test_a_page_without_the_signal_and_without_choices_records_nothing():
    client = Client()
    view(client)
    view(client, HTTP_SEC_GPC="0")
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize(
    "request_headers",
    [
        {"HTTP_ACCEPT": "application/json"},  # an API call
        {"HTTP_ACCEPT": "text/html", "HTTP_HX_REQUEST": "true"},  # a fragment
        {"HTTP_ACCEPT": "text/html", "HTTP_SEC_FETCH_DEST": "image"},  # a subresource
    ],
)
def test_only_page_views_record_the_signal(client, request_headers):
    client.get("/", **request_headers, **GPC)
    client.get("/api/v1/consent", **GPC)
    assert not ConsentRecord.objects.exists()


def test_a_new_revision_with_the_signal_on_records_once_more(client):
    view(client, **GPC)
    category = CookieCategory.objects.get(key="preferences")
    category.description += " Also the theme."
    category.save()
    declaration_publish(actor=None)
    current_revision.forget()
    view(client, **GPC)
    view(client, **GPC)
    records = list(ConsentRecord.objects.order_by("seq"))
    assert len(records) == 2 and records[1].revision_id == current_revision().pk


def test_a_later_visit_without_the_signal_is_not_an_opt_in(client):
    decide(client, "banner_accept_all")
    view(client, **GPC)
    turned_off = ConsentRecord.objects.order_by("-seq").first()
    assert turned_off.method == "gpc" and turned_off.action == "withdraw"
    assert turned_off.choices == {
        "necessary": True,
        "preferences": True,
        "analytics": True,
        "marketing": False,
    }
    # The signal stops: nothing is turned back on, and nothing is recorded per visit.
    view(client)
    view(client)
    assert ConsentRecord.objects.count() == 2
    assert device_cookie(client)["choices"]["marketing"] is False
    # A decision made without it says the signal was off; the signal coming back is a change again.
    decide(client, "banner_reject_all")
    view(client, **GPC)
    view(client, **GPC)
    assert [r.gpc for r in ConsentRecord.objects.order_by("seq")] == [None, True, None, True]


def test_the_page_reports_a_signal_the_browser_sends_only_to_scripts(client):
    body = {"method": "banner_accept_all", "revision": current_revision().content_hash, "gpc": True}
    receipt = client.post("/api/v1/consent", body, content_type="application/json").json()
    assert receipt["gpc"] is True and receipt["choices"]["marketing"] is False
    # Bad input is refused and writes nothing.
    response = client.post("/api/v1/consent", {**body, "gpc": "yes please"}, content_type="application/json")
    assert "gpc" in assert_error(response, 400)["fields"]
    assert ConsentRecord.objects.count() == 1


def test_accept_all_with_the_signal_on_keeps_what_it_refuses_off(client):
    receipt = decide(client, "banner_accept_all", **GPC)
    assert receipt["choices"]["marketing"] is False and receipt["choices"]["analytics"] is True
    assert receipt["gpc"] is True and receipt["gpc_overridden"] == []


def test_an_explicit_choice_after_the_signal_wins_only_for_what_was_granted(client):
    view(client, **GPC)
    receipt = decide(
        client, "banner_custom", {"preferences": False, "analytics": True, "marketing": True}, **GPC
    )
    assert receipt["method"] == "banner_custom" and receipt["gpc"] is True
    assert receipt["choices"]["marketing"] is True and receipt["gpc_overridden"] == ["marketing"]
    record = ConsentRecord.objects.get(record_id=receipt["record_id"])
    assert record.record_hash == record.compute_hash() and "gpc_overridden" in record.hashed_content()
    # Still on, same declaration: the person's own choice stands; no new record.
    view(client, **GPC)
    assert ConsentRecord.objects.count() == 2
    assert ConsentState.objects.get(subject_key=record.subject_key).choices["marketing"] is True
    # Not granted one by one: the signal still decides.
    receipt = decide(
        client, "banner_custom", {"preferences": False, "analytics": True, "marketing": False}, **GPC
    )
    assert receipt["gpc_overridden"] == []


def test_signed_in_the_signal_applies_to_the_account_and_every_linked_device():
    person = UserFactory()
    account = subject_key_for_user(user=person)
    laptop = Client()
    decide(laptop, "banner_accept_all")
    laptop_key = device_cookie(laptop)["visitor"]
    ConsentLink.objects.create(visitor_key=laptop_key, account_subject_key=account)
    phone = Client()
    phone.force_login(person)
    decide(phone, "banner_accept_all")
    before = ConsentRecord.objects.count()

    view(phone, **GPC)
    view(phone, **GPC)
    new = ConsentRecord.objects.filter(seq__gt=0).order_by("-seq")[: ConsentRecord.objects.count() - before]
    assert {(r.subject_key, r.method, r.choices["marketing"]) for r in new} == {
        (account, "gpc", False),
        (laptop_key, "gpc", False),
    }
    # The laptop, signed out, still holds a cookie granting marketing: it follows the device's
    # recorded state on its next page view, without another record.
    response = view(laptop)
    assert ConsentRecord.objects.count() == before + 2
    assert device_cookie(laptop)["choices"]["marketing"] is False
    assert shown(response.content.decode(), 'data-gpc-honoured="marketing"')


def test_the_declaration_says_which_categories_the_signal_refuses(client):
    analytics = CookieCategory.objects.get(key="analytics")
    analytics.gpc_opt_out = CookieCategory.GpcOptOut.SALE_SHARING
    analytics.save()
    marketing = CookieCategory.objects.get(key="marketing")
    marketing.gpc_opt_out = ""
    marketing.save()
    declaration_publish(actor=None)
    current_revision.forget()
    content = current_revision().content
    assert {c["key"]: c["gpc_opt_out"] for c in content["categories"]}["analytics"] == "sale_sharing"
    receipt = decide(client, "banner_accept_all", **GPC)
    assert receipt["choices"]["analytics"] is False and receipt["choices"]["marketing"] is True


def test_a_necessary_category_cannot_be_refused_by_the_signal():
    from django.core.exceptions import ValidationError

    necessary = CookieCategory.objects.get(key="necessary")
    necessary.gpc_opt_out = CookieCategory.GpcOptOut.SALE_SHARING
    with pytest.raises(ValidationError):
        necessary.full_clean()


def test_the_banner_and_the_privacy_centre_say_the_signal_is_honoured_per_category(client):
    response = view(client, **GPC)
    page = response.content.decode()
    assert shown(page, "data-gpc-summary") and shown(page, 'data-gpc-honoured="marketing"')
    assert 'data-gpc-honoured="analytics"' not in page  # the signal does not refuse analytics
    assert not shown(page, 'data-gpc-overridden="marketing"')
    assert 'id="cookie-banner"' in page and 'data-gpc="1"' in page
    person = UserFactory()
    client.force_login(person)
    page = view(client, "/privacy/cookies/", **GPC).content.decode()
    assert shown(page, 'data-gpc-honoured="marketing"')
    decide(client, "banner_custom", {"preferences": False, "analytics": False, "marketing": True}, **GPC)
    page = view(client, "/privacy/cookies/", **GPC).content.decode()
    assert shown(page, 'data-gpc-overridden="marketing"') and not shown(page, 'data-gpc-honoured="marketing"')
    # Without the signal nothing says it is honoured.
    page = view(Client()).content.decode()
    assert not shown(page, "data-gpc-summary") and not shown(page, 'data-gpc-honoured="marketing"')


def test_a_forged_visitor_cookie_is_a_new_device(client):
    client.cookies[COOKIE_NAME] = "forged"
    view(client, **GPC)
    record = ConsentRecord.objects.get()
    assert record.subject_key != uuid.UUID(int=0) and device_cookie(client)["visitor"] == record.subject_key
