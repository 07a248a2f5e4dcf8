"""Standard receipts: every consent record is also a Kantara Consent Receipt
v1.1, valid against the schema Kantara published (shipped in consent/schemas/),
and signed as a JWS with the key that signs the evidence logs."""

import base64
import json
from pathlib import Path

import jsonschema
import jwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client

from consent.models import ConsentRecord
from cookies.selectors import current_revision
from policies.models import PolicyDocument
from policies.selectors import version_in_force
from subjects.services import subject_key_for_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "consent/schemas/kantara-consent-receipt-v1_1-schema.json"
    ).read_text()
)


def decide(client, method, choices=None, **headers):
    body = {"method": method, "revision": current_revision().content_hash}
    if choices is not None:
        body["choices"] = choices
    response = client.post("/api/v1/consent", body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    return response.json()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def person_client():
    person = UserFactory()
    client = Client()
    client.force_login(person)
    return client, person


@pytest.mark.parametrize(
    ("method", "choices"),
    [
        ("banner_accept_all", None),
        ("banner_reject_all", None),
        ("banner_custom", {"preferences": True, "analytics": False, "marketing": False}),
        ("gpc", None),
    ],
)
def test_every_receipt_is_valid_against_the_published_schema(person_client, method, choices):
    client, person = person_client
    record_id = decide(client, method, choices, HTTP_SEC_GPC="1")["record_id"]
    response = client.get(f"/api/v1/consent/receipts/{record_id}/kantara")
    assert response.status_code == 200
    receipt = response.json()["receipt"]
    jsonschema.Draft4Validator(SCHEMA).validate(receipt)
    record = ConsentRecord.objects.get(record_id=record_id)
    assert receipt["version"] == "KI-CR-v1.1.0" and receipt["consentReceiptID"] == record_id
    assert receipt["consentTimestamp"] == int(record.recorded_at.timestamp())
    assert receipt["piiPrincipalId"] == str(subject_key_for_user(user=person))
    # One purpose per category agreed to, strictly necessary included; the refused ones apart.
    purposes = receipt["services"][0]["purposes"]
    declared = record.revision.content["categories"]
    agreed = [[c["name"]] for c in declared if record.choices.get(c["key"])]
    assert [p["purposeCategory"] for p in purposes] == agreed
    refused = [c["name"] for c in declared if record.choices.get(c["key"]) is False]
    assert receipt["refusedPurposes"] == refused
    controller = receipt["piiControllers"][0]
    assert controller["piiController"] == "iCentrex Sweden AB" and controller["email"]
    privacy = PolicyDocument.objects.get(slug="privacy")
    in_force = version_in_force(document=privacy)
    assert receipt["policyUrl"].endswith(f"/policies/privacy/versions/{in_force.number}/")


def test_third_parties_are_named_where_a_category_has_them(person_client):
    client, _person = person_client
    record_id = decide(client, "banner_accept_all")["record_id"]
    receipt = client.get(f"/api/v1/consent/receipts/{record_id}/kantara").json()["receipt"]
    analytics = next(p for p in receipt["services"][0]["purposes"] if p["purposeCategory"] == ["Analytics"])
    assert analytics["thirdPartyDisclosure"] is True and "Google" in analytics["thirdPartyName"]
    assert "Cookie or stored value: _ga" in analytics["piiCategory"]
    necessary = receipt["services"][0]["purposes"][0]
    assert necessary["consentType"] == "NOT_REQUIRED" and necessary["primaryPurpose"] is True


def test_the_jws_verifies_with_the_published_key_and_nothing_else(person_client, settings):
    client, _person = person_client
    record_id = decide(client, "banner_accept_all")["record_id"]
    body = client.get(f"/api/v1/consent/receipts/{record_id}/kantara").json()
    token = body["jws"]
    jwks = Client().get("/.well-known/jwks.json").json()
    [key] = [k for k in jwks["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"]]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA"
    public = Ed25519PublicKey.from_public_bytes(b64url_decode(key["x"]))

    # With a JOSE library...
    payload = jwt.api_jws.PyJWS().decode(token, key=public, algorithms=["EdDSA"])
    assert json.loads(payload) == body["receipt"]
    # ...and by hand, as a verifier without one would (RFC 7515: header.payload, Ed25519).
    header, encoded, signature = token.split(".")
    public.verify(b64url_decode(signature), f"{header}.{encoded}".encode())
    assert json.loads(b64url_decode(header)) == {
        "alg": "EdDSA",
        "kid": key["kid"],
        "typ": "JOSE",
        "cty": "application/vnd.kantara.consent-receipt+json",
    }
    # The key is the one that signs the logs' checkpoints.
    assert body["receipt"]["publicKey"] == key["x"]
    assert (
        Client()
        .get("/transparency/keys")
        .content.decode()
        .split("\n")[0]
        .endswith(base64.b64encode(b"\x01" + b64url_decode(key["x"])).decode())
    )

    # A changed receipt does not verify.
    forged = json.loads(b64url_decode(encoded))
    forged["refusedPurposes"] = []
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        public.verify(b64url_decode(signature), f"{header}.{forged_payload}".encode())


def test_the_page_downloads_and_nobody_elses_receipt(person_client):
    client, _person = person_client
    record_id = decide(client, "banner_accept_all")["record_id"]
    page = client.get(f"/privacy/cookies/receipts/{record_id}/")
    assert b"kantara.json" in page.content and b"kantara.jws" in page.content
    download = client.get(f"/privacy/cookies/receipts/{record_id}/kantara.json")
    assert download.status_code == 200 and download["Content-Type"] == "application/json"
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(download.content))
    signed = client.get(f"/privacy/cookies/receipts/{record_id}/kantara.jws")
    assert signed["Content-Type"] == "application/jose" and signed.content.count(b".") == 2
    assert client.get(f"/privacy/cookies/receipts/{record_id}/kantara.xml").status_code == 404
    stranger = Client()
    stranger.force_login(UserFactory())
    assert stranger.get(f"/privacy/cookies/receipts/{record_id}/kantara.json").status_code == 404
    assert stranger.get(f"/api/v1/consent/receipts/{record_id}/kantara").status_code == 404


def test_the_jwk_set_is_public_and_lists_rotated_keys(settings):
    from audit.notes import SignerKey
    from audit.transparency import log_verifiers

    old = SignerKey.generate(settings.TRANSPARENCY_LOG_NAME)
    settings.TRANSPARENCY_PREVIOUS_KEYS = [str(old.verifier)]
    log_verifiers.cache_clear()
    try:
        response = Client().get("/.well-known/jwks.json")
        assert response["Access-Control-Allow-Origin"] == "*" and "public" in response["Cache-Control"]
        keys = response.json()["keys"]
        assert len(keys) == 2 and len({k["kid"] for k in keys}) == 2
    finally:
        log_verifiers.cache_clear()
