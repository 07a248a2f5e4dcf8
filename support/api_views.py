"""Support cases over the API: a person opens and reads their own cases; support
staff read every case, internal notes included."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from accounts.selectors import is_support_staff
from icentrex.api.schema import error_responses
from icentrex.api.serializers import StrictSerializer
from organizations.models import Organization

from . import selectors, services
from .models import CaseMessage, SupportCase


class CaseMessageSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField(help_text="Who wrote it (staff show as their name).")

    class Meta:
        model = CaseMessage
        fields = ["kind", "author_name", "body", "created_at"]
        read_only_fields = fields

    def get_author_name(self, message) -> str:
        return message.author.get_full_name() if message.author else ""


class CaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    reporter = serializers.EmailField(source="reporter.email", read_only=True)

    class Meta:
        model = SupportCase
        fields = ["id", "subject", "body", "status", "organization", "reporter", "created_at", "updated_at"]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    messages = CaseMessageSerializer(
        many=True,
        read_only=True,
        source="thread",
        help_text="The conversation after the opening message, oldest first. Internal notes "
        "(kind internal_note) are listed for support staff only.",
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "messages"]
        read_only_fields = fields


class CaseOpenSerializer(StrictSerializer):
    subject = serializers.CharField(max_length=SupportCase.SUBJECT_MAX)
    body = serializers.CharField(
        max_length=SupportCase.BODY_MAX, help_text="What you need help with (at most 20,000 characters)."
    )
    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Optional: the short name of an organisation you belong to that the case is about.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Another organisation's short name is refused exactly like one that does not exist.
        if user is not None:
            self.fields["organization"].queryset = selectors.case_organizations_for(user=user)


_STATUS_FILTER = OpenApiParameter(
    "status",
    str,
    enum=[*SupportCase.Status.values, "all"],
    description="Only cases with this status (default: every case).",
)


@extend_schema(tags=["support"])
class CaseListCreateView(generics.ListAPIView):
    serializer_class = CaseSerializer

    def get_queryset(self):
        status_filter = self.request.query_params.get("status", "all")
        if status_filter not in [*SupportCase.Status.values, "all"]:
            raise serializers.ValidationError({"status": [_("Unknown status.")]})
        if is_support_staff(self.request.user):
            return selectors.staff_cases(actor=self.request.user, status=status_filter)
        return selectors.cases_for_reporter(user=self.request.user, status=status_filter)

    @extend_schema(
        parameters=[_STATUS_FILTER],
        responses={200: CaseSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request, *args, **kwargs):
        """Your support cases, most recently updated first. Support staff see every case."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=CaseOpenSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 401, 403, 413)},
    )
    def post(self, request):
        """Open a support case. Unknown fields, an empty or oversized body and an
        organisation you do not belong to are refused, and nothing is stored."""
        serializer = CaseOpenSerializer(data=request.data, user=request.user)
        serializer.is_valid(raise_exception=True)
        case = services.case_open(actor=request.user, request=request, **serializer.validated_data)
        case.thread = []
        return Response(CaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["support"])
class CaseDetailView(generics.GenericAPIView):
    serializer_class = CaseDetailSerializer

    @extend_schema(responses={200: CaseDetailSerializer, **error_responses(401, 403, 404)})
    def get(self, request, case_id):
        """One case with its conversation. Another person's case answers 404 (support
        staff can read every case, with its internal notes)."""
        if is_support_staff(request.user):
            case = selectors.access_case_by_public_id(public_id=case_id)
            case.thread = list(selectors.case_messages_for_staff(case=case))
        else:
            case = selectors.access_case_for_reporter(user=request.user, public_id=case_id)
            case.thread = list(selectors.case_messages_for_reporter(case=case))
        return Response(CaseDetailSerializer(case).data)
