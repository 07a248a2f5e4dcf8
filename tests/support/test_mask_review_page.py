"""The mask review reads as text: kinds by their names ("phone number"), never
the engine's rule names ("phonenumbers"), and the keep/leave choices in a list
below the text instead of inside it."""

import re

import pytest
from django.urls import reverse

from organizations.models import Membership, Organization
from organizations.sessions import SESSION_KEY
from support import services

pytestmark = pytest.mark.django_db

BODY = "I am Alice Andersson, call me on 070-123 45 67. Bob Berg saw it too."


@pytest.fixture
def case(alice, bob):
    acme = Organization.objects.create(name="Acme", slug="acme")
    Membership.objects.create(organization=acme, user=alice, role="member")
    Membership.objects.create(organization=acme, user=bob, role="admin")
    return services.case_open(actor=alice, subject="Export broken", body=BODY, organization=acme)


def test_kinds_are_named_and_the_text_has_no_controls_inside(client, sign_in, agent, case):
    html = sign_in(agent).get(reverse("staff_case_share", args=[case.pk])).content.decode()
    for rule in ("phonenumbers", "reporter-name", "member-name"):
        assert rule not in html, rule
    assert "phone number, in the message" in html and "name, in the message" in html
    assert "Phone number <code>[phone]</code>" in html  # the report of what is masked
    previews = re.findall(r'<p class="message-body mask-preview">(.*?)</p>', html, re.S)
    assert len(previews) == 2 and not any("<input" in p or "<label" in p for p in previews)
    # The preview reads as the case: the highlighted text, in order, nothing in between but numbers.
    text = re.sub(r"<sup[^>]*>\d+</sup>|<[^>]+>", "", previews[1])
    assert text == BODY


def test_the_organisation_sees_kinds_by_name(client, agent, bob, case):
    share = services.case_share(actor=agent, case=case)
    client.force_login(bob)
    session = client.session
    session[SESSION_KEY] = {"acme": "Acme"}
    session.save()
    html = client.get(reverse("org_shared_case", args=["acme", share.public_id])).content.decode()
    assert "Phone number <code>[phone]</code>" in html and "Name <code>[name]</code>" in html
