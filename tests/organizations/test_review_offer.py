"""The console offers "Review data" only where the organisation's data policy (and
the role) would let the review through; the server refuses the rest."""

import pytest
from django.urls import reverse

from audit.events import EventType
from audit.models import AuditEvent
from organizations.models import DataPolicy

pytestmark = pytest.mark.django_db


def _review_links(html: str) -> int:
    return html.count("Review data<span")


def test_no_review_link_where_the_policy_forbids_it(console, owner, admin, member):
    # The default policy lets nobody review member data.
    for who in (owner, admin):
        client = console(who)
        html = client.get(reverse("org_members", args=["acme"])).content.decode()
        assert _review_links(html) == 0, who.role
        client.logout()


def test_review_links_follow_the_policy_and_the_role(console, owner, second_owner, admin, member):
    DataPolicy.objects.create(organization=owner.organization, review_allowed_for=DataPolicy.Who.OWNERS)
    owner_client = console(owner)
    html = owner_client.get(reverse("org_members", args=["acme"])).content.decode()
    owner_client.logout()
    # Everyone but the owner themselves: the second owner, the admin and the member.
    assert _review_links(html) == 3
    assert reverse("org_member_review", args=["acme", owner.pk]) not in html
    # Admins are not allowed by this policy: no link at all, and the page refuses.
    client = console(admin)
    assert _review_links(client.get(reverse("org_members", args=["acme"])).content.decode()) == 0
    url = reverse("org_member_review", args=["acme", member.pk])
    page = client.get(url)
    assert page.status_code == 403 and "does not let your role review" in page.content.decode()
    assert client.post(url, {"reason": "Checking a billing complaint"}).status_code == 403
    assert not AuditEvent.objects.filter(event_type=EventType.MEMBER_DATA_REVIEWED).exists()


def test_an_admin_is_offered_no_review_of_an_owner(console, owner, admin, member):
    DataPolicy.objects.create(
        organization=owner.organization, review_allowed_for=DataPolicy.Who.OWNERS_AND_ADMINS
    )
    client = console(admin)
    html = client.get(reverse("org_members", args=["acme"])).content.decode()
    assert reverse("org_member_review", args=["acme", member.pk]) in html
    assert reverse("org_member_review", args=["acme", owner.pk]) not in html
    assert reverse("org_member_review", args=["acme", admin.pk]) not in html
    page = client.get(reverse("org_member_review", args=["acme", owner.pk]))
    assert page.status_code == 403 and "role is above yours" in page.content.decode()
    refused = client.post(
        reverse("org_member_review", args=["acme", owner.pk]), {"reason": "Just looking around"}
    )
    assert refused.status_code == 403
    assert not AuditEvent.objects.filter(event_type=EventType.MEMBER_DATA_REVIEWED).exists()
