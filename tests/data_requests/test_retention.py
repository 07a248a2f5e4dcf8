"""Retention: each organisation's period deletes exactly what is past it, and
iCentrex's own period for proof of consent deletes old records while every
seal still verifies. Zero or negative periods are refused."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from audit.events import EventType
from audit.models import AuditEvent
from audit.selectors import audit_chain_verify
from audit.streams import stream_seal, stream_verify
from consent.models import ConsentRecord, ConsentSealEntry, ConsentState
from consent.services import consent_record
from cookies.selectors import current_revision
from data_requests import tasks
from data_requests.models import OrganizationExport
from data_requests.retention import consent_retention_run, organization_retention_apply
from domains.models import DisclosureDigest, DisclosureRun
from organizations.models import DataPolicy
from support.models import CaseMessage, CaseShare, SharedCaseReply, SupportCase
from support.services import case_open, case_share, shared_case_reply
from tests.conftest import assert_error
from tests.factories import UserFactory
from tests.tamper import bypass_triggers

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = timedelta(days=1)


def _age(model, pk, **times):
    """Move a row back in time (the evidence trigger allows no UPDATE, so around it)."""
    sets = ", ".join(f"{column} = %s" for column in times)
    bypass_triggers(f"UPDATE {model._meta.db_table} SET {sets} WHERE id = %s", [*times.values(), pk])


@pytest.fixture
def agent(db):
    user = UserFactory(email="agent@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="support")[0])
    return user


@pytest.fixture
def acme_with_history(acme, owner, member, admin, globex, outsider, agent):
    """Acme keeps member content for 30 days; each kind has a row just past that and one within."""
    DataPolicy.objects.create(organization=acme, retention_days=30)
    made = {}
    for age, label, seq in ((31, "old", 0), (29, "new", 10)):
        when = NOW - age * DAY
        case = case_open(actor=member.user, subject=f"{label} case", body="Help.", organization=acme)
        share = case_share(actor=agent, case=case)
        shared_case_reply(actor_membership=admin, share=share, body="Looking.")
        _age(CaseShare, share.pk, shared_at=when)
        SupportCase.objects.filter(pk=case.pk).update(updated_at=when)
        plain = case_open(actor=member.user, subject=f"{label} plain", body="Hi.", organization=acme)
        SupportCase.objects.filter(pk=plain.pk).update(updated_at=when)
        export = OrganizationExport.objects.create(organization=acme, requested_by=owner.user, status="done")
        export.file.save(f"acme-{label}.json", ContentFile(b"{}"))
        OrganizationExport.objects.filter(pk=export.pk).update(created_at=when)
        run = DisclosureRun.objects.create(
            organization=acme, trigger="schedule", status="finished", started_at=when
        )
        digest = DisclosureDigest.objects.create(
            organization=acme, after_seq=seq, up_to_seq=seq + 10, disclosures=1, recipients=1
        )
        DisclosureDigest.objects.filter(pk=digest.pk).update(created_at=when)
        made[label] = {
            "case": case,
            "share": share,
            "plain": plain,
            "export": export,
            "run": run,
            "digest": digest,
        }
    # Globex keeps everything (no period): its old case stays.
    made["globex_case"] = case_open(actor=outsider.user, subject="Globex", body="Old.", organization=globex)
    SupportCase.objects.filter(pk=made["globex_case"].pk).update(updated_at=NOW - 400 * DAY)
    return made


def test_the_organisation_period_deletes_exactly_what_is_past_it(acme, acme_with_history):
    old, new = acme_with_history["old"], acme_with_history["new"]
    counts = organization_retention_apply(organization_id=acme.pk)

    assert not CaseShare.objects.filter(pk=old["share"].pk).exists()
    assert CaseShare.objects.filter(pk=new["share"].pk).exists()
    assert SharedCaseReply.objects.filter(share=new["share"]).count() == 1
    assert not SharedCaseReply.objects.filter(share_id=old["share"].pk).exists()
    assert not SupportCase.objects.filter(pk__in=[old["case"].pk, old["plain"].pk]).exists()
    assert SupportCase.objects.filter(pk__in=[new["case"].pk, new["plain"].pk]).count() == 2
    assert SupportCase.objects.filter(pk=acme_with_history["globex_case"].pk).exists()
    assert not OrganizationExport.objects.filter(pk=old["export"].pk).exists()
    assert OrganizationExport.objects.filter(pk=new["export"].pk).exists()
    assert list(DisclosureRun.objects.filter(organization=acme).values_list("pk", flat=True)) == [
        new["run"].pk
    ]
    assert not DisclosureDigest.objects.filter(pk=old["digest"].pk).exists()
    assert counts == {
        "shared_case_replies_deleted": 1,
        "share_notices_deleted": 1,
        "shared_cases_deleted": 1,
        "support_cases_emptied": 0,
        "case_pseudonyms_deleted": 0,
        "support_cases_deleted": 2,
        "member_data_exports_deleted": 1,
        "disclosure_digests_deleted": 1,
        "disclosure_runs_deleted": 1,
        "disclosures_past_period": 0,
    }
    event = AuditEvent.objects.filter(event_type=EventType.RETENTION_APPLIED, organization_id=acme.pk).get()
    assert event.changes["retention_days"] == 30 and event.changes["shared_cases_deleted"] == 1
    assert audit_chain_verify()[1] is None
    # A second run the same day finds nothing more.
    again = organization_retention_apply(organization_id=acme.pk)
    assert not any(value for key, value in again.items() if key != "disclosures_past_period")


def test_export_files_go_once_the_purge_commits(acme, acme_with_history, django_capture_on_commit_callbacks):
    name = acme_with_history["old"]["export"].file.name
    with django_capture_on_commit_callbacks(execute=True):
        organization_retention_apply(organization_id=acme.pk)
    assert not default_storage.exists(name)
    assert default_storage.exists(acme_with_history["new"]["export"].file.name)


def test_a_case_with_a_newer_share_is_emptied_not_deleted(acme, member, agent):
    DataPolicy.objects.create(organization=acme, retention_days=30)
    case = case_open(actor=member.user, subject="Secret", body="Details.", organization=acme)
    case_share(actor=agent, case=case)
    SupportCase.objects.filter(pk=case.pk).update(updated_at=NOW - 40 * DAY)
    counts = organization_retention_apply(organization_id=acme.pk)
    case.refresh_from_db()
    assert counts["support_cases_emptied"] == 1 and (case.subject, case.body) == ("", "")
    assert list(case.messages.values_list("kind", flat=True)) == [CaseMessage.Kind.SHARE_NOTICE]


def test_the_daily_job_fans_out_one_task_per_organisation_with_a_period(acme, globex, enqueued):
    DataPolicy.objects.create(organization=acme, retention_days=30)
    DataPolicy.objects.create(organization=globex)  # keeps everything
    result = tasks.retention_daily.run()
    assert enqueued["organization_retention_apply"] == [acme.pk]
    assert set(result) == {"consent", "files", "subject_requests", "evidence_packs"}


def test_evidence_stays_undeletable_outside_the_purge(acme, member, agent):
    share = case_share(
        actor=agent, case=case_open(actor=member.user, subject="S", body="B.", organization=acme)
    )
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM support_caseshare WHERE id = %s", [share.pk])


@pytest.mark.parametrize("days", [0, -5])
def test_a_period_of_zero_or_less_is_refused_and_nothing_changes(acme, owner, days):
    api = APIClient()
    api.force_authenticate(owner.user)
    before = AuditEvent.objects.count()
    response = api.patch("/api/v1/orgs/acme/data-policy", {"retention_days": days}, format="json")
    assert_error(response, 400)
    assert "retention_days" in response.json()["fields"]
    assert not DataPolicy.objects.filter(organization=acme, retention_days__isnull=False).exists()
    assert AuditEvent.objects.count() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        DataPolicy.objects.create(organization=acme, retention_days=days)


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_platform_period_of_zero_or_less_stops_start_up(monkeypatch, value):
    from icentrex.settings.base import _positive_days

    monkeypatch.setenv("CONSENT_RECORD_RETENTION_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match="at least 1 day"):
        _positive_days("CONSENT_RECORD_RETENTION_DAYS", 1825)


# --- iCentrex's own retention of consent records ----------------------------------------


def _decide(key=None) -> ConsentRecord:
    return consent_record(
        subject_key=key or uuid.uuid4(),
        subject_type="visitor",
        method="banner_accept_all",
        revision_hash=current_revision().content_hash,
        signals={},
        new_subject=key is None,
    )


def test_consent_records_past_the_period_go_and_every_seal_still_verifies(settings):
    settings.CONSENT_RECORD_RETENTION_DAYS = 365
    old = [_decide() for _ in range(3)]
    kept_subject = uuid.uuid4()
    recent = [_decide(), _decide(kept_subject)]
    stream_seal("consent")
    for record in old:  # (aged after sealing: they are about to go, so their changed hash never shows)
        _age_record(record, NOW - 400 * DAY)
    ConsentState.objects.filter(subject_key=old[0].subject_key).update(updated_at=NOW - 400 * DAY)

    result = consent_retention_run()

    assert result["consent_records_deleted"] == 3 and result["consent_states_deleted"] == 1
    assert set(ConsentRecord.objects.values_list("seq", flat=True)) == {r.seq for r in recent}
    assert ConsentSealEntry.objects.filter(record_seq__in=[r.seq for r in old]).count() == 3  # leaves stay
    assert stream_verify("consent").intact
    assert audit_chain_verify()[1] is None
    assert consent_retention_run()["consent_records_deleted"] == 0
    # The purge is no cover for tampering: deleting a record it kept is still caught.
    _delete_record(recent[0])
    broken = stream_verify("consent").broken
    assert broken is not None and f"#{recent[0].seq} was deleted" in broken.reason


def test_unsealed_records_wait_for_their_seal(settings):
    settings.CONSENT_RECORD_RETENTION_DAYS = 365
    record = _decide()
    _age_record(record, NOW - 400 * DAY)
    assert consent_retention_run()["consent_records_deleted"] == 0
    stream_seal("consent")
    assert consent_retention_run()["consent_records_deleted"] == 1
    assert stream_verify("consent").intact


def _age_record(record, when):
    bypass_triggers("UPDATE consent_consentrecord SET recorded_at = %s WHERE seq = %s", [when, record.seq])


def _delete_record(record):
    bypass_triggers("DELETE FROM consent_consentrecord WHERE seq = %s", [record.seq])
