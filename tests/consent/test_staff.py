import csv
import io
import uuid

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from consent import services
from cookies.selectors import current_revision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SIGNALS = {"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": ""}


@pytest.fixture
def officer(client, password):
    user = UserFactory(email="po@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    client.post(reverse("account_login"), {"login": user.email, "password": password})
    return client


def decide(method, origin="", choices=None):
    services.consent_record(
        subject_key=uuid.uuid4(),
        subject_type="visitor",
        method=method,
        revision_hash=current_revision().content_hash,
        choices=choices,
        signals={**SIGNALS, "origin": origin},
    )


def test_figures_with_rates_chart_and_filters(officer):
    for _ in range(3):
        decide("banner_accept_all")
    decide("banner_reject_all", origin="https://www.icentrex.example")
    decide("banner_custom", choices={"preferences": False, "analytics": True, "marketing": False})
    html = officer.get(reverse("staff_consent")).content.decode()
    assert "<svg" in html and 'class="bar-accept_all"' in html
    assert "<td>5</td><td>60%</td><td>20%</td><td>20%</td><td>60%</td><td>80%</td><td>60%</td>" in html
    only_blog = officer.get(
        reverse("staff_consent"), {"origin": "https://www.icentrex.example"}
    ).content.decode()
    assert "<td>1</td><td>0%</td><td>100%</td>" in only_blog


def test_records_csv(officer):
    decide("banner_accept_all")
    decide("banner_reject_all")
    response = officer.get(reverse("staff_consent"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "record_id" and len(rows) == 3
    assert {r[4] for r in rows[1:]} == {"banner_accept_all", "banner_reject_all"}


def test_only_privacy_officers(client, alice, password):
    assert client.get(reverse("staff_consent")).status_code == 302  # to sign-in
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    assert client.get(reverse("staff_consent")).status_code == 403
