from django.core.exceptions import FieldDoesNotExist
from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance, is_patched_serializer
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .exceptions import ErrorSerializer
from .serializers import StrictSerializer

_DESCRIPTIONS = {
    400: "Invalid input (malformed JSON, wrong types, unknown fields, a page number out of range).",
    401: "No or invalid credentials.",
    403: "Not allowed (or a missing CSRF token with session auth).",
    404: "Not found, or not yours.",
    409: "Conflicts with the current state (e.g. the last owner, a name already taken).",
    413: "Request body too large.",
    415: "Unsupported media type: send application/json.",
    429: "Too many requests; retry later.",
}


_PAGING = {"page", "page_size"}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error shape for each status, for ``extend_schema(responses=...)``."""
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in statuses}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, saying everything the server enforces: a strict
    body refuses unknown properties (``additionalProperties: false``) and a PATCH
    body needs at least one (``minProperties: 1``); a list or object that may not
    be empty says so (``minItems``/``minProperties``)."""

    def _get_response_bodies(self, direction="response"):
        # Errors the API machinery gives on any such operation, whatever the view
        # declares: a bad token or a missing CSRF token wherever credentials are
        # read, a page number out of range on every paginated list, a malformed,
        # oversized or non-JSON body wherever a body is read.
        responses = super()._get_response_bodies(direction)
        codes = set()
        if self.view.authentication_classes:
            codes |= {401, 403}
        if self.method == "GET" and self._is_list_view() and self._get_paginator() is not None:
            codes.add(400)
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            codes |= {400, 413, 415}
        for code in sorted(codes):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]),
                    str(code),
                    direction=direction,
                )
        return dict(sorted(responses.items()))

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body is not None and self.method == "PATCH":
            body["required"] = True  # at least one field (minProperties), so a body
        return body

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            # Query filters read an empty value (?until=) as no filter, as a form does.
            if (
                parameter["in"] == "query"
                and not parameter.get("required")
                and parameter["name"] not in _PAGING
            ):
                parameter["allowEmptyValue"] = True
        return operation

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(force_instance(serializer), StrictSerializer):
            schema["additionalProperties"] = False
            if is_patched_serializer(force_instance(serializer), direction):
                schema["minProperties"] = 1
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if (
            isinstance(field, (serializers.ChoiceField, serializers.CharField))
            and field.read_only
            and _blank_model_field(field)
        ):
            # DRF drops allow_blank from read-only model fields, but "" is what such a
            # field holds when unset (Provider.service of an integration, the
            # webhook_url of a service provider): say so, beside its enum or format.
            field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "request" and getattr(field, "allow_empty", True) is False:
            if schema.get("type") == "array":
                schema["minItems"] = max(schema.get("minItems", 0), 1)
            elif schema.get("type") == "object":
                schema["minProperties"] = max(schema.get("minProperties", 0), 1)
        return schema


def _blank_model_field(field) -> bool:
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not isinstance(field.source, str) or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False
