"""Do Not Sell or Share: the provider register classifies each provider, the app
computes whether the footer link is required (a third party receiving data for
cross-context advertising, in the register or through the declaration, unless
opt-out signals are processed frictionlessly), and the opt-out needs no account."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentRecord
from cookies.models import Cookie, CookieCategory
from cookies.services import declaration_publish
from core.errors import RuleViolation
from integrations.models import Provider
from integrations.opt_out import do_not_sell_assessment
from integrations.services import provider_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = b"Do Not Sell or Share My Personal Information"


@pytest.fixture
def officer():
    person = UserFactory()
    person.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return person


def footer_has_link(client=None) -> bool:
    return LINK in (client or Client()).get("/", HTTP_ACCEPT="text/html").content


def test_the_register_classifies_every_provider():
    roles = dict(Provider.objects.values_list("kind", "role").distinct())
    assert roles == {"integration": "third_party", "service_provider": "service_provider"}


def test_nobody_receiving_data_for_advertising_means_no_link():
    assessment = do_not_sell_assessment()
    assert not assessment.required and assessment.recipients == ()
    assert "No third party receives" in assessment.reasons()[0]
    assert not footer_has_link()


def test_a_third_party_advertiser_in_the_register_requires_the_link(officer, settings):
    provider_create(
        actor=officer,
        kind="service_provider",
        slug="adnet",
        name="AdNet",
        purpose="Targets ads.",
        fields=["identity.email"],
        service="marketing",
        agreement_reference="AD-1",
        country="US",
        role="third_party",
        advertising=True,
    )
    # A new sub-processor is announced first and in use after the notice period.
    from integrations.services import subprocessor_changes_apply

    subprocessor_changes_apply(today=timezone.localdate() + timedelta(days=settings.SUBPROCESSOR_NOTICE_DAYS))
    assessment = do_not_sell_assessment()
    assert assessment.required and [r.name for r in assessment.recipients] == ["AdNet"]
    assert footer_has_link()
    # Processing opt-out signals frictionlessly makes the link optional (11 CCR 7025(f)).
    settings.CONSENT_GPC_FRICTIONLESS = True
    assert not do_not_sell_assessment().required and not footer_has_link()


def test_a_service_provider_cannot_be_an_advertiser(officer):
    with pytest.raises(RuleViolation) as refused:
        provider_create(
            actor=officer,
            kind="service_provider",
            slug="adnet",
            name="AdNet",
            purpose="Targets ads.",
            fields=["identity.email"],
            service="marketing",
            agreement_reference="AD-1",
            country="US",
            role="service_provider",
            advertising=True,
        )
    assert refused.value.code == "advertising_needs_third_party"
    assert not Provider.objects.filter(slug="adnet").exists()


def test_a_third_party_cookie_in_an_advertising_category_requires_the_link():
    marketing = CookieCategory.objects.get(key="marketing")
    Cookie.objects.create(
        category=marketing,
        name="_fbp",
        provider="Meta (Facebook)",
        first_party=False,
        domain="facebook.com",
        lifetime_days=90,
        purpose="Ads.",
    )
    declaration_publish(actor=None)
    assessment = do_not_sell_assessment()
    assert assessment.required and [r.source for r in assessment.recipients] == ["declaration"]
    assert "Marketing" in assessment.recipients[0].why
    assert footer_has_link()


def test_the_opt_out_needs_no_account_and_is_recorded():
    client = Client()
    page = client.get(reverse("do_not_sell"))
    assert page.status_code == 200 and b"Opt out of sale and sharing" in page.content
    revision = page.context["consent"]["revision"]
    response = client.post(reverse("do_not_sell"), {"revision": revision})
    assert response.status_code == 302
    record = ConsentRecord.objects.get()
    assert record.method == "opt_out_link" and record.choices == {"necessary": True, "marketing": False}
    page = client.get(reverse("do_not_sell"))
    assert b"You have opted out" in page.content
    # Earlier choices stay; only what the opt-out covers is turned off.
    client.post(
        "/api/v1/consent",
        {"method": "banner_accept_all", "revision": revision},
        content_type="application/json",
    )
    client.post(reverse("do_not_sell"), {"revision": revision})
    latest = ConsentRecord.objects.order_by("-seq").first()
    assert latest.choices == {"necessary": True, "preferences": True, "analytics": True, "marketing": False}
    assert latest.action == "withdraw"


def test_a_stale_or_missing_revision_is_refused_without_writing(client):
    response = client.post(reverse("do_not_sell"), {"revision": "0" * 64}, follow=True)
    assert response.status_code == 200 and not ConsentRecord.objects.exists()
    assert b"Unknown declaration revision" in response.content


def test_the_api_does_not_take_the_pages_method(client):
    from cookies.selectors import current_revision

    body = {"method": "opt_out_link", "revision": current_revision().content_hash}
    response = client.post("/api/v1/consent", body, content_type="application/json")
    assert response.status_code == 400 and not ConsentRecord.objects.exists()


def test_staff_see_the_computation_and_why(officer):
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("staff_providers")).content.decode()
    assert 'data-do-not-sell="not-required"' in page and "No third party receives" in page
    assert "Service provider or processor" in page
