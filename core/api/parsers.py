import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

# Deeper than any body this API takes (a decision's choices sit at depth 2); far
# below the interpreter's recursion limit, so neither the decoder nor anything that
# walks the result later (validation, error messages) can run out of stack.
MAX_JSON_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    # Lives here, not in .exceptions: DRF imports the parser classes while
    # rest_framework.views (which .exceptions needs) is still loading.
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def _refuse_constant(name):
    raise ValueError(f"{name} is not a JSON number")


def _unstorable(text: str) -> bool:
    """A NUL (PostgreSQL text and jsonb refuse it) or an unpaired surrogate from a
    \\ud800-style escape (not Unicode: it cannot be encoded, stored or rendered)."""
    if "\x00" in text:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_parsed(data) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and strings that cannot be stored,
    without recursion (the value may be as deep as the decoder allowed)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_JSON_DEPTH:
                raise exceptions.ParseError(_("The JSON is nested too deeply."))
            for key, item in value.items():
                if _unstorable(key):
                    raise exceptions.ParseError(_("The JSON holds a NUL character or an unpaired surrogate."))
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > MAX_JSON_DEPTH:
                raise exceptions.ParseError(_("The JSON is nested too deeply."))
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and _unstorable(value):
            raise exceptions.ParseError(_("The JSON holds a NUL character or an unpaired surrogate."))


def parse_json(body: bytes, encoding: str = "utf-8"):
    """The one way this project turns a request body into JSON values: the API's
    parser and any view that reads a body by hand use it. Malformed, non-UTF-8,
    NaN/Infinity, too deeply nested or unstorable input is a ParseError (400)."""
    try:
        data = json.loads(body.decode(encoding), parse_constant=_refuse_constant)
    except RecursionError:
        raise exceptions.ParseError(_("The JSON is nested too deeply.")) from None
    except (ValueError, LookupError) as exc:  # LookupError: an unknown charset
        raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
    _check_parsed(data)
    return data


class BoundedJSONParser(JSONParser):
    """JSON parsing with the same size cap as form posts.

    DRF reads the raw stream, which bypasses DATA_UPLOAD_MAX_MEMORY_SIZE; read at
    most one byte over the limit so an oversized (or chunked) body is refused
    before it is held in memory. The body is then parsed by ``parse_json``."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        parser_context = parser_context or {}
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if limit is not None and declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge()
        body = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(body) > limit:
            raise PayloadTooLarge()
        return parse_json(body, parser_context.get("encoding", settings.DEFAULT_CHARSET))
