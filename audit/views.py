"""The public face of the transparency logs, in the plain-text formats the
tools of Certificate Transparency, Go's checksum database and Tessera read:
signed checkpoints (c2sp.org/tlog-checkpoint) and verifier keys."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .streams import UnknownStream, evidence_stream, logged_streams
from .transparency import log_checkpoint, log_origin, log_verifiers


def _text(body: str, *, cache: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = cache
    response["Access-Control-Allow-Origin"] = "*"  # anyone's tools may read them
    return response


def _logged(stream: str) -> str:
    try:
        if evidence_stream(stream).log is not None:
            return stream
    except UnknownStream:
        pass
    raise Http404


@require_GET
def checkpoint_latest(request, stream: str):
    """The latest signed checkpoint; a witness polls this."""
    checkpoint = log_checkpoint(_logged(stream))
    if checkpoint is None:
        raise Http404
    return _text(checkpoint.note, cache="no-cache")


@require_GET
def checkpoint_at(request, stream: str, size: int):
    """The checkpoint of one size: it never changes once signed."""
    checkpoint = log_checkpoint(_logged(stream), size)
    if checkpoint is None:
        raise Http404
    return _text(checkpoint.note, cache="public, max-age=31536000, immutable")


@require_GET
def verifier_keys(request):
    """The keys that sign our checkpoints, one per line, the current one first."""
    return _text("".join(f"{key}\n" for key in log_verifiers()), cache="public, max-age=300")


@require_GET
def well_known(request):
    """Where everything is, for a tool that knows only the site."""
    site = settings.SITE_URL.rstrip("/")
    return JsonResponse(
        {
            "keys": [str(key) for key in log_verifiers()],
            "keys_url": site + reverse("transparency_keys"),
            "logs": [
                {
                    "stream": stream.name,
                    "origin": log_origin(stream.name),
                    "checkpoint": site + reverse("transparency_checkpoint", args=[stream.name]),
                    "inclusion_proof": site + reverse("api-transparency-inclusion", args=[stream.name]),
                    "consistency_proof": site + reverse("api-transparency-consistency", args=[stream.name]),
                }
                for stream in logged_streams()
            ],
        },
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"},
    )
