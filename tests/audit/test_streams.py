"""The registry of evidence streams (audit.streams): every stream is listed and
verified by one command and one nightly task, sealed by one task, and a
tampered sealed row of any stream is named by stream and seal."""

import logging
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit.events import EventType
from audit.evidence import GENESIS_HASH
from audit.models import AuditEvent
from audit.services import audit_record
from audit.streams import (
    EvidenceStream,
    StreamCheck,
    UnknownStream,
    evidence_streams,
    stream_names,
    stream_register,
    stream_seal,
    stream_verify,
)
from audit.tasks import evidence_seal, evidence_verify
from consent.models import ConsentRecord, ConsentSeal
from consent.services import consent_record
from cookies.selectors import current_revision
from domains.models import DisclosureSeal, DomainClaim, EmailDisclosure
from integrations.models import SharingEvent, SharingSeal, SubprocessorEvidence
from integrations.services import processor_shares_record
from organizations.models import Membership, Organization
from policies import services as policy_services
from policies.models import NoticeRun, NoticeSeal, PolicyDocument, PolicyNotice
from policies.selectors import version_in_force
from tests.conftest import ROOT, _database_url
from tests.domains.disclosure_support import run_now
from tests.factories import UserFactory
from tests.tamper import bypass_triggers

pytestmark = pytest.mark.django_db

STREAMS = ["audit", "consent", "disclosures", "notices", "sharing", "subprocessors"]


def _pending_rows_of_every_stream() -> None:
    """Rows of every stream, none of them sealed yet (the notice run is left
    with its ranges done but unfinished, as when its last worker died)."""
    audit_record(event_type=EventType.USER_SIGN_IN_FAILED, changes={"account": "unknown"})
    consent_record(
        subject_key=uuid.uuid4(),
        subject_type="visitor",
        method="banner_accept_all",
        revision_hash=current_revision().content_hash,
        signals={"gpc": None, "dnt": None, "ip_prefix": "", "ua_family": "", "ua_version": "", "origin": ""},
    )
    processor_shares_record(
        provider_slug=settings.EMAIL_VENDOR_PROVIDER,
        subject_keys=[uuid.uuid4()],
        fields=["identity.email"],
        purpose="Sending you policy notices",
    )
    acme = Organization.objects.create(name="Acme", slug="acme")
    now = timezone.now()
    DomainClaim.objects.create(
        organization=acme,
        domain="acme.test",
        token="t0ken",
        status="verified",
        verified_at=now,
        disclosures_from=now - timedelta(minutes=1),
    )
    UserFactory(email="ann@acme.test")  # a verified address at the claimed domain
    run_now()

    officer = UserFactory(email="po@icentrex.example", date_joined=now - timedelta(days=90))
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    document = PolicyDocument.objects.get(slug="privacy")
    version = policy_services.policy_draft_create(
        actor=officer,
        document=document,
        body=version_in_force(document=document).body + "\n\nA new clause.\n",
        summary="We now keep support tickets for two years.",
        effective_at=now,
        material=False,
        publish=True,
    )
    run = NoticeRun.objects.get(version=version)
    original_finish = policy_services.notice_run_finish
    policy_services.notice_run_finish = lambda *, run_id: None  # the worker dies before finishing the run
    try:
        for chunk_id in policy_services.notice_run_plan(run_id=run.pk):
            policy_services.notice_chunk_deliver(chunk_id=chunk_id)
    finally:
        policy_services.notice_run_finish = original_finish
    assert NoticeRun.objects.get(pk=run.pk).status == NoticeRun.Status.RUNNING

    # A sub-processor change and an organisation's objection to it.
    from integrations import services as integration_services
    from integrations.models import Provider, SubprocessorChange

    integration_services.provider_update(
        actor=officer,
        provider=Provider.objects.get(slug="mailstream"),
        country="US",
        transfer_mechanism="SCCs",
    )
    admin = Membership.objects.create(organization=acme, user=UserFactory(), role="admin")
    integration_services.subprocessor_objection_raise(
        actor=admin, change=SubprocessorChange.objects.get(), text="Keep it in the EEA."
    )


@pytest.fixture
def sealed():
    _pending_rows_of_every_stream()
    evidence_seal()


def _verify(*streams: str) -> str:
    out = StringIO()
    call_command("evidence_verify", *[arg for name in streams for arg in ("--stream", name)], stdout=out)
    return out.getvalue()


def test_the_registry_holds_every_evidence_stream_in_name_order():
    assert stream_names() == STREAMS
    assert [stream.name for stream in evidence_streams()] == STREAMS
    assert [stream.name for stream in evidence_streams(["sharing", "audit"])] == ["audit", "sharing"]
    # Only the audit trail is chained row by row; every other stream is sealed.
    assert [stream.name for stream in evidence_streams() if stream.seal is None] == ["audit"]


