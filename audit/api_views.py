import base64

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import error_responses

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


def _checkpoint_of(stream: str, size: int | None, field: str):
    """The checkpoint a proof is for: the latest, or one of exactly ``size``
    (a proof against an unsigned size proves nothing)."""
    checkpoint = log_checkpoint(stream, size)
    if checkpoint is None and size is None:
        raise Http404
    if checkpoint is None:
        raise serializers.ValidationError({field: [f"The {stream} log has no checkpoint of size {size}."]})
    return checkpoint


class _PublicLogView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]


@extend_schema(tags=["transparency"])
class InclusionProofView(_PublicLogView):
    @extend_schema(
        parameters=[STREAM, InclusionQuerySerializer],
        responses={200: InclusionProofSerializer, **error_responses(400, 404)},
    )
    def get(self, request, stream: str):
        """Proof that an entry is in a signed checkpoint: its leaf hash, the audit path (RFC 9162)
        and the checkpoint. Ask by `record` (the id on a receipt) or by `leaf_index`; a record not
        yet in the log, or a log with no checkpoint yet, is a 404. Public: anyone may check."""
        source = _logged(stream)
        query = InclusionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        checkpoint = _checkpoint_of(stream, query.validated_data.get("tree_size"), "tree_size")
        record_hash = None
        if "record" in query.validated_data:
            try:
                record_id = source.model._meta.get_field(source.id_field).to_python(query.validated_data["record"])
            except DjangoValidationError:
                raise serializers.ValidationError({"record": ["Not a record id of this stream."]}) from None
            found = log_leaf_of_record(stream, source, record_id)
            if found is None:
                raise Http404
            leaf, record_hash = found
        else:
            leaf = log_leaf(stream, leaf_index=query.validated_data["leaf_index"])
            if leaf is None:
                raise Http404
        if leaf.leaf_index >= checkpoint.size:
            raise serializers.ValidationError({"tree_size": ["The entry came after this checkpoint."]})
        proof = log_inclusion_proof(stream, leaf_index=leaf.leaf_index, size=checkpoint.size)
        body = {
            "stream": stream,
            "origin": log_origin(stream),
            "leaf_index": leaf.leaf_index,
            "tree_size": checkpoint.size,
            "record_hash": record_hash,
            "leaf_hash": _b64(bytes(leaf.leaf_hash)),
            "proof": [_b64(node) for node in proof],
            "checkpoint": checkpoint.note,
        }
        return Response(InclusionProofSerializer(body).data)


@extend_schema(tags=["transparency"])
class ConsistencyProofView(_PublicLogView):
    @extend_schema(
        parameters=[STREAM, ConsistencyQuerySerializer],
        responses={200: ConsistencyProofSerializer, **error_responses(400, 404)},
    )
    def get(self, request, stream: str):
        """Proof that the log of `second` entries extends the log of its first `first` entries
        (RFC 9162): nothing before was changed, removed or reordered. Both sizes must be sizes of
        signed checkpoints (or `first` 0). What a witness asks before it cosigns. Public."""
        _logged(stream)
        query = ConsistencyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        first = query.validated_data["first"]
        second = _checkpoint_of(stream, query.validated_data.get("second"), "second")
        if first > second.size:
            raise serializers.ValidationError({"first": ["The earlier size is larger than the later one."]})
        if first:
            _checkpoint_of(stream, first, "first")
        proof = log_consistency_proof(stream, first=first, second=second.size)
        body = {
            "stream": stream,
            "origin": log_origin(stream),
            "first": first,
            "second": second.size,
            "proof": [_b64(node) for node in proof],
            "checkpoint": second.note,
        }
        return Response(ConsistencyProofSerializer(body).data)
