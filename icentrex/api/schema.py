from drf_spectacular.utils import OpenApiResponse

from .exceptions import ErrorSerializer

_DESCRIPTIONS = {
    400: "Invalid input (malformed JSON, wrong types, unknown fields).",
    401: "No or invalid credentials.",
    403: "Not allowed (or a missing CSRF token with session auth).",
    404: "Not found, or not yours.",
    409: "Conflicts with the current state (e.g. the last owner, a name already taken).",
    413: "Request body too large.",
    415: "Unsupported media type: send application/json.",
    429: "Too many requests; retry later.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """The error shape for each status, for ``extend_schema(responses=...)``."""
    return {code: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[code]) for code in statuses}
