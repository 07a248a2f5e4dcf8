"""Background work of data requests. Every task takes ids, re-reads the
database and is idempotent: builds are claimed with a conditional update,
emails are sent once under a row lock (``link_sent_at``), erasure steps move
``steps_done`` in their own transaction; the minute sweep catches up what a
dead worker or a lost message left behind."""

import csv
import io
import json
import logging
import os
import tempfile
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from core.csv_export import inert_cell
from core.mail import send_templated_email
from core.tasks import EMAIL_TASK_OPTIONS, enqueue_on_commit

logger = logging.getLogger(__name__)

CHUNK = 1000


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.DATA_REQUEST_STALE_SECONDS)


def send_email(*, template: str, **kwargs) -> None:
    send_templated_email(template=f"data_requests/email/{template}", **kwargs)


def _claim(model, build_id: int) -> bool:
    """Pending → running, once: a duplicate message or a second worker gets False."""
    return bool(
        model.objects.filter(pk=build_id, status=model.Status.PENDING).update(
            status=model.Status.RUNNING, started_at=timezone.now(), processed=0
        )
    )


def _failed(model, build_id: int, error: Exception) -> None:
    logger.exception("Build %s of %s failed", build_id, model.__name__)
    model.objects.filter(pk=build_id).update(
        # The kind only: a driver's message can quote the row (names, addresses); the log has the rest.
        status=model.Status.FAILED,
        error=type(error).__name__,
        finished_at=timezone.now(),
    )


# --- Organisation member-data exports ------------------------------------------------------


@shared_task(acks_late=True)
def organization_export_build(export_id: int) -> str:
    """Build an export in primary-key chunks, saving progress after each one.

    Idempotent: a finished or failed export is left alone, and a second copy of
    the task cannot claim a build another worker is running. A crashed build is
    picked up by the sweep and rebuilt from the start; the file is written only
    when complete, and its link is emailed once it is."""
    from organizations.models import Membership

    from .models import OrganizationExport
    from .selectors import member_export_rows

    if not _claim(OrganizationExport, export_id):
        return "skipped"
    export = OrganizationExport.objects.select_related("organization").get(pk=export_id)
    try:
        # The members as of now, counted and copied alike: whoever joins while
        # the build runs is in the next export, so "processed" never passes "total".
        seen = (
            Membership.objects.filter(organization_id=export.organization_id)
            .order_by()
            .aggregate(members=Count("pk"), last=Max("pk"))
        )
        total, through = seen["members"], seen["last"] or 0
        OrganizationExport.objects.filter(pk=export.pk).update(total=total)
        rows, after = [], 0
        while chunk := member_export_rows(
            organization_id=export.organization_id, after_id=after, through_id=through, limit=CHUNK
        ):
            rows.extend(chunk)
            after = chunk[-1]["member_id"]
            OrganizationExport.objects.filter(pk=export.pk).update(
                processed=min(len(rows), total), started_at=timezone.now()
            )
        content = _render(export.format, rows)
        with transaction.atomic():
            export.file.save(
                f"{export.organization.slug}-members-{export.public_id}.{export.format}",
                ContentFile(content),
                save=False,
            )
            OrganizationExport.objects.filter(pk=export.pk).update(
                file=export.file.name,
                status=OrganizationExport.Status.DONE,
                processed=min(len(rows), total),
                finished_at=timezone.now(),
            )
            enqueue_on_commit(organization_export_send_link, export.pk)
    except Exception as error:
        _failed(OrganizationExport, export.pk, error)
        raise
    return "done"


def _render(fmt: str, rows: list[dict]) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["member_id", "name", "email", "role", "primary_owner", "joined_at", "teams"])
        for row in rows:
            cells = [
                row["member_id"],
                row["name"],
                row["email"],
                row["role"],
                row["primary_owner"],
                row["joined_at"],
                "; ".join(row["teams"]),
            ]
            writer.writerow([inert_cell(cell) for cell in cells])
        return out.getvalue().encode()
    return json.dumps({"members": rows}, ensure_ascii=False, indent=1).encode()


