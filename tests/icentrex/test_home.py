"""The home page shows the privacy features, and the work-address notice comes
first wherever it is shown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from domains.models import DomainClaim
from tests.domains.disclosure_support import run_now

pytestmark = pytest.mark.django_db


def disclose(org, domain):
    now = timezone.now()
    DomainClaim.objects.create(
        organization=org, domain=domain, token="t0ken", status="verified", verified_at=now,
        disclosures_from=now - timedelta(minutes=1),
    )  # fmt: skip
    run_now()


def test_the_home_page_offers_the_privacy_features_with_links(client):
    html = client.get("/").content.decode()
    for name in ["cookie_settings", "privacy_data_sharing", "privacy_data", "my_organizations"]:
        assert f'href="{reverse(name)}"' in html, name
    for heading in ["Choose your cookies", "See who has your data", "Get a copy, or delete your account"]:
        assert heading in html
    assert f'href="{reverse("policy", args=["privacy"])}"' in html
    assert 'id="disclosure-notice"' not in html


@pytest.mark.parametrize("path", ["/", "/privacy/", "/privacy/disclosures/"])
def test_the_work_address_notice_comes_before_everything_else_on_the_page(client, acme, member, path):
    disclose(acme, "acme.example")
    client.force_login(member.user)
    html = client.get(path).content.decode()
    main = html[html.index('<main id="main"') :]
    notice = main.index('id="disclosure-notice"')
    assert "Your work address was shared" in main and "Acme AB" in main[notice:]
    # Before the page's heading and, in the privacy centre, before its menu (which
    # fills a phone's first screen).
    assert notice < main.index("<h1")
    assert "centre-nav" not in main[:notice]
    assert main.count('id="disclosure-notice"') == 1


def test_without_a_new_disclosure_there_is_no_notice(client, member):
    client.force_login(member.user)
    for path in ["/", "/privacy/", "/privacy/disclosures/"]:
        assert 'id="disclosure-notice"' not in client.get(path).content.decode(), path
