"""The email disclosure job's tasks (DESIGN.md, "Background work"): they take
ids, read the database again and are idempotent. They keep the names they had
in organizations.tasks, so queued messages and the beat schedule
(CELERY_BEAT_SCHEDULE) still reach them."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation

from core.mail import render_plain_text, render_subject, with_controller_footer
from core.tasks import EMAIL_TASK_OPTIONS
from organizations.models import Membership
from organizations.roles import Scope, roles_with_scope

from .models import DisclosureDigest, DisclosureLane, DisclosureLetter, DisclosureRun, DomainClaim

LETTER_BATCH = 200
# Batches per task run: a run ends, and queues the next, so a worker is never
# held for long (a shutdown waits for at most this much) and workers share.
LETTER_BATCHES_PER_RUN = 10

# The services enqueue these tasks, so each task imports the services it runs when it runs.


@shared_task(name="organizations.tasks.disclosure_lane_process", acks_late=True)
def disclosure_lane_process(run_id: int, lane: int) -> str:
    """Work through one lane of a disclosure run, range by range. Safe to run
    twice at once or again after a crash (see services.disclosure_lane_step)."""
    from .services import disclosure_lane_step

    try:
        while disclosure_lane_step(run_id=run_id, lane=lane):
            pass
    except Exception as error:
        # The run stays "running" (the sweep takes the lane up again); staff see why it stopped.
        DisclosureRun.objects.filter(pk=run_id).update(error=f"{type(error).__name__}: {error}"[:300])
        raise
    return "done"


@shared_task(name="organizations.tasks.disclosure_scheduled_run")
def disclosure_scheduled_run() -> int | None:
    """Celery beat, hourly: a run over every verified claim and person (new
    team names, claims whose waiting time is over, anything a trigger missed).
    Skipped while the previous one is still going."""
    from .services import disclosure_run_start

    busy = DisclosureRun.objects.filter(
        status=DisclosureRun.Status.RUNNING, organization__isnull=True, user__isnull=True, dry_run=False
    ).exists()
    if busy:
        return None
    return disclosure_run_start(trigger=DisclosureRun.Trigger.SCHEDULE).pk


@shared_task(name="organizations.tasks.disclosure_sweep")
def disclosure_sweep() -> dict:
    """Celery beat, every minute: resume runs whose worker went quiet (died,
    or the broker lost the message). New disclosures are sealed by
    audit.tasks.evidence_seal with the other evidence streams."""
    from .services import disclosure_run_finish

    stale = timezone.now() - timedelta(seconds=settings.EMAIL_DISCLOSURE_STALE_SECONDS)
    resumed = list(
        DisclosureLane.objects.filter(finished_at__isnull=True, run__status=DisclosureRun.Status.RUNNING)
        .filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, run__started_at__lt=stale))
        .values_list("run_id", "number")
    )
    for run_id, lane in resumed:
        disclosure_lane_process.delay(run_id, lane)
    # A worker that died between its last range and marking the run finished.
    unfinished_lanes = DisclosureLane.objects.filter(run=OuterRef("pk"), finished_at__isnull=True)
    done = DisclosureRun.objects.filter(status=DisclosureRun.Status.RUNNING).exclude(Exists(unfinished_lanes))
    for run_id in done.values_list("pk", flat=True):
        disclosure_run_finish(run_id=run_id)
    # Letters whose send message was lost (or whose send failed and gave up).
    letters = DisclosureLetter.objects.filter(sent_at__isnull=True, created_at__lt=stale).exists()
    if letters:
        disclosure_letters_send.delay()
    return {"resumed": resumed, "letters": letters}


@shared_task(name="domains.tasks.disclosure_letters_send", **EMAIL_TASK_OPTIONS)
def disclosure_letters_send(self) -> int:
    """Tell people by email that their work address was disclosed: batches of
    letters claimed under row locks (two workers never take the same one),
    each batch sent over one connection and marked sent in the transaction
    that sends it. Safe to run twice at once or again after a crash."""
    sent = 0
    for _ in range(LETTER_BATCHES_PER_RUN):
        with transaction.atomic():
            batch = list(
                DisclosureLetter.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(sent_at__isnull=True, user__is_active=True)
                .select_related("user")
                .order_by("pk")[:LETTER_BATCH]
            )
            if not batch:
                return sent
            link = settings.SITE_URL.rstrip("/") + reverse("privacy_disclosures")
            domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">")
            messages = []
            for letter in batch:
                context = {"letter": letter, "user": letter.user, "link": link}
                with translation.override(letter.user.language or settings.LANGUAGE_CODE):
                    subject = render_subject("domains/email/disclosure_letter_subject.txt", context)
                    body = with_controller_footer(
                        render_plain_text("domains/email/disclosure_letter_body.txt", context)
                    )
                message = EmailMessage(subject, body, None, [letter.user.email])
                # The same Message-ID if a letter is ever sent twice, so mail clients fold the copies.
                message.extra_headers["Message-ID"] = f"<disclosure-letter-{letter.pk}@{domain}>"
                messages.append(message)
            mailers.default.send_messages(messages)
            DisclosureLetter.objects.filter(pk__in=[letter.pk for letter in batch]).update(
                sent_at=timezone.now()
            )
            sent += len(batch)
    disclosure_letters_send.delay()  # more may wait: the next run takes them
    return sent


@shared_task(name="organizations.tasks.disclosure_digests_send")
def disclosure_digests_send() -> int:
    """Celery beat, daily: one digest per organisation with new disclosures."""
    from .services import disclosure_digest_prepare

    prepared = 0
    # Organisations that ever verified a domain (a short list, unlike the disclosures).
    organization_ids = (
        DomainClaim.objects.filter(verified_at__isnull=False)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    for organization_id in organization_ids.order_by("organization_id"):
        digest = disclosure_digest_prepare(organization_id=organization_id)
        if digest is not None:
            disclosure_digest_email.delay(digest.pk)
            prepared += 1
    return prepared


@shared_task(name="organizations.tasks.disclosure_digest_email", **EMAIL_TASK_OPTIONS)
def disclosure_digest_email(self, digest_id: int) -> str:
    """Email a digest to the organisation's owners and administrators (each in
    their language), once: ``emailed_at`` under the row lock makes a retried or
    duplicated task a no-op."""
    with transaction.atomic():
        digest = (
            DisclosureDigest.objects.select_for_update(of=("self",))
            .select_related("organization")
            .filter(pk=digest_id)
            .first()
        )
        if digest is None or digest.emailed_at:
            return "skipped"
        readers = Membership.objects.filter(
            organization_id=digest.organization_id,
            role__in=roles_with_scope(Scope.DISCLOSURES_READ),
            user__is_active=True,
        ).select_related("user")
        link = (
            settings.SITE_URL.rstrip("/")
            + reverse("org_disclosures", args=[digest.organization.slug])
            + f"?after={digest.after_seq}"
        )
        messages = []
        for membership in readers:
            context = {"digest": digest, "organization": digest.organization, "link": link}
            with translation.override(membership.user.language or settings.LANGUAGE_CODE):
                subject = render_subject("domains/email/disclosure_digest_subject.txt", context)
                body = with_controller_footer(
                    render_plain_text("domains/email/disclosure_digest_body.txt", context)
                )
            messages.append(EmailMessage(subject, body, None, [membership.user.email]))
        if messages:
            mailers.default.send_messages(messages)
        digest.recipients, digest.emailed_at = len(messages), timezone.now()
        digest.save(update_fields=["recipients", "emailed_at"])
    return "sent"
