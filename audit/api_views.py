import base64

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import error_responses
from core.replicas import replica_reads

from .serializers import (
    ConsistencyProofSerializer,
    ConsistencyQuerySerializer,
    InclusionProofSerializer,
    InclusionQuerySerializer,
)
from .streams import UnknownStream, evidence_stream, logged_streams
from .transparency import (
    log_checkpoint,
    log_consistency_proof,
    log_inclusion_proof,
    log_leaf,
    log_leaf_of_record,
    log_origin,
    log_published_note,
)

STREAM = OpenApiParameter(
    "stream",
    str,
    OpenApiParameter.PATH,
    enum=[stream.name for stream in logged_streams()],
    description="The evidence stream.",
)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _logged(stream: str):
    try:
        source = evidence_stream(stream).log
    except UnknownStream:
        source = None
    if source is None:
        raise Http404
    return source


class NoSuchProof(NotFound):
    """A proof for a checkpoint we never signed, or of an entry it does not hold:
    nothing to prove (404), whatever is wrong with the numbers."""


def _tree_of(stream: str, size: int | None) -> tuple[int, str | None]:
    """The tree a proof is for: the latest checkpoint's, or any size up to it;
    with the published checkpoint of that size, None when none was signed at
    it (a proof for a root the asker already holds)."""
    latest = log_checkpoint(stream)
    if latest is None:
        raise NoSuchProof(f"The {stream} log has no checkpoint yet.")
    if size is None or size == latest.size:
        return latest.size, log_published_note(latest)
    if size > latest.size:
        raise NoSuchProof(f"The {stream} log has {latest.size} entries in its latest checkpoint, not {size}.")
    signed = log_checkpoint(stream, size)
    return size, None if signed is None else log_published_note(signed)


class _PublicLogView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    # Public proofs: a replica's log, a second behind, proves as well as the primary's.
    dispatch = replica_reads(APIView.dispatch)


def _inclusion(stream: str, leaf, record_hash: str | None, request) -> Response:
    query = InclusionQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    size, checkpoint = _tree_of(stream, query.validated_data.get("tree_size"))
    if leaf.leaf_index >= size:
        raise NoSuchProof("The entry came after this tree size: ask for a later one.")
    proof = log_inclusion_proof(stream, leaf_index=leaf.leaf_index, size=size)
    body = {
        "stream": stream,
        "origin": log_origin(stream),
        "leaf_index": leaf.leaf_index,
        "tree_size": size,
        "record_hash": record_hash,
        "leaf_hash": _b64(bytes(leaf.leaf_hash)),
        "proof": [_b64(node) for node in proof],
        "checkpoint": checkpoint,
    }
    return Response(InclusionProofSerializer(body).data)


LEAF_INDEX = OpenApiParameter(
    "leaf_index", int, OpenApiParameter.PATH, description="The entry's position in the log."
)
RECORD = OpenApiParameter(
    "record",
    str,
    OpenApiParameter.PATH,
    description="The record's id as its receipt shows it (a UUID, or an audit event's number).",
)


@extend_schema(tags=["transparency"])
class LeafInclusionProofView(_PublicLogView):
    @extend_schema(
        operation_id="transparency_leaf_inclusion",
        parameters=[STREAM, LEAF_INDEX, InclusionQuerySerializer],
        responses={200: InclusionProofSerializer, **error_responses(400, 404)},
    )
    def get(self, request, stream: str, leaf_index: int):
        """Proof that entry `leaf_index` is in a signed checkpoint (the latest, or the one of
        `tree_size`): its leaf hash, the audit path (RFC 9162) and the checkpoint. An entry the log
        does not hold, or a size no checkpoint has, is a 404. Public: anyone may check."""
        _logged(stream)
        leaf = log_leaf(stream, leaf_index=leaf_index)
        if leaf is None:
            raise NoSuchProof(f"The {stream} log has no entry {leaf_index}.")
        return _inclusion(stream, leaf, None, request)


@extend_schema(tags=["transparency"])
class RecordInclusionProofView(_PublicLogView):
    @extend_schema(
        operation_id="transparency_record_inclusion",
        parameters=[STREAM, RECORD, InclusionQuerySerializer],
        responses={200: InclusionProofSerializer, **error_responses(400, 404)},
    )
    def get(self, request, stream: str, record: str):
        """Proof that the record named on a receipt is in a signed checkpoint, with the record's
        hash. A record that is not in the log yet (seconds after it is written), or that does not
        exist, is a 404. Public: anyone may check."""
        source = _logged(stream)
        record_id = source.record_id(record)
        if record_id is None:
            raise NoSuchProof(f"No {stream} record {record!r}.")
        found = log_leaf_of_record(stream, source, record_id)
        if found is None:
            raise NoSuchProof(f"No {stream} record {record!r} in the log (yet).")
        leaf, record_hash = found
        return _inclusion(stream, leaf, record_hash, request)


@extend_schema(tags=["transparency"])
class ConsistencyProofView(_PublicLogView):
    @extend_schema(
        parameters=[STREAM, ConsistencyQuerySerializer],
        responses={200: ConsistencyProofSerializer, **error_responses(400, 404)},
    )
    def get(self, request, stream: str):
        """Proof that the log of `second` entries extends the log of its first `first` entries
        (RFC 9162): nothing before was changed, removed or reordered. Any two sizes up to the latest
        checkpoint's, `first` no larger than `second`; otherwise there is no such proof (404). With
        the signed checkpoint of `second`, or null when none was signed at that size. What a
        witness asks before it cosigns. Public."""
        _logged(stream)
        query = ConsistencyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        first = query.validated_data["first"]
        second, checkpoint = _tree_of(stream, query.validated_data.get("second"))
        if first > second:
            raise NoSuchProof("No proof that a tree extends a larger one: `first` is larger than `second`.")
        proof = log_consistency_proof(stream, first=first, second=second)
        body = {
            "stream": stream,
            "origin": log_origin(stream),
            "first": first,
            "second": second,
            "proof": [_b64(node) for node in proof],
            "checkpoint": checkpoint,
        }
        return Response(ConsistencyProofSerializer(body).data)
