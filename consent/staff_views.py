"""Staff console: consent figures for privacy officers."""

from datetime import timedelta

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.staff_roles import StaffPermission, staff_permission_required
from cookies.models import DeclarationRevision
from core.csv_export import csv_download, csv_time

from . import selectors


class FiguresFilterForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    origin = forms.ChoiceField(label=_("Site"), required=False)
    revision = forms.ChoiceField(label=_("Declaration revision"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
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
