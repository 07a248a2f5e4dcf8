import json
import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.api.schema import error_responses
from core.errors import RuleViolation
from core.replicas import replica_reads

from .declaration import localized
from .selectors import current_revision
from .serializers import DeclarationSerializer

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _language(request) -> str:
    """``?lang=`` (a language tag) or the request's own (Accept-Language, the
    language cookie); a language the site does not speak gets the default."""
    asked = request.GET.get("lang")
    if not asked:  # absent or empty: the request's own
        return request.LANGUAGE_CODE
    if not _LANGUAGE_TAG.match(asked):
        raise RuleViolation(_("lang must be a language tag such as sv or en-GB."), code="invalid_language")
    supported = {code for code, _name in settings.LANGUAGES}
    primary = asked.split("-")[0].lower()
    return primary if primary in supported else settings.LANGUAGE_CODE


@extend_schema(tags=["cookies"])
class DeclarationView(APIView):
    """The cookie declaration in force. Public and cacheable: the ETag is the
    revision hash and the language, so a client revalidates with If-None-Match
    and gets a 304. Read from a replica when there is one (core.replicas)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    dispatch = replica_reads(APIView.dispatch)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "lang",
                str,
                description="The language of the texts (en, sv); without it, the Accept-Language header's. "
                "A language the site does not speak gets English; `translations` holds every language.",
                required=False,
                pattern=_LANGUAGE_TAG.pattern,
            )
        ],
        responses={
            200: DeclarationSerializer,
            304: OpenApiResponse(description="Not modified."),
            **error_responses(400),
        },
    )
    def get(self, request):
        """Categories and cookies (name, provider, first or third party, domain, lifetime, purpose), in
        the asked language, with the texts of the banner that shows them."""
        language = _language(request)
        revision = current_revision()
        etag = f'"{revision.content_hash}-{language}"'
        if request.META.get("HTTP_IF_NONE_MATCH") == etag:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(_rendered(revision, language), content_type="application/json")
        response["ETag"] = etag
        response["Content-Language"] = language
        response["Vary"] = "Accept-Language"
        response["Cache-Control"] = "public, max-age=60"
        return response


_RENDERED: dict[tuple[str, str], bytes] = {}


def banner_texts() -> dict:
    """What embed.js says around the declaration, in the active language."""
    return {
        "title": _("Cookies on iCentrex"),
        "intro": _("We use strictly necessary cookies to run the service."),
        "asks_for": _("With your permission we also use cookies for %(uses)s."),
        "set_by": _("%(category)s, set by %(providers)s"),
        "always_on": _("always on"),
        "accept_all": _("Accept all"),
        "reject_all": _("Reject all"),
        "save": _("Save my choices"),
        "not_saved": _("Your choice could not be saved. Please try again."),
        "region": _("Cookie choices"),
        "signal_honoured": _("Opt-out preference signal honoured"),
        "signal_explained": _(
            "Your browser asks sites not to sell or share your data, so this stays off unless you turn it "
            "on here."
        ),
        "blocked": _(
            "Blocked: content from %(host)s. It uses %(category)s cookies, which you have not agreed to."
        ),
        "blocked_label": _("Blocked content"),
        "allow": _("Allow %(category)s"),
    }


def _rendered(revision, language: str) -> bytes:
    """The body, rendered once per revision and language (a revision never changes; its hash names it)."""
    key = (revision.content_hash, language)
    body = _RENDERED.get(key)
    if body is None:
        if len(_RENDERED) > 32:
            _RENDERED.clear()
        with translation.override(language):
            texts = banner_texts()
        body = _RENDERED[key] = json.dumps(
            {
                "revision": revision.content_hash,
                "language": language,
                **localized(revision.content, language),
                "banner": texts,
            },
            ensure_ascii=False,
        ).encode()
    return body
