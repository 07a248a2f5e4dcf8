"""Email-domain claims (issue 7, first part): normal forms that adversarial
spellings cannot slip through, the free-webmail rule, one verifying
organisation per domain, and DNS TXT verification against a real local DNS
server (dnslib) on 127.0.0.1."""

import threading

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, RuleViolation
from domains import selectors, services
from domains.models import DomainClaim
from domains.names import (
    InvalidDomain,
    IpAddressNotDomain,
    domain_of_email,
    is_free_webmail,
    normalize_claim_domain,
    normalize_domain,
    verification_record_name,
)
from organizations.models import Membership, Organization
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners():
    def owner_of(slug):
        org = Organization.objects.create(name=slug.title(), slug=slug)
        return Membership.objects.create(
            organization=org,
            user=UserFactory(email=f"owner@{slug}.test"),
            role="owner",
            is_primary_owner=True,
        )

    return owner_of("acme"), owner_of("evilcorp")


@pytest.mark.parametrize(
    "raw, normal",
    [
        ("example.com", "example.com"),
        ("EXAMPLE.COM.", "example.com"),
        ("  Example.Com ", "example.com"),
        ("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),  # full-width forms map to the same domain
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("еxample.com", "xn--xample-2of.com"),  # Cyrillic "е": a different domain, never example.com
    ],
)
def test_domains_have_one_normal_form(raw, normal):
    assert normalize_domain(raw) == normal


@pytest.mark.parametrize(
    "raw", ["", "com", "exa mple.com", "a..b.com", "user@example.com", "http://example.com"]
)
def test_what_is_not_a_domain_is_refused(raw):
    with pytest.raises(InvalidDomain):
        normalize_domain(raw)


def test_free_webmail_is_recognised_under_any_spelling():
    for domain in ["gmail.com", "GMAIL.COM.", "hotmail.com", "yahoo.com", "mail.gmail.com", "proton.me"]:
        assert is_free_webmail(normalize_domain(domain)), domain
    assert not is_free_webmail("acme.example")
    assert not is_free_webmail(normalize_domain("еxample.com"))


def test_claiming_free_webmail_or_junk_is_refused_and_writes_nothing(owners):
    acme, _evil = owners
    for raw, code in [
        ("Gmail.com.", "free_webmail_domain"),
        ("ＧＭＡＩＬ．ＣＯＭ", "free_webmail_domain"),
        ("nope", "invalid_domain"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            services.domain_claim_create(actor=acme, domain=raw)
        assert refused.value.code == code
    assert not DomainClaim.objects.exists()


def test_only_owners_claim_domains(owners):
    acme, _evil = owners
    admin = Membership.objects.create(organization=acme.organization, user=UserFactory(), role="admin")
    with pytest.raises(Forbidden):
        services.domain_claim_create(actor=admin, domain="acme.test")


def test_dns_verification(owners, dns_server):
    acme, _evil = owners
    claim = services.domain_claim_create(actor=acme, domain="Acme.Test.")
    assert claim.domain == "acme.test" and claim.status == "pending"
    record = verification_record_name("acme.test")

    claim = services.domain_claim_verify(actor=acme, claim=claim)  # nothing published yet
    assert (claim.status, claim.last_check_result) == ("pending", "no_record")

    dns_server.txt[record] = ["icentrex-verification=somebody-elses-token", "v=spf1 -all"]
    claim = services.domain_claim_verify(actor=acme, claim=claim)
    assert (claim.status, claim.last_check_result) == ("pending", "wrong_token")

    dns_server.slow.add(record)
    claim = services.domain_claim_verify(actor=acme, claim=claim)
    assert (claim.status, claim.last_check_result) == ("pending", "timeout")
    dns_server.slow.clear()

    dns_server.txt[record].append(f"icentrex-verification={claim.token}")
    claim = services.domain_claim_verify(actor=acme, claim=claim)
    assert (claim.status, claim.last_check_result) == ("verified", "verified") and claim.verified_at
    assert AuditEvent.objects.filter(
        event_type="org.domain_verified", organization_id=acme.organization_id
    ).exists()


def test_a_domain_is_verified_for_one_organisation_only(owners, dns_server):
    acme, evil = owners
    mine = services.domain_claim_create(actor=acme, domain="acme.test")
    theirs = services.domain_claim_create(actor=evil, domain="ACME.TEST")  # claims may wait side by side
    dns_server.txt[verification_record_name("acme.test")] = [
        f"icentrex-verification={mine.token}",
        f"icentrex-verification={theirs.token}",
    ]
    services.domain_claim_verify(actor=acme, claim=mine)
    with pytest.raises(Conflict) as refused:
        services.domain_claim_verify(actor=evil, claim=theirs)
    assert refused.value.code == "domain_verified_elsewhere"
    with pytest.raises(Conflict):
        services.domain_claim_create(actor=evil, domain="acme.test.")
    assert DomainClaim.objects.get(pk=theirs.pk).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_two_organisations_verifying_at_once_cannot_both_win(owners, dns_server):
    from django.db import connections

    acme, evil = owners
    claims = [services.domain_claim_create(actor=m, domain="race.test") for m in (acme, evil)]
    dns_server.txt[verification_record_name("race.test")] = [
        f"icentrex-verification={c.token}" for c in claims
    ]
    outcomes = []
    barrier = threading.Barrier(2)

    def verify(actor, claim):
        try:
            barrier.wait()
            outcomes.append(services.domain_claim_verify(actor=actor, claim=claim).status)
        except Conflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=verify, args=pair) for pair in zip((acme, evil), claims, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "verified"]
    assert DomainClaim.objects.filter(domain="race.test", status="verified").count() == 1


def test_matching_an_address_to_a_verified_claim(owners, dns_server):
    acme, evil = owners

    def verified(actor, domain, subdomains=False):
        claim = services.domain_claim_create(actor=actor, domain=domain, include_subdomains=subdomains)
        dns_server.txt[verification_record_name(claim.domain)] = [f"icentrex-verification={claim.token}"]
        return services.domain_claim_verify(actor=actor, claim=claim)

    exact = verified(acme, "example.com")
    parent = verified(evil, "corp.test", subdomains=True)
    revoked = verified(acme, "old.test")
    services.domain_claim_revoke(actor=acme, claim=revoked)
    services.domain_claim_create(actor=acme, domain="pending.test")

    def owner_of(email):
        domain = domain_of_email(email)
        claim = selectors.verified_claim_for_domain(domain=domain) if domain else None
        return claim.organization.slug if claim else None

    assert owner_of("ann@example.com") == owner_of("ann@EXAMPLE.COM.") == "acme"
    assert exact.organization.slug == "acme" and parent.organization.slug == "evilcorp"
    for adversarial in [
        "ann@example.com.evil.com",
        "ann@evilexample.com",
        "ann@sub.example.com",  # example.com was claimed without its sub-domains
        "ann@еxample.com",  # Cyrillic look-alike
        "ann@xn--xample-2of.com",  # ... and its punycode
        "ann@old.test",  # revoked
        "ann@pending.test",  # never verified
        "ann@gmail.com",
    ]:
        assert owner_of(adversarial) is None, adversarial
    assert owner_of("bo@eu.corp.test") == owner_of("bo@corp.test") == "evilcorp"


def test_the_domains_api(owners, dns_server):
    from django.urls import reverse
    from rest_framework.test import APIClient

    from tests.conftest import assert_error

    acme, evil = owners
    client = APIClient()
    client.force_authenticate(acme.user)
    url = reverse("api-org-domains", args=["acme"])
    for body, status_code, code in [
        ({"domain": "gmail.com"}, 400, "free_webmail_domain"),
        ({"domain": "not a domain"}, 400, "invalid_domain"),
        ({"domain": "acme.test", "token": "mine"}, 400, None),  # unknown field
        ({}, 400, None),
    ]:
        assert_error(client.post(url, body, format="json"), status_code, code)
    assert not DomainClaim.objects.exists()

    created = client.post(url, {"domain": "ACME.test.", "include_subdomains": True}, format="json")
    assert created.status_code == 201
    claim = created.json()
    assert claim["domain"] == "acme.test" and claim["dns_record_name"] == "_icentrex-verification.acme.test"
    verify = reverse("api-org-domain-verify", args=["acme", claim["id"]])
    assert client.post(verify).json()["last_check_result"] == "no_record"
    dns_server.txt["_icentrex-verification.acme.test"] = [claim["dns_record_value"]]
    assert client.post(verify).json()["status"] == "verified"
    assert_error(client.post(verify), 409, "not_pending")
    assert [c["domain"] for c in client.get(url).json()["results"]] == ["acme.test"]

    other = APIClient()
    other.force_authenticate(evil.user)
    assert_error(
        other.post(reverse("api-org-domains", args=["evilcorp"]), {"domain": "acme.test"}, format="json"),
        409,
        "domain_verified_elsewhere",
    )
    assert_error(other.get(reverse("api-org-domain", args=["evilcorp", claim["id"]])), 404)  # not theirs
    assert client.delete(reverse("api-org-domain", args=["acme", claim["id"]])).status_code == 204
    assert DomainClaim.objects.get().status == "revoked"


@pytest.mark.parametrize(
    "raw",
    [
        "192.0.2.10",
        "192.0.2.10.",
        "[192.0.2.10]",
        "127.1",
        "0x7f.0.0.1",
        "::1",
        "[2001:db8::1]",
        "2001:db8::1",
    ],
)
def test_ip_addresses_cannot_be_claimed(raw):
    with pytest.raises(IpAddressNotDomain):
        normalize_claim_domain(raw)


@pytest.mark.parametrize("raw", ["example.123", "under_score.example", "-dash.example", "exa mple.com"])
def test_other_non_domains_cannot_be_claimed(raw):
    with pytest.raises(InvalidDomain):
        normalize_claim_domain(raw)


def test_the_console_refuses_an_ip_address_on_the_field_and_writes_nothing(console, owner):
    client = console(owner)
    url = reverse("org_domains", args=["acme"])
    response = client.post(url, {"action": "claim", "domain": "192.0.2.10"})
    assert response.status_code == 400
    assert response.context["form"].errors["domain"] == [
        "192.0.2.10 is an IP address. Enter the domain name your addresses end with, e.g. example.com."
    ]
    for raw in ("[::1]", "example.123"):
        response = client.post(url, {"action": "claim", "domain": raw})
        assert response.status_code == 400 and response.context["form"].errors["domain"]
    assert not DomainClaim.objects.exists()


def test_the_domains_page_says_what_the_last_check_found(console, owner):
    services.domain_claim_create(actor=owner, domain="acme.test")
    DomainClaim.objects.update(last_check_result="no_record", last_checked_at=timezone.now())
    html = console(owner).get(reverse("org_domains", args=["acme"])).content.decode()
    assert "No TXT record was found yet." in html and "no_record" not in html


def test_the_api_refuses_an_ip_address(owners):
    from rest_framework.test import APIClient

    acme, _evil = owners
    client = APIClient()
    client.force_authenticate(acme.user)
    response = client.post("/api/v1/orgs/acme/domains", {"domain": "10.0.0.1"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "ip_address_not_domain"
    assert not DomainClaim.objects.exists()


@pytest.mark.parametrize("code", ["no_record", "wrong_token", "timeout", "dns_error", "something_new"])
def test_check_results_are_shown_in_words(owners, code):
    acme, _evil = owners
    claim = services.domain_claim_create(actor=acme, domain="acme.test")
    claim.last_check_result = code
    label = claim.last_check_result_display
    assert label and code not in label and label.endswith(".")
