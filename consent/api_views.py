import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cookies.services import tracker_report_record
from core.api.exceptions import error_body
from core.api.parsers import PayloadTooLarge, parse_json
from core.api.renderers import JSONRenderer
from core.api.schema import error_responses
from core.errors import Forbidden, RuleViolation, TooManyRequests
from core.net import client_ip, truncate_ip
from core.ratelimit import rate_limit_consume
from core.replicas import replica_reads
from subjects.services import subject_key_for_user

from . import selectors, services
from .context import request_signals
from .cookie import read_consent_cookie, sign_visitor_token, visitor_key_from_token, write_consent_cookie
from .kantara import kantara_receipt, signed_kantara_receipt
from .models import ConsentRecord
from .serializers import (
    ConsentDecisionSerializer,
    ConsentHistoryItemSerializer,
    ConsentReceiptSerializer,
    ConsentRecordedSerializer,
    ConsentStateSerializer,
    KantaraReceiptSerializer,
    TrackerReportedSerializer,
    TrackerReportSerializer,
    plain_decision,
)


def check_origin(request) -> None:
    """Decisions come from our own pages or from the configured iCentrex
    properties; anything else is refused before anything is written."""
    origin = request.META.get("HTTP_ORIGIN")
    if not origin:
        return
    own = f"{request.scheme}://{request.get_host()}"
    if origin != own and origin not in settings.CORS_ALLOWED_ORIGINS:
        raise Forbidden("This site may not record consent here.", code="origin_not_allowed")


def deciding_subject(request, visitor_token: str | None) -> tuple[uuid.UUID, str, uuid.UUID, bool]:
    """(subject key, subject type, device visitor key, whether the subject is new) for a decision."""
    cookie = read_consent_cookie(request)
    new_visitor = False
    if visitor_token:
        visitor = visitor_key_from_token(visitor_token)
        if visitor is None:
            raise RuleViolation("The visitor token is not valid.", code="invalid_visitor")
    elif cookie:
        visitor = cookie["visitor"]
    else:
        visitor, new_visitor = uuid.uuid4(), True
    if request.user.is_authenticated:
        return subject_key_for_user(user=request.user), ConsentRecord.SubjectType.ACCOUNT, visitor, False
    return visitor, ConsentRecord.SubjectType.VISITOR, visitor, new_visitor


def record_decision(request, data: dict) -> tuple[dict, ConsentRecord, uuid.UUID]:
    """Record a validated decision (after ``check_origin``): the receipt to answer
    with, the record and the device's visitor id."""
    subject_key, subject_type, visitor, new_subject = deciding_subject(request, data.get("visitor"))
    signals = request_signals(request)
    if signals["gpc"] is None and (data.get("gpc") or data["method"] == ConsentRecord.Method.GPC):
        # Our scripts read navigator.globalPrivacyControl, which may be on without the header.
        signals["gpc"] = True
    record = services.consent_record(
        subject_key=subject_key,
        subject_type=subject_type,
        method=data["method"],
        revision_hash=data["revision"],
        choices=data.get("choices"),
        signals=signals,
        page_url=data.get("page_url", ""),
        language=data.get("language") or getattr(request, "LANGUAGE_CODE", ""),
        new_subject=new_subject,
    )
    # Built directly (the documented shape is ConsentRecordedSerializer): this is the hottest write.
    return (
        {**selectors.receipt_of(record, just_written=True), "visitor": sign_visitor_token(visitor)},
        record,
        visitor,
    )


_JSON_ACCEPTING = frozenset({"*/*", "application/*", "application/json"})


def _accepts_json(accept: str | None) -> bool:
    """Whether DRF's content negotiation would surely pick JSON for this Accept header."""
    return accept is None or (
        len(accept) < 1000
        and any(part.split(";", 1)[0].strip().lower() in _JSON_ACCEPTING for part in accept.split(","))
    )


def plain_anonymous_decision(request) -> dict | None:
    """The decision in a plain request from someone not signed in: no credentials,
    no query string, JSON accepted, a UTF-8 JSON body within the size limit,
    holding a plainly well-formed decision. None for anything else."""
    meta = request.META
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    length = meta.get("CONTENT_LENGTH") or ""
    if (
        request.content_type != "application/json"
        or request.encoding not in (None, "utf-8", "UTF-8")
        or not length.isdigit()
        or (limit is not None and int(length) > limit)
        or meta.get("QUERY_STRING")
        or not _accepts_json(meta.get("HTTP_ACCEPT"))
        or "HTTP_AUTHORIZATION" in meta
        or request.user.is_authenticated
    ):
        return None
    try:
        # The API parser's own checks (depth, unstorable text): this path must not
        # take anything DRF's path would refuse.
        return plain_decision(parse_json(request.body))
    except ParseError:  # DRF's path parses it again and answers the error
        return None


def _json(body: dict, status_code: int) -> HttpResponse:
    # The same bytes DRF's JSONRenderer gives the rest of the API.
    return HttpResponse(JSONRenderer().render(body), status=status_code, content_type="application/json")


