"""Staff console: the data-subject request queue and log, each request's page
(identity check, extension, answer), logging a request that arrived by letter
or phone, classifying a privacy question or support case as a request, and the
yearly figures."""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access_log import Screen, staff_opened
from accounts.models import User
from accounts.staff_roles import StaffPermission, staff_permission_required
from core.csv_export import csv_download, csv_time
from core.errors import Conflict, RuleViolation
from core.forms import Form
from core.params import positive_id
from core.replicas import replica_reads

from . import deadlines, selectors, services
from .models import EvidencePack, SubjectRequest

Kind, Source, Outcome = SubjectRequest.Kind, SubjectRequest.Source, SubjectRequest.Outcome


class ClassifyForm(Form):
    kind = forms.ChoiceField(label=_("Type of request"), choices=Kind.choices)
    late_reason = forms.CharField(
        label=_("Why it is logged late"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when its due date has already passed."),
    )


class LogRequestForm(ClassifyForm):
    """A request that came by letter or phone: the classification, plus when
    it arrived and where to answer."""

    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the request reached us: the one-month deadline counts from it."),
    )
    email = forms.EmailField(
        label=_("The person's email address"),
        help_text=_("Where we answer. If it belongs to an account, the request shows in its privacy centre."),
    )

    field_order = ["kind", "received_on", "email", "late_reason"]


class IdentityForm(Form):
    identity = forms.ChoiceField(label=_("Identity check"), choices=SubjectRequest.Identity.choices)


class ExtendForm(Form):
    months = forms.TypedChoiceField(
        label=_("Extend by"),
        coerce=int,
        choices=[(1, _("one month")), (2, _("two months"))],
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the person with the new due date."),
    )


class CloseForm(Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[(v, label) for v, label in Outcome.choices if v != Outcome.OPEN]
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the request was denied or complied with in part: the reasons."),
    )


_LOG_CSV_COLUMNS = [
    "reference",
    "kind",
    "source",
    "received_at",
    "due_on",
    "extension_months",
    "identity",
    "outcome",
    "closed_at",
    "days_to_respond",
]


def _log_csv(requests, view: str):
    requests = requests.filter(received_at__gte=selectors.subject_request_log_since())
    return csv_download(
        header=_LOG_CSV_COLUMNS,
        rows=(
            [
                str(r.public_id),
                r.kind,
                r.source,
                csv_time(r.received_at),
                r.due_on.isoformat(),
                r.extension_months,
                r.identity,
                r.outcome,
                csv_time(r.closed_at),
                "" if r.days_to_respond is None else r.days_to_respond,
            ]
            for r in requests.iterator(chunk_size=2000)
        ),
        filename=f"subject-requests-{view}-{timezone.localdate().isoformat()}.csv",
    )


