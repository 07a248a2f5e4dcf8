from urllib.parse import parse_qsl

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from core.api.exceptions import error_body


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the browser's; without one,
    LocaleMiddleware's choice (cookie, then Accept-Language) stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


# Pages for one anonymous visitor's eyes: allauth's (an email confirmation link
# names the address, a password reset link is a secret) and invitations (they
# name the invitee).
_PERSONAL_PREFIXES = ("/accounts/", "/invitations/")


class PersonalNoStoreMiddleware:
    """Anything answered to a signed-in person holds personal data, and so does a
    response that sets a cookie (a session, a CSRF token, a consent choice): no
    shared cache may keep them, and the browser should not store them either
    (Cache-Control: private, no-store). Runs after the view, so token-authenticated
    API requests (DRF sets request.user on the underlying request) count too.
    Static files are answered by WhiteNoise before this runs and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Before the view: a public API view without authentication replaces
        # request.user with an anonymous one, though the session is signed in.
        signed_in = self._signed_in(request)
        response = self.get_response(request)
        signed_in = signed_in or self._signed_in(request)  # an API token, seen by DRF
        if response.cookies or request.path.startswith(_PERSONAL_PREFIXES):
            patch_cache_control(response, no_store=True, private=True)
        elif signed_in and not self._declared_public(response):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _signed_in(request) -> bool:
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated

    @staticmethod
    def _declared_public(response) -> bool:
        # A view that says "public" serves everyone the same bytes and does not
        # look at who asks (the cookie declaration): it stays shareable.
        directives = {d.strip().lower() for d in response.get("Cache-Control", "").split(",")}
        return "public" in directives


# U+FFFD, the character Django substitutes for bytes it cannot decode.
_REPLACEMENT = "\ufffd"


def _undecodable_urlencoded(raw: bytes, encoding: str) -> bool:
    """Whether Django's QueryDict would have to mangle this query string or
    urlencoded body: it decodes with errors="replace" (and raw non-ASCII bytes
    with a Latin-1 fallback), so "%ff%fe" silently becomes "\ufffd\ufffd"."""
    try:
        text = raw.decode(encoding)
        parse_qsl(text, keep_blank_values=True, encoding=encoding, errors="strict")
    except UnicodeDecodeError:
        return True
    except ValueError:
        return False  # anything else is Django's to refuse
    return False


def _undecodable_multipart(request) -> bool:
    """multipart/form-data fields are decoded with errors="replace" too. No form
    here uses it, but a client may send it: more replacement characters in the
    parsed fields than the body itself holds means some were substituted."""
    raw_count = request.body.count(_REPLACEMENT.encode())
    parsed = [*request.POST.keys(), *(v for values in request.POST.lists() for v in values[1])]
    parsed += [f.name or "" for f in request.FILES.values()]
    return sum(text.count(_REPLACEMENT) for text in parsed) > raw_count


class UndecodableInputMiddleware:
    """Every form and query string must be text: input that is not valid in its
    charset (UTF-8 unless declared) is refused with a 400 before any view reads
    it, instead of being stored with replacement characters. One place for every
    page and the API (DRF's JSON parser already refuses undecodable JSON)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._undecodable(request):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _undecodable(request) -> bool:
        encoding = request.encoding or settings.DEFAULT_CHARSET
        query = request.META.get("QUERY_STRING", "")
        if query:
            # WSGI hands the query string over as Latin-1 text (PEP 3333).
            raw = query.encode("iso-8859-1", errors="ignore") if isinstance(query, str) else query
            if _undecodable_urlencoded(raw, encoding):
                return True
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return False
        if request.content_type == "application/x-www-form-urlencoded":
            # Reading the body respects DATA_UPLOAD_MAX_MEMORY_SIZE (413 above it).
            return _undecodable_urlencoded(request.body, encoding)
        if request.content_type == "multipart/form-data":
            return _undecodable_multipart(request)
        return False

    @staticmethod
    def _refuse(request):
        message = _(
            "What you sent contains characters that could not be read as text. "
            "Nothing was saved. Please type it again and send it once more."
        )
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("invalid_encoding", message), status=400)
        return render(request, "errors/400.html", {"message": message}, status=400)
