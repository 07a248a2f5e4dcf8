"""A consent record as a Kantara Initiative Consent Receipt (Specification
v1.1.0, "KI-CR-v1.1.0"), signed as a JWS. Built from the record and the
declaration revision it was made on, so it says what the person was shown:
one purpose per category they agreed to (with strictly necessary, which needs
no consent), the cookies it uses as PII categories, who else receives them.
The categories refused are listed too, outside the standard's fields
(``refusedPurposes``), so the receipt never reads as a wider consent than it is.

The schema it validates against ships in consent/schemas/ (see SOURCE.md there).
docs/consent-signals.md maps the fields to ISO/IEC TS 27560."""

from django.conf import settings
from django.urls import reverse

from audit.jws import jws_sign, receipt_jwks
from cookies.declaration import localized
from core.controller import controller
from policies.models import PolicyDocument
from policies.selectors import version_in_force

from .models import ConsentRecord

VERSION = "KI-CR-v1.1.0"
CONTENT_TYPE = "application/vnd.kantara.consent-receipt+json"


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _policy_url(record: ConsentRecord) -> str:
    """The privacy policy version in force when the decision was made."""
    document = PolicyDocument.objects.filter(slug="privacy").first()
    version = version_in_force(document=document, at=record.recorded_at) if document else None
    if version is None:
        return _site_url(reverse("policy", args=["privacy"]))
    return _site_url(reverse("policy_version", args=["privacy", version.number]))


def _termination(category: dict) -> str:
    if category["necessary"]:
        return (
            "Needed while you use the service; each cookie ends at its lifetime or with the browser session."
        )
    longest = max((cookie["lifetime_days"] or 0 for cookie in category["cookies"]), default=0)
    ending = f" Its longest-lived cookie lasts {longest} days." if longest else ""
    return "Until you withdraw it under Cookie settings or in the privacy centre." + ending


def _purpose(category: dict) -> dict:
    third_parties = sorted(
        {cookie["provider"] for cookie in category["cookies"] if not cookie["first_party"]}
        | {host["provider"] for host in category.get("hosts", ())}
    )
    purpose = {
        "purpose": category["description"],
        "purposeCategory": [category["name"]],
        # Strictly necessary cookies rest on the service's need, not on consent.
        "consentType": "NOT_REQUIRED" if category["necessary"] else "EXPLICIT",
        "piiCategory": [f"Cookie or stored value: {cookie['name']}" for cookie in category["cookies"]]
        or ["Online identifiers"],
        "primaryPurpose": category["necessary"],
        "termination": _termination(category),
        "thirdPartyDisclosure": bool(third_parties),
    }
    if third_parties:
        purpose["thirdPartyName"] = ", ".join(third_parties)
    return purpose


def kantara_receipt(record: ConsentRecord) -> dict:
    # In the language the decision was made in (the revision holds every language).
    categories = localized(record.revision.content, record.language or settings.LANGUAGE_CODE)["categories"]
    agreed = [c for c in categories if c["necessary"] or record.choices.get(c["key"])]
    # Refused means answered no; a signal-only record leaves some categories unanswered.
    refused = [c["name"] for c in categories if not c["necessary"] and record.choices.get(c["key"]) is False]
    who = controller()
    return {
        "version": VERSION,
        "jurisdiction": settings.CONTROLLER_JURISDICTION,
        "consentTimestamp": int(record.recorded_at.timestamp()),
        "collectionMethod": f"{ConsentRecord.Method(record.method).label} ({record.method})",
        "consentReceiptID": str(record.record_id),
        # The Ed25519 key that signs the JWS (its JWK "x"; /.well-known/jwks.json lists it).
        "publicKey": receipt_jwks()["keys"][0]["x"],
        "language": record.language or settings.LANGUAGE_CODE,
        # Pseudonymous: the subject key, which only the service can link to a person.
        "piiPrincipalId": str(record.subject_key),
        "piiControllers": [
            {
                "piiController": who["name"],
                "onBehalf": False,
                "contact": f"{who['name']} privacy team",
                "address": {
                    "streetAddress": who["address"],
                    "addressCountry": settings.CONTROLLER_JURISDICTION,
                },
                "email": who["email"],
                "phone": who["phone"],
                "piiControllerUrl": _site_url("/"),
            }
        ],
        "policyUrl": _policy_url(record),
        "services": [
            {
                "service": f"iCentrex cookies on {record.origin or settings.SITE_URL.rstrip('/')}",
                "purposes": [_purpose(category) for category in agreed],
            }
        ],
        "sensitive": False,
        "spiCat": [],
        # Outside the standard's fields: what this record refused, and where the full record is.
        "refusedPurposes": refused,
        "recordHash": record.record_hash,
        "declarationRevision": record.revision_hash,
    }


def signed_kantara_receipt(record: ConsentRecord) -> str:
    return jws_sign(kantara_receipt(record), content_type=CONTENT_TYPE)
