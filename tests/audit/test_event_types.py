"""Event types are checked in code (audit.events.EventType), not by model choices."""

import datetime
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from audit.events import EventType, event_type_label
from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from audit.services import audit_record
from subjects.models import SubjectLink


def test_the_column_has_no_choices_so_a_new_type_needs_no_migration():
    assert AuditEvent._meta.get_field("event_type").choices is None
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    assert state.models["audit", "auditevent"].fields["event_type"].choices is None


@pytest.mark.django_db
def test_makemigrations_finds_nothing_to_do():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize("event_type", ["user.signed_upp", "", "USER_SIGNED_UP"])
def test_an_unknown_type_is_refused_before_anything_is_written(alice, event_type):
    audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice)
    events, links = AuditEvent.objects.count(), SubjectLink.objects.count()
    with pytest.raises(ValueError, match=f"unknown audit event type '{event_type}'"):
        audit_record(event_type=event_type, actor=alice, personal_changes={"email": [None, "a@example.org"]})
    assert (AuditEvent.objects.count(), SubjectLink.objects.count()) == (events, links)
    assert audit_chain_verify() == (events, None)


@pytest.mark.django_db
def test_a_known_type_given_as_its_code_is_recorded(alice):
    event = audit_record(event_type="user.signed_in", actor=alice)
    assert AuditEvent.objects.get(pk=event.pk).event_type == EventType.USER_SIGNED_IN
    assert audit_chain_verify() == (1, None)


@pytest.mark.django_db
def test_a_target_is_named_by_its_label_unless_its_model_keeps_another_name(alice, monkeypatch):
    assert audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice, target=alice).target_type == (
        "accounts.user"
    )
    # A model that moved to another app keeps the name its earlier events gave it.
    monkeypatch.setattr(type(alice), "audit_target_type", "people.person", raising=False)
    event = audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice, target=alice)
    assert AuditEvent.objects.get(pk=event.pk).target_type == "people.person"
    assert audit_chain_verify() == (2, None)


def test_the_row_hash_is_unchanged():
    # Pinned from before the column lost its choices: existing chains still verify.
    content = {
        "occurred_at": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        "actor_subject": uuid.UUID(int=1),
        "organization_id": 7,
        "target_type": "organizations.membership",
        "target_id": "42",
        "subject_key": uuid.UUID(int=2),
        "changes": {"role": ["member", "admin"]},
        "ip_prefix": "203.0.113.0",
        "prev_hash": "0" * 64,
    }
    expected = "f64ff8416c48f3a522a34343af0daa1dde3f43411eee53544c2c844183d901b0"
    assert AuditEvent(event_type=EventType.ORG_MEMBER_ROLE_CHANGED, **content).compute_hash() == expected
    assert AuditEvent(event_type="org.member_role_changed", **content).compute_hash() == expected


def test_labels_come_from_the_registry():
    assert AuditEvent(event_type="org.member_role_changed").get_event_type_display() == "Member role changed"
    assert event_type_label(EventType.USER_SIGNED_IN) == "Signed in"
    # A type that has left the registry still has rows in the chain: it shows as its code.
    assert AuditEvent(event_type="user.retired_type").get_event_type_display() == "user.retired_type"


@pytest.mark.django_db
def test_the_admin_filters_and_shows_events_by_label(admin_client, alice, bob):
    signed_in = audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice)
    audit_record(event_type=EventType.USER_SIGNED_OUT, actor=bob)
    changelist = reverse("admin:audit_auditevent_changelist")

    page = admin_client.get(changelist).content.decode()
    assert "?event_type__exact=user.signed_in" in page
    assert "Member role changed" in page  # every registered type is offered, as before
    assert '<td class="field-event">Signed in</td>' in page

    filtered = admin_client.get(changelist, {"event_type__exact": "user.signed_in"})
    shown = {row.pk for row in filtered.context["cl"].result_list}
    assert signed_in.pk in shown
    # Signing the admin in is recorded too.
    assert shown == set(AuditEvent.objects.filter(event_type="user.signed_in").values_list("pk", flat=True))

    detail = admin_client.get(reverse("admin:audit_auditevent_change", args=[signed_in.pk])).content.decode()
    assert '<div class="readonly">Signed in</div>' in detail