def _send_link(model, build_id: int, *, template: str, url_of, context_of, on_sent=None) -> str:
    """Email a finished file's one link to whoever asked for it, once:
    ``link_sent_at`` under the row lock; the token exists only in the email.
    ``on_sent`` runs in the same transaction, after the email went out."""
    from .links import link_issue

    with transaction.atomic():
        built = model.objects.select_for_update(of=("self",)).filter(pk=build_id).first()
        if built is None or built.status != model.Status.DONE or built.link_sent_at:
            return "skipped"
        recipient = built.recipient
        if recipient is None or not recipient.is_active:
            return "skipped"
        token = link_issue(built)
        built.save(update_fields=["link_token_hash", "link_sent_at", "expires_at"])
        # Sent inside the lock: if sending fails the link is not recorded and the retry sends a new one.
        send_email(
            template=template,
            context={
                **context_of(built),
                "url": settings.SITE_URL.rstrip("/") + url_of(built) + f"?t={token}",
                "expires_at": built.expires_at,
            },
            to=recipient.email,
            language=recipient.language,
        )
        if on_sent:
            on_sent(built)
    return "sent"


@shared_task(**EMAIL_TASK_OPTIONS)
def organization_export_send_link(self, export_id: int) -> str:
    from .models import OrganizationExport

    return _send_link(
        OrganizationExport,
        export_id,
        template="organization_export_ready",
        url_of=lambda e: reverse("org_export_download", args=[e.organization.slug, e.public_id]),
        context_of=lambda e: {"organization": e.organization, "export": e},
    )


# --- A person's copy of their data ---------------------------------------------------------


@shared_task(acks_late=True)
def personal_export_build(export_id: int) -> str:
    """Build a person's ZIP (data_requests.personal_export) into a temporary
    file, then store it and email its link. Idempotent like the member-data
    export; a build whose worker died is started again by the sweep."""
    from .models import PersonalExport
    from .personal_export import export_plan, write_export

    if not _claim(PersonalExport, export_id):
        return "skipped"
    export = PersonalExport.objects.select_related("user").get(pk=export_id)
    if not export.user.is_active:  # being erased: nothing more is copied
        PersonalExport.objects.filter(pk=export.pk).update(
            status=PersonalExport.Status.FAILED, error="inactive"
        )
        return "skipped"
    try:
        plan = export_plan(export.user)
        PersonalExport.objects.filter(pk=export.pk).update(total=plan.total)

        def progress(kind: str, rows: int) -> None:
            PersonalExport.objects.filter(pk=export.pk).update(
                current_kind=kind, processed=rows, started_at=timezone.now()
            )

        handle, path = tempfile.mkstemp(prefix="icentrex-export-", suffix=".zip")
        os.close(handle)
        try:
            write_export(user=export.user, path=path, on_progress=progress, plan=plan)
            with open(path, "rb") as built:
                name = default_storage.save(
                    f"exports/personal/icentrex-data-{export.public_id}.zip", File(built)
                )
            with transaction.atomic():
                stored = PersonalExport.objects.filter(
                    pk=export.pk, status=PersonalExport.Status.RUNNING
                ).update(
                    file=name, status=PersonalExport.Status.DONE, current_kind="", finished_at=timezone.now()
                )
                if stored:
                    enqueue_on_commit(personal_export_send_link, export.pk)
            if not stored:  # the person was erased meanwhile: the copy must not outlive them
                default_storage.delete(name)
                return "discarded"
        finally:
            os.unlink(path)
    except Exception as error:
        _failed(PersonalExport, export.pk, error)
        raise
    return "done"


@shared_task(**EMAIL_TASK_OPTIONS)
def personal_export_send_link(self, export_id: int) -> str:
    from .models import PersonalExport
    from .services import subject_request_settle

    return _send_link(
        PersonalExport,
        export_id,
        template="personal_export_ready",
        url_of=lambda e: reverse("privacy_export_download", args=[e.public_id]),
        context_of=lambda e: {"export": e},
        # The person has their copy: the access request is complied with.
        on_sent=lambda e: subject_request_settle(source_ref=e.received_ref, outcome="complied"),
    )


