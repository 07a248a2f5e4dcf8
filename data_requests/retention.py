"""Retention: the period in each organisation's data policy, and iCentrex's
own period for proof of consent, applied by a nightly job (tasks.retention_daily).
What goes, and how, is what the register (core.register) says; each
run is audited with its counts."""

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.events import EventType
from audit.services import audit_record

from .models import OrganizationExport, PersonalExport


def organizations_with_retention() -> list[int]:
    from organizations.models import DataPolicy

    return list(
        DataPolicy.objects.filter(retention_days__isnull=False)
        .order_by("organization_id")
        .values_list("organization_id", flat=True)
    )


def organization_retention_apply(*, organization_id: int, now=None) -> dict:
    """Delete (or empty, per the register) what the organisation keeps past its
    retention period: support cases about it and cases shared with it,
    member-data exports, and the disclosure job's runs and digests; disclosures
    older than the period no longer show in its report (the evidence itself is
    iCentrex's). Idempotent: a second run the same day finds nothing more."""
    from domains.models import DisclosureDigest, DisclosureRun, EmailDisclosure
    from organizations.models import DataPolicy
    from support.services import organization_support_retention

    policy = DataPolicy.objects.filter(organization_id=organization_id, retention_days__isnull=False).first()
    if policy is None:
        return {}
    cutoff = (now or timezone.now()) - timedelta(days=policy.retention_days)
    with transaction.atomic():
        counts = organization_support_retention(organization_id=organization_id, cutoff=cutoff)
        exports = OrganizationExport.objects.filter(
            organization_id=organization_id, created_at__lt=cutoff
        ).exclude(status__in=OrganizationExport.ACTIVE)
        files = [name for name in exports.exclude(file="").values_list("file", flat=True)]
        counts["member_data_exports_deleted"] = exports.delete()[0]
        latest_digest = (
            DisclosureDigest.objects.filter(organization_id=organization_id).order_by("-up_to_seq").first()
        )
        counts["disclosure_digests_deleted"] = (
            DisclosureDigest.objects.filter(organization_id=organization_id, created_at__lt=cutoff)
            .exclude(pk=latest_digest.pk if latest_digest else None)
            .delete()[0]
        )
        counts["disclosure_runs_deleted"] = (
            DisclosureRun.objects.filter(
                organization_id=organization_id,
                status=DisclosureRun.Status.FINISHED,
                started_at__lt=cutoff,
            )
            .delete()[1]
            .get(DisclosureRun._meta.label, 0)
        )
        counts["disclosures_past_period"] = EmailDisclosure.objects.filter(
            organization_id=organization_id, disclosed_at__lt=cutoff
        ).count()
        audit_record(
            event_type=EventType.RETENTION_APPLIED,
            organization_id=organization_id,
            changes={"retention_days": policy.retention_days, "cutoff": cutoff.isoformat(), **counts},
        )
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return counts


def consent_retention_run(*, now=None) -> dict:
    from consent.services import consent_retention_apply

    cutoff = (now or timezone.now()) - timedelta(days=settings.CONSENT_RECORD_RETENTION_DAYS)
    return consent_retention_apply(cutoff=cutoff)


def built_files_expire(*, now=None) -> int:
    """Delete the files of download links that were used, have expired or
    were never sent (a used link's file normally went when it was downloaded;
    this catches an interrupted download and every link nobody used)."""
    now = now or timezone.now()
    never_sent = now - timedelta(days=settings.EXPORT_LINK_VALID_DAYS)
    deleted = 0
    for model in (PersonalExport, OrganizationExport):
        spent = model.objects.exclude(file="").filter(
            Q(downloaded_at__isnull=False)
            | Q(expires_at__lte=now)
            # A link that could not be sent (its recipient left or was erased) never will be.
            | Q(link_sent_at__isnull=True, finished_at__lt=never_sent)
        )
        for pk, name in spent.values_list("pk", "file"):
            default_storage.delete(name)
            deleted += model.objects.filter(pk=pk).update(file="")
    return deleted


def evidence_packs_expire(*, now=None) -> int:
    """Delete evidence packs, and their files, ``EvidencePack.KEPT_DAYS``
    after they were made: each is a working file for one request or complaint."""
    from .models import EvidencePack

    cutoff = (now or timezone.now()) - timedelta(days=EvidencePack.KEPT_DAYS)
    expired = EvidencePack.objects.filter(created_at__lt=cutoff)
    files = [name for name in expired.exclude(file="").values_list("file", flat=True)]
    with transaction.atomic():
        deleted = expired.delete()[0]
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return deleted


def subject_request_log_expire(*, now=None) -> int:
    """Delete answered requests older than the log's period (counted from the
    answer); open ones stay whatever their age. Audited with the count."""
    from dateutil.relativedelta import relativedelta

    from .models import SubjectRequest

    cutoff = (now or timezone.now()) - relativedelta(months=settings.SUBJECT_REQUEST_LOG_MONTHS)
    with transaction.atomic():
        deleted = (
            SubjectRequest.objects.filter(closed_at__lt=cutoff)
            .exclude(outcome=SubjectRequest.Outcome.OPEN)
            .delete()[1]
            .get(SubjectRequest._meta.label, 0)
        )
        if deleted:
            audit_record(
                event_type=EventType.RETENTION_APPLIED,
                changes={"subject_requests_deleted": deleted, "cutoff": cutoff.isoformat()},
            )
    return deleted
