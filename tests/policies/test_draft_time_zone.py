"""The staff draft form: the time typed for "In force from" is read in a named zone."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from policies.forms import PolicyDraftForm
from policies.models import PolicyVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, password):
    user = UserFactory(email="po@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    return client


def effective_at_input(html: str) -> tuple[str, str]:
    label = re.search(r'<label for="id_effective_at"[^>]*>(.*?)</label>', html, re.S).group(1)
    value = re.search(r'<input[^>]*name="effective_at"[^>]*>', html).group(0)
    return label.strip(), re.search(r'value="([^"]*)"', value).group(1)


def test_the_form_names_the_zone_and_starts_at_now(officer):
    before = timezone.localtime().replace(second=0, microsecond=0)
    html = officer.get(reverse("staff_policy_drafts", args=["privacy"])).content.decode()
    after = timezone.localtime()
    label, value = effective_at_input(html)
    assert label == "In force from (Europe/Stockholm)"
    shown = datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.get_current_timezone())
    assert before <= shown <= after


def test_the_zone_and_the_default_follow_the_current_time_zone():
    with timezone.override("America/New_York"):
        form = PolicyDraftForm()
        value = form["effective_at"].value()
        assert form.fields["effective_at"].label == "In force from (America/New_York)"
        # The widget shows wall-clock time without a zone: read back in New York, it is now.
        assert value.tzinfo is None
        assert abs(timezone.make_aware(value) - timezone.now()) < timedelta(minutes=1)


def test_the_time_typed_is_read_in_the_zone_shown(officer):
    response = officer.post(
        reverse("staff_policy_drafts", args=["privacy"]),
        {"body": "## New\n\nText.", "summary": "", "effective_at": "2026-12-04T19:12"},
    )
    assert response.status_code == 302
    draft = PolicyVersion.objects.get(status="draft")
    assert draft.effective_at == datetime(2026, 12, 4, 18, 12, tzinfo=UTC)  # 19:12 in Stockholm
    preview = officer.get(response["Location"]).content.decode()
    assert "4 December 2026, 19:12 (Europe/Stockholm)" in preview


def test_an_ambiguous_typed_date_is_a_form_error_and_writes_nothing(officer):
    response = officer.post(
        reverse("staff_policy_drafts", args=["privacy"]),
        {"body": "## New\n\nText.", "summary": "", "effective_at": "12/04/2026 19:12"},
    )
    assert response.status_code == 400
    assert "Enter a valid date/time." in response.content.decode()
    assert not PolicyVersion.objects.filter(status="draft").exists()
