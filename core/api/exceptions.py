"""Every API error has one shape: {"code": ..., "detail": ..., "fields": {...}}."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import RuleViolation

from .parsers import PayloadTooLarge


class ErrorSerializer(serializers.Serializer):
    """Documents the error shape in the OpenAPI schema."""

    code = serializers.CharField(help_text="Stable machine-readable error code.")
    detail = serializers.CharField(help_text="Human-readable explanation.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages for invalid input (empty otherwise).",
    )


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Field errors by path: nested objects and lists (``choices`` of a decision,
    the items of ``unmask``) give "choices.analytics" and "unmask.0.start"."""
    if not isinstance(detail, dict):
        return {prefix or "non_field_errors": [str(m) for m in _as_list(detail)]}
    flat: dict[str, list[str]] = {}
    for key, value in detail.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, path))
        elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
            # A list serializer's errors: one entry per item, empty for valid ones.
            for index, item in enumerate(value):
                if item:
                    flat.update(_flatten({index: item}, path))
        else:
            flat[path] = [str(m) for m in _as_list(value)]
    return flat


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": str(detail), "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        return Response(error_body(exc.code, exc.message), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: handler500 answers without details

    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("The request has invalid fields."), _flatten(exc.detail))
    else:
        codes = exc.get_codes()
        body = error_body(codes if isinstance(codes, str) else exc.default_code, exc.detail)
    return Response(body, status=response.status_code, headers=dict(response.items()))