def test_a_stream_is_registered_once():
    consent = evidence_streams(["consent"])[0]
    assert stream_register(consent) is consent  # the same stream again (an app's ready() run twice)
    with pytest.raises(ValueError, match="registered twice"):
        stream_register(EvidenceStream(name="consent", items="records", verify=lambda: None))
    assert evidence_streams(["consent"])[0] is consent


def test_the_command_lists_every_stream_one_line_each(sealed):
    lines = _verify().splitlines()
    logged = [stream.name for stream in evidence_streams() if stream.log is not None]
    assert [line.split(":")[0] for line in lines] == stream_names() + [f"{name} log" for name in logged]
    assert stream_names() == STREAMS
    assert all("intact" in line for line in lines), lines
    assert lines[0] == f"audit: intact, {AuditEvent.objects.count()} events verified."


def test_the_seal_task_seals_the_pending_rows_of_every_stream():
    _pending_rows_of_every_stream()
    pending = {
        "consent": ConsentRecord.objects.count(),
        "sharing": SharingEvent.objects.count(),
        "disclosures": EmailDisclosure.objects.count(),
        "notices": PolicyNotice.objects.count(),
        "subprocessors": SubprocessorEvidence.objects.count(),
    }
    assert all(pending.values()), pending
    assert evidence_seal() == pending  # the audit trail has nothing to seal: it is chained as it is written
    assert evidence_seal() == dict.fromkeys(pending, 0)
    assert ConsentSeal.objects.get().record_count == pending["consent"]
    assert SharingSeal.objects.get().record_count == pending["sharing"]
    assert DisclosureSeal.objects.get().record_count == pending["disclosures"]
    # A notice run is sealed whole, once its ranges are done, and is then finished.
    seal = NoticeSeal.objects.select_related("run").get()
    assert seal.notice_count == pending["notices"] and seal.run.status == NoticeRun.Status.DONE
    for name in STREAMS:
        assert stream_verify(name).intact, name


def test_the_seal_task_seals_one_stream_when_named():
    _pending_rows_of_every_stream()
    assert evidence_seal("consent") == {"consent": 1}
    assert not SharingSeal.objects.exists() and not NoticeSeal.objects.exists()
    assert evidence_seal("audit") == {"audit": 0}
    assert stream_seal("audit") == 0


def test_a_stream_whose_sealing_fails_leaves_the_others_sealed_and_the_task_failed(monkeypatch, caplog):
    from audit import streams

    def broken_sealer():
        raise RuntimeError("disk full")

    monkeypatch.setitem(
        streams._STREAMS,
        "aaa-broken",
        EvidenceStream(name="aaa-broken", items="rows", verify=lambda: None, seal=broken_sealer),
    )
    _pending_rows_of_every_stream()
    with caplog.at_level(logging.ERROR, logger="audit.tasks"), pytest.raises(RuntimeError, match="disk full"):
        evidence_seal()
    assert "aaa-broken" in caplog.text
    assert ConsentSeal.objects.exists() and SharingSeal.objects.exists() and NoticeSeal.objects.exists()


@pytest.mark.parametrize("name", STREAMS)
def test_each_stream_verifies_on_fresh_data(sealed, name):
    check = stream_verify(name)
    assert check.intact and check.items > 0
    assert check.seals == (0 if name == "audit" else 1)
    assert _verify(name).startswith(f"{name}: intact, ")
    report = evidence_verify(name)[name]
    assert {key: report[key] for key in ("items", "seals", "broken")} == {
        "items": check.items,
        "seals": check.seals,
        "broken": None,
    }
    assert name == "notices" or report["log"]["broken"] is None


def _tamper(name: str) -> tuple[str, int]:
    """Edit one sealed (or chained) row of the stream behind the triggers' back;
    the seal (or row) verification must name."""
    if name == "audit":
        event = AuditEvent.objects.order_by("id").first()
        bypass_triggers("UPDATE audit_auditevent SET changes = '{\"x\": 1}' WHERE id = %s", [event.id])
        return "event", event.id
    if name == "consent":
        record = ConsentRecord.objects.order_by("seq").first()
        bypass_triggers(
            "UPDATE consent_consentrecord SET choices = %s WHERE seq = %s",
            ['{"necessary": true, "preferences": false, "analytics": false, "marketing": false}', record.seq],
        )
        return "seal", ConsentSeal.objects.get().id
    if name == "sharing":
        event = SharingEvent.objects.order_by("seq").first()
        bypass_triggers("UPDATE integrations_sharingevent SET purpose = 'x' WHERE seq = %s", [event.seq])
        return "seal", SharingSeal.objects.get().id
    if name == "disclosures":
        record = EmailDisclosure.objects.order_by("seq").first()
        bypass_triggers(
            "UPDATE organizations_emaildisclosure SET organization_id = 999 WHERE seq = %s", [record.seq]
        )
        return "seal", DisclosureSeal.objects.get().id
    if name == "subprocessors":
        from integrations.models import SubprocessorSeal

        record = SubprocessorEvidence.objects.order_by("seq").first()
        bypass_triggers(
            "UPDATE integrations_subprocessorevidence SET text = 'x' WHERE seq = %s", [record.seq]
        )
        return "seal", SubprocessorSeal.objects.get().id
    notice = PolicyNotice.objects.order_by("id").first()
    bypass_triggers(
        "UPDATE policies_policynotice SET sent_at = sent_at - interval '3 days' WHERE id = %s", [notice.id]
    )
    return "seal", NoticeSeal.objects.get().id