# --- Evidence packs ------------------------------------------------------------------------


@shared_task(acks_late=True)
def evidence_pack_build(pack_id: int) -> str:
    """Build one evidence pack (data_requests.evidence_pack) into a temporary
    file, then store it. Claimed once (waiting -> building); a second run of
    the same message finds it taken."""
    from .evidence_pack import write_pack
    from .models import EvidencePack

    if not EvidencePack.objects.filter(pk=pack_id, status=EvidencePack.Status.PENDING).update(
        status=EvidencePack.Status.RUNNING
    ):
        return "skipped"
    pack = EvidencePack.objects.select_related("user", "requested_by", "subject_request").get(pk=pack_id)
    handle, path = tempfile.mkstemp(prefix="icentrex-evidence-", suffix=".zip")
    os.close(handle)
    try:
        counts = write_pack(pack=pack, path=path)
        with open(path, "rb") as built:
            name = default_storage.save(f"evidence-packs/evidence-{pack.public_id}.zip", File(built))
        stored = EvidencePack.objects.filter(pk=pack.pk, status=EvidencePack.Status.RUNNING).update(
            file=name, counts=counts, status=EvidencePack.Status.DONE, finished_at=timezone.now()
        )
        if not stored:  # the person was erased meanwhile: the pack must not outlive them
            default_storage.delete(name)
            return "discarded"
    except Exception as error:
        EvidencePack.objects.filter(pk=pack_id).update(
            status=EvidencePack.Status.FAILED, error=f"{type(error).__name__}: {error}"[:300]
        )
        raise
    finally:
        os.unlink(path)
    return "done"


# --- Erasure -----------------------------------------------------------------------------


@shared_task(**EMAIL_TASK_OPTIONS)
def erasure_scheduled_notify(self, erasure_id: int) -> str:
    """Tell the person when their account will be deleted and how to cancel.
    Sent once: the request's audit trail has the request itself; a repeated
    task finds ``notified`` in its summary."""
    from .models import ErasureRequest

    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=erasure_id)
            .first()
        )
        if (
            erasure is None
            or erasure.status != ErasureRequest.Status.SCHEDULED
            or erasure.summary.get("notified")
        ):
            return "skipped"
        send_email(
            template="erasure_scheduled",
            context={"erasure": erasure, "url": settings.SITE_URL.rstrip("/") + reverse("privacy_data")},
            to=erasure.user.email,
            language=erasure.user.language,
        )
        erasure.summary = {**erasure.summary, "notified": timezone.now().isoformat()}
        erasure.save(update_fields=["summary"])
    return "sent"


@shared_task(acks_late=True)
def erasure_run(erasure_id: int) -> str:
    from .erasure import erasure_continue

    return erasure_continue(erasure_id=erasure_id)


# --- Sweep and retention -------------------------------------------------------------------


