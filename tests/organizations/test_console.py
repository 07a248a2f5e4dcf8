import csv
import io

import pytest
from django.urls import reverse

from audit.events import EventType
from audit.models import AuditEvent
from organizations.models import DataPolicy, Invitation, Membership
from organizations.roles import OrgRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_members_page_filters_and_shows_teams(console, owner, admin, member, guest, design, engineering):
    client = console(owner)
    html = client.get(reverse("org_members", args=["acme"]), {"role": "guest"}).content.decode()
    assert "<td>guest@acme.example</td>" in html and "<td>member@acme.example</td>" not in html
    html = client.get(reverse("org_members", args=["acme"]), {"team": engineering.pk}).content.decode()
    assert "<td>member@acme.example</td>" in html and "<td>guest@acme.example</td>" not in html


@pytest.mark.parametrize("extra", [3, 80])
def test_members_page_query_count_is_constant(console, owner, acme, extra, django_assert_num_queries):
    Membership.objects.bulk_create(
        Membership(organization=acme, user=UserFactory(), role=OrgRole.MEMBER) for _ in range(extra)
    )
    client = console(owner)
    url = reverse("org_members", args=["acme"])
    client.get(url)
    # session, user, membership, teams for the filter, count, page, team names; for the
    # cookie banner the declaration revision and the account's consent state; and the
    # material policy versions in force (none here); the data policy (is "Review data" offered)
    with django_assert_num_queries(11):
        assert client.get(url, {"page": 2 if extra > 50 else 1}).status_code == 200


def test_role_change_in_the_console(console, owner, member):
    client = console(owner)
    response = client.post(reverse("org_member_role", args=["acme", member.pk]), {"role": "admin"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == OrgRole.ADMIN


def test_a_rule_breach_in_the_console_is_a_clear_page(console, admin, second_owner):
    client = console(admin)
    response = client.post(reverse("org_member_role", args=["acme", second_owner.pk]), {"role": "member"})
    assert response.status_code == 403
    assert "above your own" in response.content.decode()
    second_owner.refresh_from_db()
    assert second_owner.role == OrgRole.OWNER


def test_inviting_from_the_console(console, admin, django_capture_on_commit_callbacks):
    client = console(admin)
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("org_invitations", args=["acme"]), {"email": "ny@example.org", "role": "member"}
        )
    assert response.status_code == 302
    assert Invitation.objects.get().email == "ny@example.org"
    # An admin is not offered (and cannot use) the owner role.
    response = client.post(
        reverse("org_invitations", args=["acme"]), {"email": "b@example.org", "role": "owner"}
    )
    assert response.status_code == 400
    assert Invitation.objects.count() == 1


def test_review_flow_in_the_console(console, owner, admin, member):
    client = console(admin)
    url = reverse("org_member_review", args=["acme", member.pk])
    assert "does not let your role review" in client.get(url).content.decode()
    DataPolicy.objects.create(organization=owner.organization, review_allowed_for="owners_and_admins")
    response = client.post(url, {"reason": "Checking a billing complaint"})
    assert response.status_code == 200
    assert "member@acme.example" in response.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.MEMBER_DATA_REVIEWED).count() == 1


def test_policy_page_owner_edits_others_read(console, owner, member, client):
    c = console(owner)
    response = c.post(
        reverse("org_policy", args=["acme"]),
        {
            "retention_days": "30",
            "review_allowed_for": "owners",
            "notify_member_on_review": "on",
            "export_allowed_for": "nobody",
        },
    )
    assert response.status_code == 302
    assert DataPolicy.objects.get().retention_days == 30
    client.post(reverse("account_logout"))
    html = console(member).get(reverse("org_policy", args=["acme"])).content.decode()
    assert "kept for 30 days" in html and "Only owners change the data policy." in html


def test_audit_log_page_and_csv(console, owner, member):
    client = console(owner)
    client.post(reverse("org_member_role", args=["acme", member.pk]), {"role": "admin"})
    html = client.get(reverse("org_audit", args=["acme"])).content.decode()
    assert "Member role changed" in html
    response = client.get(
        reverse("org_audit", args=["acme"]), {"format": "csv", "event_type": "org.member_role_changed"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["time_utc", "event", "actor"]
    assert [(r[1], r[2], r[3]) for r in rows[1:]] == [
        ("org.member_role_changed", "owner@acme.example", "member@acme.example")
    ]


def test_outsiders_get_404_everywhere(console, outsider, member):
    client = console(outsider)
    for name, args in [
        ("org_members", ["acme"]),
        ("org_member_review", ["acme", member.pk]),
        ("org_audit", ["acme"]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404
