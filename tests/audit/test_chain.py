from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.events import EventType
from audit.evidence import GENESIS_HASH, EvidenceImmutableError
from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from audit.services import audit_record
from subjects.services import subject_key_for_user, subject_unseal

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_events(alice, bob):
    return [
        audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice),
        audit_record(
            event_type=EventType.USER_PROFILE_CHANGED, actor=alice, changes={"language": ["", "sv"]}
        ),
        audit_record(
            event_type=EventType.EMAIL_CHANGED,
            actor=bob,
            personal_changes={"email": ["bob@example.org", "bob@work.example"]},
        ),
        audit_record(event_type=EventType.USER_SIGN_IN_FAILED, changes={"account": "unknown"}),
        audit_record(event_type=EventType.USER_SIGNED_OUT, actor=alice),
    ]


def raw_sql_with_trigger_off(sql, params=()):
    """What an attacker with database access could do: bypass the trigger."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


def test_chain_links_every_row_to_the_one_before(five_events):
    assert five_events[0].prev_hash == GENESIS_HASH
    for before, after in zip(five_events, five_events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit_chain_verify() == (5, None)
    out = StringIO()
    call_command("evidence_verify", "--stream", "audit", stdout=out)
    assert out.getvalue().splitlines()[0] == "audit: intact, 5 events verified."


def test_an_edited_row_is_named_by_the_verify_command(five_events):
    target = five_events[1]
    raw_sql_with_trigger_off(
        "UPDATE audit_auditevent SET changes = %s WHERE id = %s", ['{"language": ["", "en"]}', target.id]
    )
    with pytest.raises(CommandError, match=rf"audit: broken at event {target.id}: .*edited"):
        call_command("evidence_verify", "--stream", "audit", stdout=StringIO())


def test_a_deleted_row_breaks_the_link_of_the_next(five_events):
    raw_sql_with_trigger_off("DELETE FROM audit_auditevent WHERE id = %s", [five_events[2].id])
    with pytest.raises(CommandError, match=rf"audit: broken at event {five_events[3].id}: .*deleted"):
        call_command("evidence_verify", "--stream", "audit", stdout=StringIO())


def test_a_recomputed_hash_still_breaks_the_next_link(five_events):
    # Rewriting a row and its own hash is not enough: the next row points at the old hash.
    event = five_events[0]
    event.event_type = EventType.USER_SIGNED_OUT
    raw_sql_with_trigger_off(
        "UPDATE audit_auditevent SET event_type = %s, hash = %s WHERE id = %s",
        [event.event_type, event.compute_hash(), event.id],
    )
    _checked, broken = audit_chain_verify()
    assert broken.event_id == five_events[1].id


def test_postgresql_refuses_update_and_delete(five_events):
    for sql in ["UPDATE audit_auditevent SET event_type = 'x'", "DELETE FROM audit_auditevent"]:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEvent.objects.count() == 5


def test_the_orm_refuses_changes_too(five_events):
    event = five_events[0]
    with pytest.raises(EvidenceImmutableError):
        event.save()
    with pytest.raises(EvidenceImmutableError):
        event.delete()
    with pytest.raises(EvidenceImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(event_type="x")
    with pytest.raises(EvidenceImmutableError):
        AuditEvent.objects.all().delete()


def test_personal_values_are_sealed_under_the_persons_key(five_events, bob):
    event = five_events[2]
    assert event.subject_key == subject_key_for_user(user=bob)
    assert "bob@" not in event.sealed_changes
    assert "bob@" not in str(event.changes)
    assert subject_unseal(subject_key=event.subject_key, token=event.sealed_changes) == {
        "email": ["bob@example.org", "bob@work.example"]
    }


def test_forgetting_the_person_keeps_the_chain_valid(five_events, bob):
    # What erasure will do (issue 9): delete the link and the key, never the evidence.
    bob.subject_link.delete()
    event = AuditEvent.objects.get(pk=five_events[2].pk)
    assert subject_unseal(subject_key=event.subject_key, token=event.sealed_changes) is None
    assert audit_chain_verify() == (5, None)


def test_ip_addresses_are_truncated(rf, alice):
    v4 = rf.get("/", REMOTE_ADDR="203.0.113.77")
    v6 = rf.get("/", REMOTE_ADDR="2001:db8:abcd:12:1:2:3:4")
    assert (
        audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice, request=v4).ip_prefix == "203.0.113.0"
    )
    assert (
        audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice, request=v6).ip_prefix
        == "2001:db8:abcd::"
    )
