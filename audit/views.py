"""The public face of the transparency logs, in the plain-text formats the
tools of Certificate Transparency, Go's checksum database and Tessera read:
signed checkpoints (c2sp.org/tlog-checkpoint) and verifier keys."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.replicas import replica_reads
from subjects.services import subject_key_for_user

from .jws import receipt_jwks
from .streams import UnknownStream, evidence_stream, logged_streams
from .transparency import (
    CosignatureRejected,
    log_checkpoint,
    log_cosignature_add,
    log_evidence_receipt,
    log_origin,
    log_published_note,
    log_verifiers,
    log_witnesses,
)


def _text(body: str, *, cache: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)
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
@replica_reads
def checkpoint_latest(request, stream: str):
    """The latest signed checkpoint; a witness polls this."""
    checkpoint = log_checkpoint(_logged(stream))
    if checkpoint is None:
        raise Http404
    return _text(log_published_note(checkpoint), cache="no-cache")


@require_GET
@replica_reads
def checkpoint_at(request, stream: str, size: int):
    """The checkpoint of one size: its signed text never changes; witnesses'
    cosignatures are added as they come."""
    checkpoint = log_checkpoint(_logged(stream), size)
    if checkpoint is None:
        raise Http404
    return _text(log_published_note(checkpoint), cache="public, max-age=60")


MAX_COSIGNED_NOTE = 8192


@csrf_exempt  # no session or cookie is involved: the signature is the credential
@require_POST
def cosignature_add(request, stream: str):
    """A witness sends back a checkpoint it cosigned (its text and the
    cosignature lines); kept when the witness is one we list, then published
    with the checkpoint. 400 malformed, 403 unknown witness or bad signature,
    404 a checkpoint we never signed."""
    _logged(stream)
    body = request.body[: MAX_COSIGNED_NOTE + 1]
    if len(body) > MAX_COSIGNED_NOTE:
        return _text("The cosigned checkpoint is too long.\n", cache="no-store", status=413)
    try:
        kept = log_cosignature_add(stream, body.decode("utf-8"))
    except UnicodeDecodeError:
        return _text("The body is not UTF-8 text.\n", cache="no-store", status=400)
    except CosignatureRejected as rejected:
        return _text(f"{rejected}\n", cache="no-store", status=rejected.status)
    return _text(f"Kept {len(kept)} cosignature(s).\n", cache="no-store")


@require_GET
def verifier_keys(request):
    """The keys that sign our checkpoints, one per line, the current one first."""
    return _text("".join(f"{key}\n" for key in log_verifiers()), cache="public, max-age=300")


@require_GET
def jwks(request):
    """The keys that sign standard receipts (JWS), as a JWK set: the checkpoint keys."""
    response = JsonResponse(receipt_jwks())
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def well_known(request):
    """Where everything is, for a tool that knows only the site."""
    site = settings.SITE_URL.rstrip("/")
    return JsonResponse(
        {
            "keys": [str(key) for key in log_verifiers()],
            "keys_url": site + reverse("transparency_keys"),
            "jwks_url": site + reverse("jwks"),
            "witnesses": [str(key) for key in log_witnesses()],
            "logs": [
                {
                    "stream": stream.name,
                    "origin": log_origin(stream.name),
                    "checkpoint": site + reverse("transparency_checkpoint", args=[stream.name]),
                    # {leaf_index} / {record}: an entry's position, or a record's id as its receipt shows it.
                    "leaf_inclusion_proof": site
                    + reverse("api-transparency-leaf-inclusion", args=[stream.name, 0]).replace(
                        "/0/", "/{leaf_index}/"
                    ),
                    "record_inclusion_proof": site
                    + reverse("api-transparency-record-inclusion", args=[stream.name, "R"]).replace(
                        "/R/", "/{record}/"
                    ),
                    "consistency_proof": site + reverse("api-transparency-consistency", args=[stream.name]),
                    "cosignatures": site + reverse("transparency_cosignatures", args=[stream.name]),
                }
                for stream in logged_streams()
            ],
        },
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=300"},
    )


@require_GET
def verifier_script(request):
    """The standalone receipt verifier (bin/icentrex-verify.py), to download and read."""
    response = _text(
        (settings.BASE_DIR / "bin" / "icentrex-verify.py").read_text(), cache="public, max-age=300"
    )
    response["Content-Type"] = "text/x-python; charset=utf-8"
    response["Content-Disposition"] = 'attachment; filename="icentrex-verify.py"'
    return response


@require_GET
@login_required
@replica_reads
def evidence_receipt(request, stream: str, record: str):
    """A receipt, with its proof, for one row of an evidence stream about the
    signed-in person (a sharing event, a disclosure, a policy notice, an audit
    event): JSON to keep and to check with bin/icentrex-verify.py. Anyone
    else's row answers like a missing one."""
    source = evidence_stream(_logged(stream)).log
    record_id = source.record_id(record)
    if record_id is None:
        raise Http404
    row = source.model.objects.filter(
        **{source.id_field: record_id, source.owner_field: subject_key_for_user(user=request.user)}
    ).first()
    if row is None:
        raise Http404
    response = JsonResponse(log_evidence_receipt(stream, source, row), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{stream}-receipt-{record}.json"'
    response["Cache-Control"] = "private, no-store"
    return response
