import threading
import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from consent import services
from consent.cookie import COOKIE_NAME
from consent.models import ConsentLink, ConsentRecord, ConsentState
from cookies.models import Cookie, CookieCategory
from cookies.selectors import current_revision
from cookies.services import declaration_publish
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
)


@pytest.fixture
def revision(db):
    return current_revision()


def decide(client, shown, method="banner_accept_all", **extra):
    headers = extra.pop("headers", {})
    body = {
        "method": method,
        "revision": shown.content_hash,
        "page_url": "https://privacy.icentrex.example/x",
        **extra,
    }
    return client.post(
        "/api/v1/consent",
        body,
        content_type="application/json",
        HTTP_USER_AGENT=CHROME,
        REMOTE_ADDR="198.51.100.77",
        **headers,
    )


FIELDS = {
    "record_id",
    "subject_key",
    "subject_type",
    "choices",
    "action",
    "method",
    "revision_hash",
    "policy_version",
    "language",
    "page_url",
    "origin",
    "gpc",
    "gpc_overridden",
    "dnt",
    "ip_prefix",
    "ua_family",
    "ua_version",
    "recorded_at",
    "record_hash",
    "revision_id",
    "hash_version",
    "hashed_fields",
    "sealed",
    "proof",
    "controller",
    "visitor",
}


@pytest.mark.parametrize(
    ("method", "choices", "expected"),
    [
        (
            "banner_accept_all",
            None,
            {"necessary": True, "preferences": True, "analytics": True, "marketing": True},
        ),
        (
            "banner_reject_all",
            None,
            {"necessary": True, "preferences": False, "analytics": False, "marketing": False},
        ),
        (
            "banner_custom",
            {"preferences": True, "analytics": False, "marketing": False},
            {"necessary": True, "preferences": True, "analytics": False, "marketing": False},
        ),
        (
            "api",
            {"necessary": True, "preferences": False, "analytics": True, "marketing": False},
            {"necessary": True, "preferences": False, "analytics": True, "marketing": False},
        ),
        # The signal alone decides only what it refuses; the banner still asks about the rest.
        ("gpc", None, {"necessary": True, "marketing": False}),
    ],
)
def test_record_fields_are_complete_for_every_method(client, revision, method, choices, expected):
    extra = {"choices": choices} if choices else {}
    response = decide(client, revision, method, language="sv", **extra, headers={"HTTP_DNT": "1"})
    assert response.status_code == 201, response.content
    receipt = response.json()
    assert set(receipt) == FIELDS
    assert receipt["choices"] == expected and receipt["method"] == method
    assert receipt["revision_hash"] == revision.content_hash and receipt["policy_version"].startswith("v1 ")
    assert (receipt["ip_prefix"], receipt["ua_family"], receipt["ua_version"]) == (
        "198.51.100.0",
        "Chrome",
        "156",
    )
    # No Sec-GPC header: only the "gpc" method (our scripts read navigator.globalPrivacyControl) says so.
    assert receipt["dnt"] is True and receipt["gpc"] is (True if method == "gpc" else None)
    assert receipt["language"] == "sv"
    record = ConsentRecord.objects.get()
    assert record.record_hash == record.compute_hash() == receipt["record_hash"]
    assert COOKIE_NAME in response.cookies


def test_actions_follow_the_history(client, revision):
    assert decide(client, revision, "banner_reject_all").json()["action"] == "deny"
    assert decide(client, revision, "banner_accept_all").json()["action"] == "update"
    assert decide(client, revision, "banner_reject_all").json()["action"] == "withdraw"
    assert ConsentRecord.objects.count() == 3
    assert len({r.subject_key for r in ConsentRecord.objects.all()}) == 1  # the cookie kept the visitor


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"method": "banner_custom", "choices": {"analytics": True, "snacks": True}},
            400,
            "unknown_category",
        ),
        (
            {
                "method": "banner_custom",
                "choices": {"necessary": False, "preferences": True, "analytics": True, "marketing": True},
            },
            400,
            "necessary_required",
        ),
        ({"method": "banner_custom", "choices": {"analytics": True}}, 400, "missing_category"),
        ({"method": "banner_custom"}, 400, "invalid"),
        ({"method": "privacy_centre"}, 400, "invalid"),
        ({"method": "banner_accept_all", "revision": "0" * 64}, 400, "unknown_revision"),
        ({"method": "banner_accept_all", "visitor": "forged:token"}, 400, "invalid_visitor"),
        ({"method": "banner_accept_all", "colour": "red"}, 400, "invalid"),
    ],
)
def test_bad_decisions_write_nothing(client, revision, body, status, code):
    assert_error(decide(client, revision, **body), status, code)
    assert ConsentRecord.objects.count() == 0 and ConsentState.objects.count() == 0