@require_GET
@staff_permission_required(StaffPermission.SUBJECT_REQUESTS_MANAGE)
def subject_requests(request):
    view = request.GET.get("view") if request.GET.get("view") in selectors.QUEUE_VIEWS else "open"
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else ""
    today = timezone.localdate()
    queue = selectors.subject_request_queue(view=view, kind=kind, today=today)
    if request.GET.get("format") == "csv":
        return _log_csv(queue, view)
    page = selectors.subject_request_queue_page(
        view=view,
        kind=kind,
        today=today,
        after=positive_id(request.GET.get("after")),
        before=positive_id(request.GET.get("before")),
    )
    filters = {"view": view} | ({"kind": kind} if kind else {})
    views = [
        ("open", _("Open")),
        ("overdue", _("Overdue")),
        ("due_week", _("Due this week")),
        ("closed", _("Answered")),
        ("all", _("All")),
    ]
    return render(
        request,
        "staff/subject_requests.html",
        {
            "page": page,
            # Open requests are few: count them. Counting the whole 24-month log
            # on every page would cost more than the page itself.
            "total": queue.count() if view not in ("closed", "all") else None,
            "first_query": urlencode(filters),
            "next_query": urlencode(filters | {"after": page.next_cursor}) if page.next_cursor else "",
            "previous_query": urlencode(filters | {"before": page.previous_cursor})
            if page.previous_cursor
            else "",
            "view": view,
            "views": views,
            "kind": kind,
            "kinds": Kind.choices,
            "counts": selectors.subject_request_counts(today=today),
            "today": today,
            "soon": today + timedelta(days=selectors.DUE_SOON_DAYS),
            "log_months": settings.SUBJECT_REQUEST_LOG_MONTHS,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.SUBJECT_REQUESTS_MANAGE)
def subject_request_new(request):
    """A request that came by letter, phone or plain email."""
    form = LogRequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received_at = datetime.combine(data["received_on"], time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
        if data["received_on"] == timezone.localdate():
            received_at = timezone.now()
        try:
            logged = services.subject_request_open(
                kind=data["kind"],
                source=Source.OTHER,
                received_at=received_at,
                user=User.objects.filter(email__iexact=data["email"], is_active=True).first(),
                contact_email=data["email"],
                late_reason=data["late_reason"],
                actor=request.user,
                request=request,
            )
        except RuleViolation as refused:
            form.add_error("late_reason" if refused.code == "due_in_past" else "received_on", refused.message)
        else:
            messages.success(
                request,
                _("The request is logged. It is due on %(date)s.")
                % {"date": date_format(logged.due_on, "DATE_FORMAT")},
            )
            return redirect("staff_subject_request", logged.public_id)
    return render(
        request, "staff/subject_request_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _request_page(request, subject_request, *, status=200, **forms_given):
    today = timezone.localdate()
    first_month_ends = deadlines.due_on(subject_request.received_at)
    context = {
        "subject_request": subject_request,
        "today": today,
        "first_month_ends": first_month_ends,
        "can_extend": subject_request.is_open
        and not subject_request.extension_months
        and today <= first_month_ends,
        "source_url": _source_url(subject_request),
        "identity_form": forms_given.get("identity_form")
        or IdentityForm(initial={"identity": subject_request.identity}),
        "extend_form": forms_given.get("extend_form") or ExtendForm(),
        "close_form": forms_given.get("close_form") or CloseForm(),
    }
    return render(request, "staff/subject_request.html", context, status=status)


def _source_url(subject_request) -> str:
    source, _sep, ref = subject_request.source_ref.partition(":")
    if not ref.isdigit():
        return ""
    if source == Source.PRIVACY_QUESTION:
        return reverse("staff_privacy_question", args=[int(ref)])
    if source == Source.SUPPORT_CASE:
        return reverse("staff_case", args=[int(ref)])
    return ""


@require_GET
@staff_permission_required(StaffPermission.SUBJECT_REQUESTS_MANAGE)
def subject_request(request, public_id):
    subject_request = selectors.access_subject_request(public_id=public_id)
    staff_opened(
        staff=request.user,
        person=subject_request.user,
        screen=Screen.SUBJECT_REQUEST,
        target=subject_request,
        request=request,
    )
    return _request_page(request, subject_request)


def _act(request, public_id, form_class, form_name, act, done):
    """Post one of the request page's forms: invalid input or a refused action
    shows the page again with the error (400 or 409) and changes nothing."""
    subject_request = selectors.access_subject_request(public_id=public_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(subject_request, form.cleaned_data)
        except (RuleViolation, Conflict) as refused:
            form.add_error(None, refused.message)
            status = 409 if isinstance(refused, Conflict) else 400
            return _request_page(request, subject_request, status=status, **{form_name: form})
        messages.success(request, done)
        return redirect("staff_subject_request", subject_request.public_id)
    return _request_page(request, subject_request, status=400, **{form_name: form})


@require_POST
@staff_permission_required(StaffPermission.SUBJECT_REQUESTS_MANAGE)
def subject_request_identity(request, public_id):
    return _act(
        request,
        public_id,
        IdentityForm,
        "identity_form",
        lambda r, data: services.subject_request_set_identity(
            actor=request.user, subject_request=r, identity=data["identity"], request=request
        ),
        _("The identity check is recorded."),
    )


@require_POST
@staff_permission_required(StaffPermission.SUBJECT_REQUESTS_MANAGE)
def subject_request_extend(request, public_id):
    return _act(
        request,
        public_id,
        ExtendForm,
        "extend_form",
        lambda r, data: services.subject_request_extend(
            actor=request.user,
            subject_request=r,
            months=data["months"],
            reason=data["reason"],
            request=request,
        ),
        _("The deadline is extended; the person is being told why."),
    )


@require_POST
@staff_permission_required(StaffPermission.SUBJECT_REQUESTS_MANAGE)
def subject_request_close(request, public_id):
    return _act(
        request,
        public_id,
        CloseForm,
        "close_form",
        lambda r, data: services.subject_request_close(
            actor=request.user, subject_request=r, outcome=data["outcome"], note=data["note"], request=request
        ),
        _("The request is answered and its outcome recorded."),
    )


@require_POST
@staff_permission_required(StaffPermission.SUBJECT_REQUESTS_CLASSIFY)
def subject_request_classify(request, source, ref_id):
    """From a privacy question's or support case's page: log it as a request of a type."""
    if source not in (Source.PRIVACY_QUESTION, Source.SUPPORT_CASE):
        source = ""
    form = ClassifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the type of request."))
    else:
        try:
            logged = services.subject_request_classify(
                actor=request.user,
                source=source,
                ref_id=ref_id,
                kind=form.cleaned_data["kind"],
                late_reason=form.cleaned_data["late_reason"],
                request=request,
            )
        except (RuleViolation, Conflict) as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("Logged as a request (%(kind)s), due on %(date)s.")
                % {
                    "kind": logged.get_kind_display().lower(),
                    "date": date_format(logged.due_on, "DATE_FORMAT"),
                },
            )
    if source == Source.SUPPORT_CASE:
        return redirect("staff_case", ref_id)
    return redirect("staff_privacy_question", ref_id)


@require_GET
@staff_permission_required(StaffPermission.SUBJECT_REQUESTS_MANAGE)
@replica_reads
def subject_request_figures(request):
    years = selectors.subject_request_years()
    try:
        year = int(request.GET.get("year") or years[0])
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]
    figures = selectors.subject_request_figures(year=year)
    if request.GET.get("format") == "csv":
        columns = ["received", "complied", "complied_in_part", "denied", "withdrawn", "open"]
        return csv_download(
            header=["year", "kind", *columns, "median_days", "p95_days"],
            rows=(
                [
                    year,
                    row["kind"],
                    *(row[c] for c in columns),
                    _days(row["median_days"]),
                    _days(row["p95_days"]),
                ]
                for row in [*figures["rows"], {**figures["total"], "kind": "all"}]
            ),
            filename=f"subject-request-figures-{year}.csv",
        )
    return render(
        request,
        "staff/subject_request_figures.html",
        {
            "figures": figures,
            "years": years,
            "year": year,
            "chart": _chart(figures["rows"]),
            "chart_height": 12 + 28 * len(figures["rows"]),
        },
    )


def _days(value) -> str:
    return "" if value is None else f"{value:.1f}"


def _chart(rows) -> list[dict]:
    """Horizontal bars per type: complied, in part, denied, withdrawn, open."""
    peak = max((row["received"] for row in rows), default=0) or 1
    chart = []
    for index, row in enumerate(rows):
        x, segments = 150.0, []
        for key in ("complied", "complied_in_part", "denied", "withdrawn", "open"):
            width = 270 * row[key] / peak
            segments.append({"key": key, "x": x, "width": width, "value": row[key]})
            x += width
        chart.append(
            {
                "label": row["label"],
                "y": 6 + index * 28,
                "segments": segments,
                "received": row["received"],
                "end": x,
            }
        )
    return chart


# --- Evidence packs -----------------------------------------------------------------------------


class EvidencePackForm(Form):
    email = forms.EmailField(label=_("The person's email address"), help_text=_("Their sign-in address."))
    reason = forms.CharField(
        label=_("Why the pack is needed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The request or complaint it is for. The person reads this under Who looked at my data."),
    )
    subject_request = forms.UUIDField(required=False, widget=forms.HiddenInput)


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.EVIDENCE_PACKS_MAKE)
def evidence_packs(request):
    """Make a pack for one person (from a request's page, or for a complaint)
    and follow the packs being built."""
    initial, linked = {}, None
    reference = request.POST.get("subject_request") or request.GET.get("request")
    if reference:
        linked = selectors.subject_request_by_reference(reference=reference)
        if linked is not None:
            initial = {"subject_request": linked.public_id, "email": linked.user.email if linked.user else ""}
    form = EvidencePackForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.evidence_pack_request(
                    actor=request.user,
                    user=User.objects.filter(
                        email__iexact=form.cleaned_data["email"], is_active=True
                    ).first(),
                    reason=form.cleaned_data["reason"],
                    subject_request=linked,
                    request=request,
                )
                messages.success(request, _("The pack is being built; it appears below when it is ready."))
                return redirect("staff_evidence_packs")
            except RuleViolation as refused:
                form.add_error(None, refused.message)
        status = 400
    packs = selectors.evidence_packs_recent()
    context = {
        "form": form,
        "linked": linked,
        "packs": packs,
        "active": any(p.status in (EvidencePack.Status.PENDING, EvidencePack.Status.RUNNING) for p in packs),
    }
    template = "staff/_evidence_packs.html" if request.htmx else "staff/evidence_packs.html"
    return render(request, template, context, status=status)


@require_GET
@staff_permission_required(StaffPermission.EVIDENCE_PACKS_MAKE)
def evidence_pack_download(request, public_id):
    pack = selectors.access_evidence_pack(public_id=public_id)
    services.evidence_pack_opened(actor=request.user, pack=pack, request=request)
    response = FileResponse(
        pack.file.open("rb"), as_attachment=True, filename=f"evidence-{pack.public_id}.zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response