@pytest.mark.parametrize("name", STREAMS)
def test_a_tampered_row_fails_its_stream_and_only_its_stream(sealed, name, caplog):
    unit, broken_id = _tamper(name)
    with pytest.raises(CommandError, match=rf"{name}: broken at {unit} {broken_id}: .*edited"):
        _verify(name)
    check = stream_verify(name)
    assert check.broken.unit == unit and check.broken.id == broken_id
    # The other streams still verify; the whole report names the broken one, after all of them.
    out = StringIO()
    with pytest.raises(CommandError, match=rf"^1 of 6 evidence streams broken:\n{name}: broken at {unit}"):
        call_command("evidence_verify", stdout=out)
    lines = out.getvalue().splitlines()[: len(STREAMS)]  # then each log's line: not integrated here, intact
    assert [line.split(":")[0] for line in lines] == STREAMS
    (broken_line,) = [line for line in lines if "intact" not in line]
    assert broken_line.startswith(f"{name}: broken at {unit} {broken_id}: ")
    # The nightly task logs the break as an error and reports it.
    with caplog.at_level(logging.ERROR, logger="audit.tasks"):
        report = evidence_verify()
    assert report[name]["broken"] == {"unit": unit, "id": broken_id, "reason": check.broken.reason}
    assert [stream for stream, result in report.items() if result["broken"]] == [name]
    assert f"Evidence stream {name} broken at {unit} {broken_id}" in caplog.text


def test_a_broken_report_says_how_much_verified_before_the_break(sealed):
    bypass_triggers(
        "UPDATE audit_auditevent SET changes = '{\"x\": 1}' WHERE id = %s",
        [AuditEvent.objects.order_by("-id").first().id],
    )
    check = stream_verify("audit")
    assert check.items == AuditEvent.objects.count() - 1
    with pytest.raises(CommandError, match=rf"{check.items} events verified before it\."):
        _verify("audit")


def test_an_unknown_stream_is_a_clear_error():
    streams = "audit, consent, disclosures, notices, sharing, subprocessors"
    with pytest.raises(CommandError, match=f"^Unknown evidence stream 'nope'; the streams are: {streams}.$"):
        _verify("consent", "nope")
    with pytest.raises(UnknownStream):
        stream_verify("nope")
    with pytest.raises(UnknownStream):
        evidence_seal("nope")


def test_the_seal_chain_hashes_are_those_already_stored():
    """Seals written before the chain was shared still verify: the same content
    gives the same hash (values pinned from the formula as it was)."""
    root, prev = "ab" * 32, "cd" * 32
    batch = ConsentSeal(record_count=3, merkle_root=root, prev_hash=prev)
    assert batch.compute_hash() == "8d0be7c7db868a03968054e4b71f11231a5dc7590432cb3d1dde3c489209e4db"
    notices = NoticeSeal(run_id=7, notice_count=3, merkle_root=root, prev_hash=prev)
    assert notices.compute_hash() == "81594a20583e63ef41151d4dcf930d5c1130bce516b22b910b26d6338fb463e5"
    assert ConsentSeal(record_count=0, merkle_root=root, prev_hash=GENESIS_HASH).compute_hash() != (
        batch.compute_hash()
    )


def test_check_results_have_one_shape():
    check = StreamCheck("consent", items=0, seals=0)
    assert check.intact and check.as_dict() == {"items": 0, "seals": 0, "broken": None}


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_when_a_stream_is_broken():
    for _ in range(3):
        audit_record(event_type=EventType.USER_SIGN_IN_FAILED, changes={"account": "unknown"})
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "icentrex.settings.test",
        "DATABASE_URL": _database_url(connection.settings_dict),
    }

    def run():
        return subprocess.run(
            [sys.executable, "manage.py", "evidence_verify", "--stream", "audit", "consent"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    intact = run()
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.splitlines() == [
        "audit: intact, 3 events verified.",
        "consent: intact, 0 seals and 0 records verified.",
        "audit log: intact at 0 leaves; 0 new leaves and 0 checkpoints verified.",
        "consent log: intact at 0 leaves; 0 new leaves and 0 checkpoints verified.",
    ]
    event = AuditEvent.objects.order_by("id").first()
    bypass_triggers("UPDATE audit_auditevent SET changes = '{\"x\": 1}' WHERE id = %s", [event.id])
    broken = run()
    assert broken.returncode == 1
    assert f"audit: broken at event {event.id}: its content does not match its hash (edited)" in broken.stderr