def test_malformed_and_oversized_and_wrong_type(client, revision, settings):
    assert_error(
        client.post("/api/v1/consent", b"{nope", content_type="application/json"), 400, "parse_error"
    )
    assert_error(client.post("/api/v1/consent", "method=x", content_type="text/plain"), 415)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    assert_error(
        decide(client, revision, page_url="https://x.example/" + "a" * 400), 413, "payload_too_large"
    )
    assert ConsentRecord.objects.count() == 0


def test_a_stale_revision_is_a_conflict(client, revision):
    Cookie.objects.create(
        category=CookieCategory.objects.get(key="analytics"),
        name="_gid",
        provider="Google",
        domain="icentrex.example",
        lifetime_days=1,
        purpose="Counts today's visits.",
    )
    declaration_publish(actor=None)
    assert_error(decide(client, revision), 409, "stale_revision")


def test_disallowed_origin_is_refused_allowed_one_recorded(client, revision, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.icentrex.example"]
    assert_error(
        decide(client, revision, headers={"HTTP_ORIGIN": "https://evil.example"}), 403, "origin_not_allowed"
    )
    response = decide(client, revision, headers={"HTTP_ORIGIN": "https://www.icentrex.example"})
    assert response.status_code == 201 and response.json()["origin"] == "https://www.icentrex.example"
    assert response["Access-Control-Allow-Origin"] == "https://www.icentrex.example"
    assert ConsentRecord.objects.count() == 1


def test_embed_token_keeps_the_visitor_across_requests(revision):
    first = decide(Client(), revision, "banner_reject_all").json()
    token = first["visitor"]
    second = decide(Client(), revision, "banner_accept_all", visitor=token).json()
    assert second["subject_key"] == first["subject_key"] and second["action"] == "update"


def test_gpc_denies_marketing_unless_chosen_explicitly(client, revision):
    gpc = {"HTTP_SEC_GPC": "1"}
    receipt = decide(client, revision, "banner_accept_all", headers=gpc).json()
    assert (
        receipt["gpc"] is True
        and receipt["choices"]["marketing"] is False
        and receipt["choices"]["analytics"]
    )
    explicit = {"preferences": True, "analytics": True, "marketing": True}
    receipt = decide(client, revision, "banner_custom", choices=explicit, headers=gpc).json()
    assert receipt["choices"]["marketing"] is True and receipt["gpc_overridden"] == ["marketing"]


def test_dnt_is_recorded_but_not_acted_on_unless_configured(client, revision, settings):
    receipt = decide(client, revision, "banner_accept_all", headers={"HTTP_DNT": "1"}).json()
    assert receipt["dnt"] is True and receipt["choices"]["analytics"] is True
    settings.CONSENT_HONOR_DNT = True
    receipt = decide(client, revision, "banner_accept_all", headers={"HTTP_DNT": "1"}).json()
    assert receipt["choices"]["analytics"] is False


def test_reconsent_only_for_accepted_categories_that_grew(client, revision):
    decide(
        client,
        revision,
        "banner_custom",
        choices={"preferences": False, "analytics": True, "marketing": False},
    )
    assert client.get("/api/v1/consent").json()["current"] is True
    # A new marketing cookie: marketing was refused, so no need to ask again.
    Cookie.objects.create(
        category=CookieCategory.objects.get(key="marketing"),
        name="_fbp",
        provider="Meta",
        domain="icentrex.example",
        lifetime_days=90,
        purpose="Ads.",
    )
    declaration_publish(actor=None)
    state = client.get("/api/v1/consent").json()
    assert state["current"] is True and state["reconsent"] == []
    # A new analytics cookie: analytics was accepted, so ask again.
    Cookie.objects.create(
        category=CookieCategory.objects.get(key="analytics"),
        name="_gid",
        provider="Google",
        domain="icentrex.example",
        lifetime_days=1,
        purpose="Counts today's visits.",
    )
    declaration_publish(actor=None)
    state = client.get("/api/v1/consent").json()
    assert state["current"] is False and state["reconsent"] == ["analytics"]


def test_visitor_consent_links_to_the_account_at_sign_in(client, revision, alice, password):
    device = decide(client, revision, "banner_reject_all").json()
    client.post("/accounts/login/", {"login": alice.email, "password": password})
    link = ConsentLink.objects.get()
    assert str(link.visitor_key) == device["subject_key"]
    # The account adopts the device's choices; later decisions are the account's.
    assert client.get("/api/v1/consent").json()["choices"]["analytics"] is False
    account = decide(client, revision, "banner_accept_all").json()
    assert account["subject_type"] == "account" and account["subject_key"] != device["subject_key"]
    history = client.get("/api/v1/consent/history").json()["results"]
    assert [h["record_id"] for h in history] == [account["record_id"], device["record_id"]]
    # Another device of the same account sees the account's choices.
    other = Client()
    other.post("/accounts/login/", {"login": alice.email, "password": password})
    assert other.get("/api/v1/consent").json()["choices"]["analytics"] is True


def test_receipts_are_only_for_their_owner(client, revision, alice, bob, password):
    client.post("/accounts/login/", {"login": alice.email, "password": password})
    record_id = decide(client, revision).json()["record_id"]
    assert client.get(f"/api/v1/consent/receipts/{record_id}").json()["record_id"] == record_id
    other = Client()
    other.post("/accounts/login/", {"login": bob.email, "password": password})
    assert_error(other.get(f"/api/v1/consent/receipts/{record_id}"), 404, "not_found")
    assert_error(other.get(f"/api/v1/consent/receipts/{uuid.uuid4()}"), 404, "not_found")
    assert_error(Client().get(f"/api/v1/consent/receipts/{record_id}"), 401)


def test_declaration_is_cacheable_with_etag(client, revision):
    response = client.get("/api/v1/cookies/declaration")
    # The revision and the language name the body.
    assert response.status_code == 200 and response["ETag"] == f'"{revision.content_hash}-en"'
    keys = [c["key"] for c in response.json()["categories"]]
    assert keys == ["necessary", "preferences", "analytics", "marketing"]
    assert client.get("/api/v1/cookies/declaration", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_postgresql_refuses_changes_to_consent_records(client, revision):
    decide(client, revision)
    for sql in ["UPDATE consent_consentrecord SET action = 'grant'", "DELETE FROM consent_consentrecord"]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_are_not_serialised():
    """While one writer's transaction is open, another writer records and commits."""
    revision = current_revision()
    signals = {"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""}
    holding, release, errors = threading.Event(), threading.Event(), []

    def slow_writer():
        try:
            with transaction.atomic():
                services.consent_record(
                    subject_key=uuid.uuid4(),
                    subject_type="visitor",
                    method="banner_accept_all",
                    revision_hash=revision.content_hash,
                    signals=signals,
                )
                holding.set()
                release.wait(10)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    def fast_writer(done):
        try:
            services.consent_record(
                subject_key=uuid.uuid4(),
                subject_type="visitor",
                method="banner_reject_all",
                revision_hash=revision.content_hash,
                signals=signals,
            )
            done.set()
        finally:
            connection.close()

    slow = threading.Thread(target=slow_writer)
    slow.start()
    assert holding.wait(10)
    done = threading.Event()
    fast = threading.Thread(target=fast_writer, args=(done,))
    fast.start()
    finished_while_other_open = done.wait(5)
    release.set()
    slow.join()
    fast.join()
    assert finished_while_other_open and not errors
    assert ConsentRecord.objects.count() == 2


def test_a_signed_in_browser_still_needs_the_csrf_token(revision, alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    assert_error(decide(browser, revision), 403, "permission_denied")
    assert ConsentRecord.objects.count() == 0


def test_a_decision_with_a_token_is_the_accounts(alice_api, alice, revision):
    from subjects.services import subject_key_for_user

    response = alice_api.post(
        "/api/v1/consent",
        {"method": "banner_accept_all", "revision": revision.content_hash},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["subject_type"] == "account"
    assert ConsentRecord.objects.get().subject_key == subject_key_for_user(user=alice)


def test_a_bad_token_is_refused_before_anything_is_written(api_client, revision):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer icx_nope")
    response = api_client.post(
        "/api/v1/consent", {"method": "banner_accept_all", "revision": revision.content_hash}, format="json"
    )
    assert_error(response, 401)
    assert ConsentRecord.objects.count() == 0


def test_a_visitors_decision_is_one_write(client, revision, django_assert_num_queries):
    # The revision and the privacy-policy version in force (re-read on every use in
    # tests, kept in process otherwise), then one statement for the record and the state.
    with django_assert_num_queries(3) as captured:
        assert decide(client, revision).status_code == 201
    assert "INSERT INTO consent_consentrecord" in captured.captured_queries[-1]["sql"]


def test_a_client_that_does_not_take_json_is_refused_as_before(client, revision):
    assert decide(client, revision, headers={"HTTP_ACCEPT": "text/html"}).status_code == 406
    assert decide(client, revision, headers={"QUERY_STRING": "format=xml"}).status_code == 404
    assert ConsentRecord.objects.count() == 0
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert decide(client, revision, headers={"HTTP_ACCEPT": browser_accept}).status_code == 201
