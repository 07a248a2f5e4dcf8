"""Staff console: consent figures and undeclared trackers, for privacy officers."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.staff_roles import StaffPermission, staff_permission_required
from cookies import services as cookie_services
from cookies.models import CookieCategory, DeclarationRevision, TrackerSighting, other_languages
from core.csv_export import csv_download, csv_time
from core.errors import RuleViolation
from core.forms import Form
from core.replicas import replica_reads

from . import selectors


class FiguresFilterForm(Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    origin = forms.ChoiceField(label=_("Site"), required=False)
    revision = forms.ChoiceField(label=_("Declaration revision"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].choices = [("", _("All sites"))] + [
            (origin or "-", origin or _("this site")) for origin in selectors.consent_origins()
        ]
        self.fields["revision"].choices = [("", _("All revisions"))] + [
            (r.content_hash, f"{r.content_hash[:12]} ({_published(r)})")
            for r in DeclarationRevision.objects.order_by("-id")[:50]
        ]


def _published(revision) -> str:
    return date_format(timezone.localtime(revision.created_at), "SHORT_DATE_FORMAT")


def _filters(request):
    form = FiguresFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    until = data.get("until") or today
    since = data.get("since") or until - timedelta(days=29)
    return form, {
        "since": since,
        "until": until,
        "origin": data.get("origin", ""),
        "revision_hash": data.get("revision", ""),
    }


@require_GET
@staff_permission_required(StaffPermission.CONSENT_FIGURES_READ)
@replica_reads
def consent_figures(request):
    form, filters = _filters(request)
    if request.GET.get("format") == "csv":
        return _records_csv(filters)
    days = selectors.consent_figures(**filters)
    # Every day of the period gets a column, so the chart reads as a time line.
    by_day = {d["day"]: d for d in days}
    span = (filters["until"] - filters["since"]).days + 1
    empty = {"total": 0, "accept_all": 0, "reject_all": 0, "custom": 0, "other": 0}
    columns = [
        by_day.get(
            filters["since"] + timedelta(days=n), {"day": filters["since"] + timedelta(days=n), **empty}
        )
        for n in range(min(span, 92))
    ]
    peak = max((d["total"] for d in days), default=0) or 1
    chart = []
    width = 24
    for index, day in enumerate(columns):
        y = 200
        bars = []
        for key in ("accept_all", "custom", "reject_all", "other"):
            height = round(180 * day[key] / peak)
            y -= height
            bars.append({"key": key, "y": y, "height": height, "value": day[key]})
        chart.append({"x": 40 + index * (width + 6), "width": width, "bars": bars, "day": day["day"]})
    totals = {
        key: sum(d[key] for d in days)
        for key in (
            "total",
            "accept_all",
            "reject_all",
            "custom",
            "other",
            "preferences",
            "analytics",
            "marketing",
        )
    }
    return render(
        request,
        "staff/consent.html",
        {
            "form": form,
            "days": days,
            "chart": chart,
            "chart_width": 60 + len(columns) * (width + 6),
            "peak": peak,
            "totals": totals,
            "filters": filters,
            "query": request.GET.urlencode(),
        },
    )


_CSV_COLUMNS = [
    "record_id",
    "recorded_at",
    "subject_type",
    "action",
    "method",
    "choices",
    "revision_hash",
    "policy_version",
    "language",
    "origin",
    "gpc",
    "dnt",
    "ua_family",
    "ua_version",
    "record_hash",
]


def _csv_value(record, column):
    if column == "recorded_at":
        return csv_time(record.recorded_at)
    if column == "choices":
        return ";".join(f"{k}={'yes' if v else 'no'}" for k, v in record.choices.items())
    return getattr(record, column)


def _records_csv(filters):
    records = selectors.consent_records_between(**filters).order_by("seq")
    return csv_download(
        header=_CSV_COLUMNS,
        rows=([_csv_value(r, c) for c in _CSV_COLUMNS] for r in records.iterator(chunk_size=2000)),
        filename=f"consent-records-{filters['since']}-{filters['until']}.csv",
    )


# --- Undeclared trackers (issue 19) -------------------------------------------------------


@require_GET
@staff_permission_required(StaffPermission.DECLARATION_MANAGE)
def trackers(request):
    status = request.GET.get("status") or TrackerSighting.Status.OPEN
    if status not in TrackerSighting.Status.values:
        status = TrackerSighting.Status.OPEN
    page = Paginator(selectors.tracker_sightings(status=status), 50).get_page(request.GET.get("page"))
    categories = {c.key: c.name for c in CookieCategory.objects.all()}
    return render(
        request,
        "staff/trackers.html",
        {
            "page": page,
            "status": status,
            "statuses": TrackerSighting.Status.choices,
            "categories": categories,
            "counts": selectors.tracker_sighting_counts(),
        },
    )


class DeclareForm(Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=CookieCategory.objects.all(), to_field_name="key", empty_label=None
    )
    provider = forms.CharField(
        label=_("Provider"), max_length=120, help_text=_("Who sets it or runs the host.")
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What it does, in words a visitor understands: the banner and the cookie policy show it."
        ),
    )
    lifetime_days = forms.IntegerField(
        label=_("Lifetime (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Empty: it ends with the browser session."),
    )
    first_party = forms.BooleanField(label=_("Set by iCentrex itself (first party)"), required=False)

    def __init__(self, *args, sighting: TrackerSighting, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        for language in other_languages():
            self.fields[f"purpose_{language}"] = forms.CharField(
                label=_("Purpose in %(language)s") % {"language": names[language]},
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("The same, for people who read the site in this language."),
            )
        self.order_fields(
            ["category", "provider", "purpose", *(f"purpose_{code}" for code in other_languages())]
        )
        if sighting.kind == TrackerSighting.Kind.HOST:
            del self.fields["lifetime_days"]
            del self.fields["first_party"]


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.DECLARATION_MANAGE)
def tracker_declare(request, pk):
    sighting = get_object_or_404(TrackerSighting, pk=pk)
    initial = {
        "category": sighting.suggested_category or None,
        "provider": sighting.suggested_provider,
    }
    form = DeclareForm(request.POST if request.method == "POST" else None, initial=initial, sighting=sighting)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revision = cookie_services.tracker_declare(
                actor=request.user,
                sighting=sighting,
                category=data["category"],
                provider=data["provider"],
                purpose=data["purpose"],
                lifetime_days=data.get("lifetime_days"),
                first_party=data.get("first_party", False),
                translations={
                    language: {"purpose": data[f"purpose_{language}"]} for language in other_languages()
                },
                request=request,
            )
        except RuleViolation as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is in the cookie declaration, published as revision %(revision)s.")
                % {"name": sighting.name, "revision": revision.content_hash[:12]},
            )
            return redirect("staff_trackers")
    return render(
        request,
        "staff/tracker_declare.html",
        {"form": form, "sighting": sighting},
        status=400 if form.errors else 200,
    )


@require_POST
@staff_permission_required(StaffPermission.DECLARATION_MANAGE)
def tracker_dismiss(request, pk):
    sighting = get_object_or_404(TrackerSighting, pk=pk, status=TrackerSighting.Status.OPEN)
    cookie_services.tracker_dismiss(sighting=sighting)
    messages.success(request, _("%(name)s was dismissed.") % {"name": sighting.name})
    return redirect("staff_trackers")
