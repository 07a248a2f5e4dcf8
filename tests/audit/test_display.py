"""Audit details as people read them (audit.display), on both pages that show
them: the account activity in the privacy centre and the organisation's audit
log in the console (and its CSV)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from audit.display import audit_details, audit_details_text
from audit.events import EventType
from audit.services import audit_record
from organizations import services as org_services

pytestmark = pytest.mark.django_db


def test_values_read_as_words_not_python():
    details = dict(
        audit_details(
            {
                "provider": "calendar",  # a string is one value, never split into letters
                "role": ["member", "guest"],  # an [old, new] pair, with role labels
                "member_notified": False,
                "fields": ["name", "email"],  # a plain list, even with two items
                "team": None,
                "retention_days": [None, 30],  # a policy change from "until deleted" keeps its before
            },
            {"email": [None, "ann@example.org"], "reason": "Audit request"},
        )
    )
    assert details == {
        "Provider": "calendar",
        "Role": "Member → Guest",
        "Member notified": "No",
        "What it receives": "name, email",
        "Team": "—",
        "Keep member content for (days)": "— → 30",
        "Email": "ann@example.org",  # added: no "before" to show
        "Reason": "Audit request",
    }


def test_pairs_of_lists_nested_changes_and_swedish():
    text = audit_details_text(
        {"changes": {"fields": [["name"], ["name", "email"]]}, "notify_member_on_review": [True, False]}
    )
    assert text == (
        "What it receives: name → name, email; Tell the member when their data is reviewed: Yes → No"
    )
    with translation.override("sv"):
        assert dict(audit_details({"role": ["member", "admin"], "ok": True})) == {
            "Roll": "Medlem → Administratör",
            "Ok": "Ja",
        }


def test_account_activity_shows_an_integration_event_readably(client, alice):
    audit_record(
        event_type=EventType.INTEGRATION_INSTALLED,
        actor=alice,
        changes={"provider": "calendar", "audience": "me", "fields": ["identity.email"], "team": None},
    )
    client.force_login(alice)
    for url in (reverse("privacy_activity"), reverse("privacy_centre")):
        html = client.get(url).content.decode()
        # (jsonb keeps its own key order)
        for part in (
            "Provider: calendar",
            "Who it is for: Only me",
            "What it receives: Your email address",
            "Team: —",
        ):
            assert part in html, (url, part)
        assert "c → a" not in html


def test_the_console_audit_log_and_csv_show_readable_details(console, owner, member):
    org_services.membership_change_role(actor=owner, member=member, role="admin")
    org_services.data_policy_update(
        actor=owner, notify_member_on_review=False, review_allowed_for="owners_and_admins"
    )
    client = console(owner)
    html = client.get(reverse("org_audit", args=["acme"])).content.decode()
    assert "Role: Member → Administrator" in html
    assert "Tell the member when their data is reviewed: Yes → No" in html
    assert "[" not in html.split("<tbody>")[1].split("</tbody>")[0]  # no Python lists
    assert "False" not in html and "True" not in html
    response = client.get(reverse("org_audit", args=["acme"]), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert any(row[5] == "Role: Member → Administrator" for row in rows[1:])