@shared_task
def data_requests_sweep(*, stale_after: timedelta | None = None) -> dict:
    """Every minute (Celery beat): start erasures whose grace period ended;
    resume erasures and restart builds whose worker died (no progress for
    ``DATA_REQUEST_STALE_SECONDS``); re-send links a lost message never sent."""
    from .erasure import erasure_due_start
    from .models import ErasureRequest, OrganizationExport, PersonalExport

    cutoff = timezone.now() - (stale_after if stale_after is not None else _stale_after())
    summary = erasure_due_start()
    stalled = list(
        ErasureRequest.objects.filter(
            status=ErasureRequest.Status.RUNNING, heartbeat_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for erasure_id in stalled:
        erasure_run.delay(erasure_id)
    summary["erasures_resumed"] = len(stalled)
    for model, build, send in (
        (OrganizationExport, organization_export_build, organization_export_send_link),
        (PersonalExport, personal_export_build, personal_export_send_link),
    ):
        model.objects.filter(status=model.Status.RUNNING, started_at__lt=cutoff).update(
            status=model.Status.PENDING
        )
        pending = list(
            model.objects.filter(status=model.Status.PENDING, created_at__lt=cutoff).values_list(
                "pk", flat=True
            )
        )
        for build_id in pending:
            build.delay(build_id)
        unsent = list(
            model.objects.filter(
                status=model.Status.DONE, link_sent_at__isnull=True, finished_at__lt=cutoff
            ).values_list("pk", flat=True)
        )
        for build_id in unsent:
            send.delay(build_id)
        summary[f"{model._meta.model_name}_restarted"] = len(pending)
        summary[f"{model._meta.model_name}_links_resent"] = len(unsent)
    return summary


@shared_task
def retention_daily() -> dict:
    """Every night (Celery beat): each organisation's retention period (one
    task each), iCentrex's own retention of consent records, the files of
    download links that were used or expired, and the request log's period."""
    from .retention import (
        built_files_expire,
        consent_retention_run,
        evidence_packs_expire,
        organizations_with_retention,
        subject_request_log_expire,
    )

    for organization_id in organizations_with_retention():
        organization_retention_apply.delay(organization_id)
    return {
        "consent": consent_retention_run(),
        "files": built_files_expire(),
        "subject_requests": subject_request_log_expire(),
        "evidence_packs": evidence_packs_expire(),
    }


@shared_task(acks_late=True)
def organization_retention_apply(organization_id: int) -> dict:
    from .retention import organization_retention_apply as apply

    return apply(organization_id=organization_id)


# --- Data-subject requests ------------------------------------------------------------------


@shared_task(**EMAIL_TASK_OPTIONS)
def subject_request_send_extension_notice(self, request_id: int) -> str:
    """Tell the person their request's deadline was extended, and why, once:
    ``extension_notice_sent_at`` under the row lock."""
    from .models import SubjectRequest

    with transaction.atomic():
        subject_request = (
            SubjectRequest.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=request_id)
            .first()
        )
        if subject_request is None or not subject_request.extension_months:
            return "skipped"
        if subject_request.extension_notice_sent_at:
            return "skipped"
        send_email(
            template="subject_request_extended",
            context={"subject_request": subject_request},
            to=subject_request.reply_to,
            language=subject_request.user.language if subject_request.user else settings.LANGUAGE_CODE,
        )
        subject_request.extension_notice_sent_at = timezone.now()
        subject_request.save(update_fields=["extension_notice_sent_at"])
    return "sent"


@shared_task
def subject_requests_remind() -> dict:
    """Every hour (Celery beat): claim reminders for requests coming due or
    overdue, then send whatever is claimed and not yet sent (also what an
    earlier run claimed and could not send)."""
    from .models import SubjectRequestReminder
    from .services import subject_requests_remind as claim

    claimed = claim()
    if SubjectRequestReminder.objects.filter(sent_at__isnull=True).exists():
        subject_request_reminders_send.delay()
    return {"claimed": claimed}


@shared_task(**EMAIL_TASK_OPTIONS)
def subject_request_reminders_send(self) -> str:
    """One email to each privacy officer listing the requests coming due: the
    reminders are locked while it is sent and marked sent in the same
    transaction, so a second worker or a repeated message sends nothing more."""
    from accounts.staff_roles import StaffPermission, staff_holding

    from .models import SubjectRequestReminder

    with transaction.atomic():
        pending = list(
            SubjectRequestReminder.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(sent_at__isnull=True)
            .select_related("subject_request")
            .order_by("subject_request__due_on", "pk")[:500]
        )
        if not pending:
            return "skipped"
        officers = (
            staff_holding(StaffPermission.SUBJECT_REQUESTS_MANAGE)
            .filter(is_active=True)
            .distinct()
            .order_by("pk")
        )
        url = settings.SITE_URL.rstrip("/") + reverse("staff_subject_requests")
        for officer in officers:
            send_email(
                template="subject_requests_due",
                context={"reminders": pending, "url": url, "today": timezone.localdate()},
                to=officer.email,
                language=officer.language,
            )
        SubjectRequestReminder.objects.filter(pk__in=[r.pk for r in pending]).update(sent_at=timezone.now())
    if len(pending) == 500:
        subject_request_reminders_send.delay()
    return "sent"
