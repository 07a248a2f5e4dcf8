import csv
import io
import json
import logging
from datetime import timedelta

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

CHUNK = 1000
# A build that has not moved for this long is taken to have died with its worker.
STALE_AFTER = timedelta(minutes=15)


@shared_task(acks_late=True)
def organization_export_build(export_id: int) -> str:
    """Build an export in primary-key chunks, saving progress after each one.

    Idempotent: a finished or failed export is left alone, and a second copy of
    the task cannot claim a build another worker is running (the claim is a
    conditional update). A crashed build is picked up by the sweep below and
    rebuilt from the start; the file is written only when complete."""
    from organizations.models import Membership

    from .models import OrganizationExport
    from .selectors import member_export_rows

    now = timezone.now()
    claimed = OrganizationExport.objects.filter(
        pk=export_id, status=OrganizationExport.Status.PENDING
    ).update(status=OrganizationExport.Status.RUNNING, started_at=now, processed=0)
    if not claimed:
        return "skipped"
    export = OrganizationExport.objects.get(pk=export_id)
    try:
        total = Membership.objects.filter(organization_id=export.organization_id).count()
        OrganizationExport.objects.filter(pk=export.pk).update(total=total)
        rows, after = [], 0
        while True:
            chunk = member_export_rows(organization_id=export.organization_id, after_id=after, limit=CHUNK)
            if not chunk:
                break
            rows.extend(chunk)
            after = chunk[-1]["member_id"]
            OrganizationExport.objects.filter(pk=export.pk).update(
                processed=len(rows), started_at=timezone.now()
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
                processed=len(rows),
                finished_at=timezone.now(),
            )
    except Exception as error:
        logger.exception("Export %s failed", export_id)
        OrganizationExport.objects.filter(pk=export.pk).update(
            status=OrganizationExport.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    return "done"


def _render(fmt: str, rows: list[dict]) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["member_id", "name", "email", "role", "primary_owner", "joined_at", "teams"])
        for row in rows:
            writer.writerow(
                [
                    row["member_id"],
                    row["name"],
                    row["email"],
                    row["role"],
                    row["primary_owner"],
                    row["joined_at"],
                    "; ".join(row["teams"]),
                ]
            )
        return out.getvalue().encode()
    return json.dumps({"members": rows}, ensure_ascii=False, indent=1).encode()


@shared_task
def organization_export_sweep() -> int:
    """Celery beat: re-queue exports whose build died (worker lost) or whose
    message was lost before any worker saw it."""
    from .models import OrganizationExport

    cutoff = timezone.now() - STALE_AFTER
    stale = OrganizationExport.objects.filter(status=OrganizationExport.Status.RUNNING, started_at__lt=cutoff)
    stale.update(status=OrganizationExport.Status.PENDING)
    pending = list(
        OrganizationExport.objects.filter(
            status=OrganizationExport.Status.PENDING, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for export_id in pending:
        organization_export_build.delay(export_id)
    return len(pending)
