"""Consent figures: the chart's axis, its caption and the CSV write dates like every page."""

import csv
import io
import re
import uuid
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from consent import services
from cookies.selectors import current_revision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EN_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
SV_MONTHS = "jan feb mar apr maj jun jul aug sep okt nov dec".split()
EN_FULL = "January February March April May June July August September October November December".split()


@pytest.fixture
def officer(client, password):
    user = UserFactory(email="po@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    return client


def decide():
    services.consent_record(
        subject_key=uuid.uuid4(),
        subject_type="visitor",
        method="banner_accept_all",
        revision_hash=current_revision().content_hash,
        choices=None,
        signals={"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""},
    )


def axis_labels(html: str) -> list[str]:
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    return re.findall(r'<text x="\d+" y="216"[^>]*>([^<]*)</text>', svg)


@pytest.mark.parametrize("language,months", [("en", EN_MONTHS), ("sv", SV_MONTHS)])
def test_chart_axis_writes_day_and_month_name(officer, language, months):
    decide()
    today = timezone.localdate()
    since = today - timedelta(days=8)
    html = officer.get(
        reverse("staff_consent"),
        {"since": since.isoformat(), "until": today.isoformat()},
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    labels = axis_labels(html)
    # First column, every seventh, and the last.
    days = [since, since + timedelta(days=6), today]
    assert labels == [f"{d.day} {months[d.month - 1]}" for d in days]
    assert not re.search(r"\b\d{1,2}/\d{1,2}\b", html)


def test_chart_caption_names_the_period_in_words(officer):
    decide()
    today = timezone.localdate()
    since = today - timedelta(days=2)
    html = officer.get(
        reverse("staff_consent"), {"since": since.isoformat(), "until": today.isoformat()}
    ).content.decode()
    written = [f"{d.day} {EN_FULL[d.month - 1]} {d.year}" for d in (since, today)]
    assert f"Decisions per day, {written[0]} to {written[1]}" in html


def test_records_csv_times_are_utc_iso_8601_and_the_page_says_so(officer):
    decide()
    html = officer.get(reverse("staff_consent")).content.decode()
    assert "Times on this page are in Europe/Stockholm time." in html
    response = officer.get(reverse("staff_consent"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    recorded = datetime.fromisoformat(rows[0]["recorded_at"])
    assert rows[0]["recorded_at"].endswith("+00:00") and abs(recorded - timezone.now()) < timedelta(minutes=1)
