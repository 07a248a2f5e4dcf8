"""One way to write dates per language (issue 15), and scans that keep it so."""

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation

from core.csv_export import csv_time
from core.mail import send_templated_email

ROOT = Path(__file__).resolve().parents[2]
STOCKHOLM = ZoneInfo("Europe/Stockholm")
# 18:12 UTC is 19:12 in Stockholm (winter time); 4 December, so a d/m or m/d mix-up shows.
MOMENT = datetime(2026, 12, 4, 18, 12, tzinfo=UTC)
NAMED = (
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
)
EXPECTED = {
    "en": {
        "DATE_FORMAT": "4 December 2026",
        "DATETIME_FORMAT": "4 December 2026, 19:12",
        "SHORT_DATE_FORMAT": "4 Dec 2026",
        "SHORT_DATETIME_FORMAT": "4 Dec 2026, 19:12",
        "TIME_FORMAT": "19:12",
        "MONTH_DAY_FORMAT": "4 Dec",
        "YEAR_MONTH_FORMAT": "December 2026",
    },
    "sv": {
        "DATE_FORMAT": "4 december 2026",
        "DATETIME_FORMAT": "4 december 2026 kl. 19:12",
        "SHORT_DATE_FORMAT": "2026-12-04",
        "SHORT_DATETIME_FORMAT": "2026-12-04 19:12",
        "TIME_FORMAT": "19:12",
        "MONTH_DAY_FORMAT": "4 dec",
        "YEAR_MONTH_FORMAT": "december 2026",
    },
}


def render(moment, fmt: str, language: str) -> str:
    # Through a template, as pages and emails do: the filter also converts to the current time zone.
    with translation.override(language):
        return Template('{{ when|date:"' + fmt + '" }}').render(Context({"when": moment}))


@pytest.mark.parametrize("language", ["en", "sv"])
def test_each_language_writes_a_known_moment_exactly(language):
    assert {fmt: render(MOMENT, fmt, language) for fmt in NAMED} == EXPECTED[language]


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize(
    "moment",
    [MOMENT, datetime(2026, 4, 12, 7, 5, tzinfo=UTC), datetime(2027, 1, 1, 23, 59, tzinfo=UTC)],
)
def test_no_format_is_ambiguous_american_or_ends_in_a_stop(language, moment):
    for fmt in NAMED:
        text = render(moment, fmt, language)
        assert "/" not in text, (fmt, text)
        assert not re.search(r"\b[ap]\.m\.|\b[ap]m\b|\b[AP]M\b", text), (fmt, text)
        # A sentence such as "Last digest: {{ when }}." must not end in "p.m.."
        assert not text.endswith("."), (fmt, text)
        # A date written only in numbers is ISO 8601 (year first), the one numeric form nobody misreads.
        numeric_date = re.search(r"\b\d{1,4}[-.]\d{1,2}[-.]\d{1,4}\b", text)
        assert numeric_date is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", numeric_date.group()), text


@pytest.mark.parametrize("language", ["en", "sv"])
def test_typed_dates_are_read_as_iso_8601_only(language):
    # Django's own Swedish formats read "12/04/2026" as 4 December (m/d/Y); a Swede means 12 April.
    with translation.override(language):
        for ambiguous in ("12/04/2026", "12/04/26"):
            with pytest.raises(ValidationError):
                forms.DateField().clean(ambiguous)
        with pytest.raises(ValidationError):
            forms.DateTimeField().clean("12/04/2026 19:12")
        assert str(forms.DateField().clean("2026-04-12")) == "2026-04-12"
        typed = forms.DateTimeField().clean("2026-12-04T19:12")
        assert typed == datetime(2026, 12, 4, 19, 12, tzinfo=STOCKHOLM)


def test_csv_times_are_iso_8601_in_utc():
    assert csv_time(datetime(2026, 12, 4, 19, 12, tzinfo=STOCKHOLM)) == "2026-12-04T18:12:00+00:00"
    assert csv_time(MOMENT) == "2026-12-04T18:12:00+00:00"
    assert csv_time(None) == ""


@pytest.mark.parametrize(
    "language,expected", [("en", "4 December 2026, 19:12;"), ("sv", "4 december 2026 kl. 19:12")]
)
def test_emails_write_dates_like_the_pages(mailoutbox, language, expected):
    send_templated_email(
        template="data_requests/email/personal_export_ready",
        context={"url": "https://example.org/x", "expires_at": MOMENT},
        to="alice@example.org",
        language=language,
    )
    body = mailoutbox[0].body
    assert expected in body
    assert "12/04" not in body and "p.m." not in body and "Dec." not in body


# --- Scans: hand-built date formats stay out --------------------------------------------------

