"""The consent cookie: a signed visitor id plus the choices and the revision
they were made for, so pages can decide whether to show the banner without a
database read. Signing makes forged visitor ids detectable."""

import uuid

from django.conf import settings
from django.core import signing

COOKIE_NAME = "icx_consent"
_SALT = "icentrex.consent.visitor"


def sign_visitor_token(visitor_key: uuid.UUID) -> str:
    return signing.dumps(str(visitor_key), salt=_SALT, compress=False)


def visitor_key_from_token(token: str) -> uuid.UUID | None:
    """The visitor id in a signed token, or None if the token is forged or malformed."""
    try:
        return uuid.UUID(signing.loads(token, salt=_SALT))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def read_consent_cookie(request) -> dict | None:
    raw = request.COOKIES.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=_SALT + ".cookie", max_age=settings.CONSENT_COOKIE_DAYS * 86400)
        data["visitor"] = uuid.UUID(data["visitor"])
        return data
    except (signing.BadSignature, KeyError, ValueError, TypeError):
        return None


def consent_cookie_value(*, visitor_key: uuid.UUID, revision_hash: str, choices: dict, gpc: bool) -> str:
    data = {"visitor": str(visitor_key), "revision": revision_hash, "choices": choices}
    if gpc:  # the opt-out signal was on at the last decision (absent: it was not)
        data["gpc"] = True
    return signing.dumps(data, salt=_SALT + ".cookie", compress=True)


def write_consent_cookie(
    response, *, visitor_key: uuid.UUID, revision_hash: str, choices: dict, gpc: bool | None = None
) -> None:
    set_consent_cookie(
        response,
        consent_cookie_value(
            visitor_key=visitor_key, revision_hash=revision_hash, choices=choices, gpc=bool(gpc)
        ),
    )


def set_consent_cookie(response, value: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=settings.CONSENT_COOKIE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