@extend_schema(tags=["consent"])
class ConsentView(APIView):
    """Cookie consent for this device or the signed-in person."""

    permission_classes = [AllowAny]

    def dispatch(self, request, *args, **kwargs):
        # The hottest endpoint (issue 4): a plain decision from someone not signed in
        # is recorded without DRF's request cycle (negotiation, parsers, a serializer
        # per request). Everything else takes DRF's path and its errors: signed-in
        # people (a session needs DRF's CSRF check), tokens, other content types or
        # Accept headers, query strings (?format=), malformed, oversized or invalid
        # bodies. Whatever DRF would add to this view (throttles, say) must be added
        # to the short path too.
        if request.method == "POST" and (decision := plain_anonymous_decision(request)) is not None:
            try:
                check_origin(request)
                body, record, visitor = record_decision(request, decision)
            except RuleViolation as error:  # as core.api.exceptions answers it
                return _json(error_body(error.code, error.message), error.status_code)
            response = _json(body, status.HTTP_201_CREATED)
            write_consent_cookie(
                response,
                visitor_key=visitor,
                revision_hash=record.revision_hash,
                choices=record.choices,
                gpc=record.gpc,
            )
            return response
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(responses={200: ConsentStateSerializer})
    def get(self, request):
        """The choices in force, and whether they still cover the declaration in force."""
        return Response(ConsentStateSerializer(selectors.consent_state_for_request(request)).data)

    @extend_schema(
        request=ConsentDecisionSerializer,
        responses={201: ConsentRecordedSerializer, **error_responses(400, 403, 409, 413, 415)},
    )
    def post(self, request):
        """Record a decision made on the declaration revision in force. Public: from our pages
        or an allowed iCentrex property (CORS). Returns the receipt; strictly necessary
        cookies cannot be refused; a stale revision is a 409 (show the new one and ask again)."""
        check_origin(request)
        serializer = ConsentDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        body, record, visitor = record_decision(request, serializer.validated_data)
        response = Response(body, status=status.HTTP_201_CREATED)
        write_consent_cookie(
            response,
            visitor_key=visitor,
            revision_hash=record.revision_hash,
            choices=record.choices,
            gpc=record.gpc,
        )
        return response


@extend_schema(tags=["consent"])
class ConsentHistoryView(generics.ListAPIView):
    """Every consent decision of yours, on every device linked to your account, newest first."""

    serializer_class = ConsentHistoryItemSerializer

    @replica_reads
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.consent_history_for_user(user=self.request.user)


@extend_schema(tags=["consent"])
class ConsentKantaraReceiptView(APIView):
    @extend_schema(responses={200: KantaraReceiptSerializer, **error_responses(401, 403, 404)})
    @replica_reads
    def get(self, request, record_id):
        """One of your consent records as a Kantara Consent Receipt v1.1, and the same signed as
        a compact JWS (EdDSA, the key at /.well-known/jwks.json)."""
        record = selectors.access_receipt(user=request.user, record_id=record_id)
        return Response({"receipt": kantara_receipt(record), "jws": signed_kantara_receipt(record)})


@extend_schema(tags=["consent"])
class ConsentReceiptView(APIView):
    @extend_schema(responses={200: ConsentReceiptSerializer, **error_responses(401, 403, 404)})
    @replica_reads
    def get(self, request, record_id):
        """The receipt of one of your consent records: every field and its hash."""
        record = selectors.access_receipt(user=request.user, record_id=record_id)
        return Response(ConsentReceiptSerializer(selectors.receipt_of(record)).data)


TRACKER_REPORT_MAX_BYTES = 8192


@extend_schema(tags=["consent"])
class TrackerReportView(APIView):
    """Undeclared-tracker discovery: what a page holds that the cookie declaration does not list."""

    permission_classes = [AllowAny]
    authentication_classes = []  # public, like a decision from an embed; no session, so no CSRF

    @extend_schema(
        request=TrackerReportSerializer,
        responses={202: TrackerReportedSerializer, **error_responses(400, 403, 413, 415, 429)},
    )
    def post(self, request):
        """Report the cookie and localStorage names and third-party hosts a page holds
        (names only: values are refused by shape). From our pages or an allowed iCentrex
        property; a few reports per device and origin an hour; anything else writes nothing."""
        if len(request.body) > TRACKER_REPORT_MAX_BYTES:
            raise PayloadTooLarge()
        check_origin(request)
        serializer = TrackerReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        own = f"{request.scheme}://{request.get_host()}"
        origin = request.META.get("HTTP_ORIGIN") or own
        device = _reporting_device(request, data.get("visitor"))
        if not rate_limit_consume(
            action="tracker-report", key=f"{device}|{origin}", rate=settings.CONSENT_TRACKER_REPORT_RATE
        ):
            raise TooManyRequests()
        first_party = {urlsplit(url).hostname for url in (own, origin, *settings.CORS_ALLOWED_ORIGINS)}
        counted = tracker_report_record(
            origin=origin,
            page_url=data["page_url"],
            cookies=data["cookies"],
            storage=data["storage"],
            hosts=data["hosts"],
            first_party_hosts={host for host in first_party if host},
        )
        return Response({"undeclared": counted["undeclared"]}, status=status.HTTP_202_ACCEPTED)


def _reporting_device(request, visitor_token: str | None) -> str:
    """The device, for the rate limit: its visitor id where it has one, else its network."""
    visitor = visitor_key_from_token(visitor_token) if visitor_token else None
    cookie = read_consent_cookie(request)
    if visitor is None and cookie:
        visitor = cookie["visitor"]
    return str(visitor) if visitor else truncate_ip(client_ip(request))