FORMAT_NAMES = set(NAMED)
# Formats for machines rather than readers: an HTML <time datetime="..."> attribute (ISO 8601).
MACHINE_ATTRIBUTE = re.compile(r"""datetime=["']\{\{ [^}]*\|date:(["'])c\1 \}\}["']""")
TEMPLATE_FORMAT = re.compile(r"""\|\s*(?:date|time)\s*:\s*(?:(["'])(.*?)\1|(\w+))""")
NOW_TAG = re.compile(r"""\{%\s*now\s+(["'])(.*?)\1""")
# The value syntax of <input type="date|datetime-local|time">, which browsers require.
INPUT_SYNTAX = {"%Y-%m-%d", "%Y-%m-%dT%H:%M", "%H:%M"}
PYTHON_PATTERNS = {
    "strftime": re.compile(r"\.strftime\("),
    "f-string date format": re.compile(r"\{[^{}\n]*:%[A-Za-z][^{}\n]*\}"),
    "d/m or m/d pattern": re.compile(r"%[dmy][/.]%[dmy]"),
}
PYTHON_FORMAT_CALL = re.compile(r"""\b(?:date_format|time_format)\([^\n]*?,\s*(["'])(.*?)\1""")
WIDGET_FORMAT = re.compile(r"""\bformat\s*=\s*(["'])(%.*?)\1""")
JS_PATTERNS = re.compile(r"toLocale(?:Date|Time)?String|Intl\.DateTimeFormat|\.get(?:UTC)?(?:Month|Date)\(")
# Not display code: the support-masking test corpus writes dates in every style on purpose,
# benchmarks write none that anyone reads.
PYTHON_EXCLUDED = ("tests", "bench", "masking_corpus", ".venv", "node_modules", "artifacts")


def template_problems(text: str) -> list[str]:
    text = MACHINE_ATTRIBUTE.sub("", text)
    found = []
    for match in TEMPLATE_FORMAT.finditer(text):
        fmt = match.group(2) if match.group(1) else match.group(3)
        if fmt not in FORMAT_NAMES:
            found.append(match.group(0))
    found += [m.group(0) for m in NOW_TAG.finditer(text) if m.group(2) not in FORMAT_NAMES]
    return found


def python_problems(text: str) -> list[str]:
    found = [f"{name}: {m.group(0)}" for name, rx in PYTHON_PATTERNS.items() for m in rx.finditer(text)]
    found += [m.group(0) for m in PYTHON_FORMAT_CALL.finditer(text) if m.group(2) not in FORMAT_NAMES]
    found += [m.group(0) for m in WIDGET_FORMAT.finditer(text) if m.group(2) not in INPUT_SYNTAX]
    return found


def _files(pattern: str, excluded=()):
    for path in sorted(ROOT.rglob(pattern)):
        relative = path.relative_to(ROOT).as_posix()
        if not any(relative == e or relative.startswith(e + "/") for e in excluded):
            yield relative, path.read_text(encoding="utf-8")


def test_the_scans_catch_hand_built_formats():
    # The scans below would pass vacuously if their patterns matched nothing.
    assert template_problems('<text>{{ column.day|date:"d/m" }}</text>')
    assert template_problems("{{ when|date:'N j, Y' }}")
    assert template_problems("{{ when|time:fmt }}")
    assert template_problems('{% now "m/d/Y" %}')
    assert not template_problems(
        """<time datetime="{{ e.at|date:'c' }}">{{ e.at|date:"SHORT_DATETIME_FORMAT" }}</time>"""
    )
    assert python_problems('label = f"({r.created_at:%Y-%m-%d})"')
    assert python_problems('day.strftime("%d/%m/%Y")')
    assert python_problems('date_format(value, "N j, Y")')
    assert python_problems('forms.DateTimeInput(format="%d/%m/%Y %H:%M")')
    assert not python_problems('date_format(timezone.localtime(value), "DATETIME_FORMAT")')
    assert not python_problems(
        'forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")'
    )
    assert JS_PATTERNS.search("label.textContent = new Date(x).toLocaleDateString();")


def test_templates_write_dates_only_through_the_named_formats():
    problems = {
        name: found
        for suffix in ("*.html", "*.txt")
        for name, text in _files(suffix, excluded=(".venv", "node_modules", "artifacts"))
        if "templates" in name.split("/") and (found := template_problems(text))
    }
    assert problems == {}


def test_python_display_code_has_no_hand_built_date_formats():
    problems = {
        name: found for name, text in _files("*.py", PYTHON_EXCLUDED) if (found := python_problems(text))
    }
    assert problems == {}


def test_scripts_leave_dates_to_the_server():
    problems = [name for name, text in _files("static/js/*.js") if JS_PATTERNS.search(text)]
    assert problems == []
