import email.policy
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends import smtp
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.staff_roles import StaffPermission, require_staff_permission
from audit.events import EventType
from audit.merkle import merkle_root
from audit.sealing import seal_chain_append, seal_lock
from audit.services import audit_record
from core.errors import Conflict, RuleViolation
from core.mail import delivery_error, render_plain_text, render_subject, with_controller_footer
from core.net import client_ip, truncate_ip
from core.ratelimit import rate_limit_consume
from core.tasks import enqueue_on_commit
from integrations.services import processor_shares_record
from subjects.models import SubjectLink
from subjects.services import subject_key_for_user, subject_links_ensure

from . import tasks
from .models import (
    NOTICE_ENTRY_FIELDS,
    NoticeChunk,
    NoticeEntry,
    NoticeRun,
    NoticeSeal,
    PolicyAcceptance,
    PolicyDocument,
    PolicyNotice,
    PolicyVersion,
    notice_entry_hash,
)
from .selectors import published_versions

logger = logging.getLogger(__name__)


def _require_officer(actor) -> None:
    require_staff_permission(
        actor,
        StaffPermission.POLICIES_PUBLISH,
        message=_("Only privacy officers publish policies."),
        code="not_privacy_officer",
    )


def policy_draft_create(
    *,
    actor,
    document: PolicyDocument,
    body: str,
    summary: str,
    effective_at,
    material: bool,
    publish: bool = False,
    request=None,
) -> PolicyVersion:
    """Save a draft, and with ``publish`` publish it at once: if publishing is
    refused, the draft is not kept either."""
    _require_officer(actor)
    if not body.strip():
        raise RuleViolation(_("The policy text is empty."), code="empty_version")
    with transaction.atomic():
        version = PolicyVersion.objects.create(
            document=document, body=body, summary=summary, effective_at=effective_at, material=material
        )
        audit_record(
            event_type=EventType.POLICY_DRAFTED,
            actor=actor,
            target=version,
            changes={"document": document.slug, "material": material},
            request=request,
        )
        if publish:
            version = policy_publish(actor=actor, version=version, request=request)
    return version


def policy_publish(*, actor, version: PolicyVersion, request=None) -> PolicyVersion:
    """Publish a draft: it gets the next number and a fingerprint, and is never
    changed again. Refused for an empty text or one identical to the newest
    published version."""
    _require_officer(actor)
    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
        if version.is_published:
            raise Conflict(_("This version is already published."), code="already_published")
        if not version.body.strip():
            raise RuleViolation(_("The policy text is empty."), code="empty_version")
        latest = published_versions(document=version.document).first()
        if latest is not None and latest.body.strip() == version.body.strip():
            raise Conflict(_("The text is the same as the version in force."), code="unchanged_version")
        number = (published_versions(document=version.document).aggregate(n=Max("number"))["n"] or 0) + 1
        version.number = number
        # One UPDATE that turns the draft into a published version; after it the
        # row is frozen (the model refuses changes, PostgreSQL by trigger too).
        PolicyVersion.objects.filter(pk=version.pk).update(
            number=number,
            status=PolicyVersion.Status.PUBLISHED,
            published_at=timezone.now(),
            published_by_subject=subject_key_for_user(user=actor),
            content_hash=version.compute_hash(),
        )
        version.refresh_from_db()
        run = NoticeRun.objects.create(
            version=version, last_user_pk=get_user_model().objects.aggregate(m=Max("pk"))["m"] or 0
        )
        # After commit, and robust: if the broker is down the version is still
        # published and the sweep relays the outbox row later.
        enqueue_on_commit(tasks.notices_fan_out, run.pk)
        audit_record(
            event_type=EventType.POLICY_PUBLISHED,
            actor=actor,
            target=version,
            changes={
                "document": version.document.slug,
                "number": number,
                "material": version.material,
                "hash": version.content_hash,
            },
            request=request,
        )
    return version


def policy_accept(
    *, user, version: PolicyVersion, how: str, kind: str = PolicyAcceptance.Kind.ACCEPTED, request=None
) -> PolicyAcceptance:
    """Record that the person accepted a published version, or (``kind``
    notified) saw the notice of a non-material one. Idempotent: a second
    record of the same kind returns the first."""
    if not version.is_published:
        raise RuleViolation(_("Only published versions can be accepted."), code="not_published")
    subject_key = subject_key_for_user(user=user)
    same = PolicyAcceptance.objects.filter(version=version, subject_key=subject_key, kind=kind)
    existing = same.first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return PolicyAcceptance.objects.create(
                version=version,
                subject_key=subject_key,
                kind=kind,
                how=how,
                ip_prefix=truncate_ip(client_ip(request)),
            )
    except IntegrityError:
        return same.get()


# --- Change notices ------------------------------------------------------------
#
# publish -> NoticeRun (outbox, same transaction) -> notices_fan_out task splits
# users into primary-key ranges (NoticeChunk) -> one notices_deliver_chunk task
# per range writes the rows (unique per version, subject, channel) and sends
# the emails -> the last chunk seals the run. notices_sweep (beat) restarts
# whatever a crash or a lost message left behind; a run whose ranges are all
# done but which nobody finished is sealed by the evidence seal task
# (notice_run_seal_next, policies.streams).


def _enqueue_fan_out(run_id: int) -> None:
    tasks.notices_fan_out.delay(run_id)


def _enqueue_chunk(chunk_id: int, countdown: float = 0) -> None:
    tasks.notices_deliver_chunk.apply_async((chunk_id,), countdown=countdown)


def notice_run_plan(*, run_id: int) -> list[int]:
    """Split a run into primary-key ranges of users (once; a repeated call
    returns the chunks still to do)."""
    with transaction.atomic():
        run = NoticeRun.objects.select_for_update().get(pk=run_id)
        if run.status == NoticeRun.Status.PENDING:
            size = settings.POLICY_NOTICE_CHUNK_SIZE
            bounds = _recipients(run).aggregate(first=Min("pk"), count=Count("pk"))
            NoticeChunk.objects.bulk_create(
                [
                    NoticeChunk(run=run, first_pk=first, last_pk=min(first + size - 1, run.last_user_pk))
                    for first in range(bounds["first"] or 1, run.last_user_pk + 1, size)
                ],
                ignore_conflicts=True,
            )
            run.recipient_count = bounds["count"]
            run.status = NoticeRun.Status.RUNNING
            run.started_at = timezone.now()
            run.save(update_fields=["recipient_count", "status", "started_at"])
        if run.status == NoticeRun.Status.DONE:
            return []
        pending = list(run.chunks.filter(status=NoticeChunk.Status.PENDING).values_list("pk", flat=True))
    if not pending:
        notice_run_finish(run_id=run_id)
    return pending


def _recipients(run: NoticeRun):
    """Everyone with an active account when the version was published."""
    return get_user_model().objects.filter(pk__lte=run.last_user_pk, is_active=True).exclude(email="")


def notice_chunk_prepare(*, chunk: NoticeChunk) -> None:
    """Write the chunk's notices: an email notice waiting to be sent and an
    in-app notice, which is delivered as it is written. Re-running it writes
    nothing new (unique per version, subject, channel)."""
    version = chunk.run.version
    user_ids = list(
        _recipients(chunk.run).filter(pk__range=(chunk.first_pk, chunk.last_pk)).values_list("pk", flat=True)
    )
    if not user_ids:
        return
    subject_links_ensure(user_ids=user_ids)
    keys = list(SubjectLink.objects.filter(user_id__in=user_ids).values_list("subject_key", flat=True))
    now = timezone.now()
    rows = []
    for key in keys:
        rows.append(
            PolicyNotice(version=version, chunk=chunk, subject_key=key, channel=PolicyNotice.Channel.EMAIL)
        )
        in_app = PolicyNotice(
            version=version,
            chunk=chunk,
            subject_key=key,
            channel=PolicyNotice.Channel.IN_APP,
            status=PolicyNotice.Status.SENT,
            attempts=1,
            sent_at=now,
        )
        in_app.content_hash = in_app.compute_hash(version_hash=version.content_hash)
        rows.append(in_app)
    with transaction.atomic():
        PolicyNotice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        _notice_entries_write(PolicyNotice.objects.filter(chunk=chunk))


def _notice_entries_write(notices) -> None:
    """Give each of ``notices`` that is final and has no log entry yet its
    entry, in id order, hashed from the row as stored (so the hash sees the
    database's own timestamps). In the transaction that made them final."""
    final = (
        notices.filter(status__in=PolicyNotice.FINAL, log_entry__isnull=True)
        .order_by("pk")
        .values_list(*NOTICE_ENTRY_FIELDS)
    )
    NoticeEntry.objects.bulk_create(
        [NoticeEntry(notice_id=values[0], record_hash=notice_entry_hash(values)) for values in final],
        ignore_conflicts=True,
        batch_size=2000,
    )


def notice_chunk_deliver(*, chunk_id: int) -> float | None:
    """Write and send one chunk's notices. Returns the number of seconds after
    which to come back for retries that are not due yet, or None when the
    chunk is finished. Safe to run twice at once: emails are claimed row by row
    (SKIP LOCKED), so two tasks never send the same notice."""
    chunk = NoticeChunk.objects.select_related("run__version__document").filter(pk=chunk_id).first()
    if chunk is None or chunk.status == NoticeChunk.Status.DONE:
        return None
    notice_chunk_prepare(chunk=chunk)
    mail = mailers.default  # one SMTP connection for the whole range
    try:
        while claimed := _claim_emails(chunk=chunk):
            _send_emails(chunk=chunk, claimed=claimed, mail=mail)
            NoticeChunk.objects.filter(pk=chunk.pk).update(touched_at=timezone.now())
    finally:
        mail.close()
    unfinished = chunk.notices.filter(status__in=[PolicyNotice.Status.PENDING, PolicyNotice.Status.SENDING])
    if unfinished.filter(status=PolicyNotice.Status.SENDING).exists():
        # Another task holds some of them; it (or the sweep) finishes the chunk.
        return None
    next_due = unfinished.order_by("next_attempt_at").values_list("next_attempt_at", flat=True).first()
    if next_due is not None:
        return max((next_due - timezone.now()).total_seconds(), 1.0)
    NoticeChunk.objects.filter(pk=chunk.pk).update(status=NoticeChunk.Status.DONE, touched_at=timezone.now())
    if not NoticeChunk.objects.filter(run_id=chunk.run_id, status=NoticeChunk.Status.PENDING).exists():
        notice_run_finish(run_id=chunk.run_id)
    return None


def _claim_emails(*, chunk: NoticeChunk) -> list[tuple[int, object, int]]:
    now = timezone.now()
    with transaction.atomic():
        due = (
            chunk.notices.filter(channel=PolicyNotice.Channel.EMAIL, status=PolicyNotice.Status.PENDING)
            .exclude(next_attempt_at__gt=now)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "subject_key", "attempts")[: settings.POLICY_NOTICE_EMAIL_BATCH]
        )
        claimed = list(due)
        if claimed:
            PolicyNotice.objects.filter(pk__in=[pk for pk, _key, _n in claimed]).update(
                status=PolicyNotice.Status.SENDING, claimed_at=now
            )
    return claimed


_ACCOUNT_CLOSED = "The account was closed before the notice was sent."
_NOTICE_SHARE_PURPOSE = "Deliver the email telling you about a change to our policies."


def _send_emails(*, chunk: NoticeChunk, claimed, mail) -> None:
    version = chunk.run.version
    _respect_send_rate(len(claimed))
    people = {
        key: (email, language)
        for key, email, language in SubjectLink.objects.filter(
            subject_key__in=[key for _pk, key, _n in claimed], user__is_active=True
        ).values_list("subject_key", "user__email", "user__language")
    }
    texts: dict[str, tuple[str, str, bytes]] = {}
    outcome: dict[int, str] = {}  # notice pk -> "" when sent, else why not
    for pk, key, _attempts in claimed:
        if key not in people:
            outcome[pk] = _ACCOUNT_CLOSED
            continue
        email, language = people[key]
        language = language or settings.LANGUAGE_CODE
        if language not in texts:
            texts[language] = _notice_email_text(version, language)
        subject, body, template = texts[language]
        message = _NoticeEmail(subject, body, to=[email], headers={"Message-ID": _message_id(pk)})
        if isinstance(mail, smtp.EmailBackend):
            message.template = template
        try:
            mail.open()  # no-op while the connection is up; reconnects after an error
            mail.send_messages([message])
            outcome[pk] = ""
        except Exception as exc:  # noqa: BLE001  any delivery error is recorded and retried
            outcome[pk] = delivery_error(exc)
            logger.warning("policy notice %s: %s", pk, outcome[pk])
            mail.close()
    _record_outcomes(version=version, claimed=claimed, outcome=outcome)


_TO_PLACEHOLDER = "notice-recipient@placeholder.invalid"
_ID_PLACEHOLDER = "<notice-id@placeholder.invalid>"


class _PrebuiltMessage:
    """Only what Django's SMTP backend asks of a message (its bytes): other
    backends (console, file, locmem, custom) read headers and charsets too, so
    they are given Django's own message instead (_send_emails)."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, *args, **kwargs) -> bytes:
        return self.data


class _NoticeEmail(EmailMessage):
    """A notice is the same message for everyone reading one language except
    its To and Message-ID headers. Building the MIME message costs about 1.4 ms
    a time, more than sending it, so it is built once per language and batch
    (``template``) and only those two headers change. Addresses that are not
    plain ASCII take Django's ordinary path."""

    template: bytes = b""

    def message(self, **kwargs):
        address = self.to[0]
        if not self.template or not address.isascii() or "\n" in address or "\r" in address:
            return super().message(**kwargs)
        return _PrebuiltMessage(
            self.template.replace(_TO_PLACEHOLDER.encode(), address.encode()).replace(
                _ID_PLACEHOLDER.encode(), self.extra_headers["Message-ID"].encode()
            )
        )


def _message_id(notice_pk: int) -> str:
    # Stable per notice: if a crash makes us resend, mail systems see the same message.
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">")
    return f"<policy-notice-{notice_pk}@{domain}>"


def _notice_email_text(version: PolicyVersion, language: str) -> tuple[str, str, bytes]:
    """Subject, body and the prebuilt SMTP message (see _NoticeEmail)."""
    base = settings.SITE_URL.rstrip("/")
    context = {
        "version": version,
        "document": version.document,
        "link": base + reverse("policy_version", args=[version.document.slug, version.number]),
        "accept_link": base + reverse("policy_accept"),
    }
    with translation.override(language):
        subject = render_subject("policies/email/notice_subject.txt", context)
        body = with_controller_footer(render_plain_text("policies/email/notice_body.txt", context))
    template = EmailMessage(subject, body, to=[_TO_PLACEHOLDER], headers={"Message-ID": _ID_PLACEHOLDER})
    return subject, body, template.message(policy=email.policy.SMTP).as_bytes()


def _record_outcomes(*, version: PolicyVersion, claimed, outcome: dict[int, str]) -> None:
    """Sent and failed notices become final (with their content hash); the
    others wait for their next attempt, each twice as long as the last."""
    now = timezone.now()
    rows = []
    for pk, key, attempts in claimed:
        reason = outcome[pk]
        notice = PolicyNotice(
            pk=pk, subject_key=key, channel=PolicyNotice.Channel.EMAIL, attempts=attempts + 1
        )
        if not reason:
            notice.status, notice.sent_at = PolicyNotice.Status.SENT, now
        elif reason == _ACCOUNT_CLOSED or notice.attempts >= settings.POLICY_NOTICE_MAX_ATTEMPTS:
            notice.status, notice.failure_reason = PolicyNotice.Status.FAILED, reason
        else:
            notice.status, notice.failure_reason = PolicyNotice.Status.PENDING, reason
            notice.next_attempt_at = now + timedelta(
                seconds=settings.POLICY_NOTICE_RETRY_SECONDS * 2 ** (notice.attempts - 1)
            )
        if notice.status in PolicyNotice.FINAL:
            notice.content_hash = notice.compute_hash(version_hash=version.content_hash)
        rows.append(notice)
    with transaction.atomic():
        _update_notices(rows)
        _notice_entries_write(
            PolicyNotice.objects.filter(pk__in=[n.pk for n in rows if n.status in PolicyNotice.FINAL])
        )
        # Handing an address to the email vendor is a share: logged with the send.
        processor_shares_record(
            provider_slug=settings.EMAIL_VENDOR_PROVIDER,
            subject_keys=[n.subject_key for n in rows if n.status == PolicyNotice.Status.SENT],
            fields=["identity.email", "profile.language"],
            purpose=_NOTICE_SHARE_PURPOSE,
        )


_OUTCOME_FIELDS = ["status", "attempts", "sent_at", "failure_reason", "next_attempt_at", "content_hash"]


def _update_notices(rows: list[PolicyNotice]) -> None:
    """One UPDATE for a whole batch. On PostgreSQL from arrays (unnest), since
    Django's bulk_update builds a CASE per field and row, which costs more
    than sending the emails."""
    if connection.vendor != "postgresql":
        PolicyNotice.objects.bulk_update(rows, _OUTCOME_FIELDS, batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE policies_policynotice AS n
               SET status = v.status, attempts = v.attempts, sent_at = v.sent_at,
                   failure_reason = v.failure_reason, next_attempt_at = v.next_attempt_at,
                   content_hash = v.content_hash
              FROM unnest(%s::bigint[], %s::varchar[], %s::smallint[], %s::timestamptz[], %s::varchar[],
                          %s::timestamptz[], %s::varchar[])
                   AS v(id, status, attempts, sent_at, failure_reason, next_attempt_at, content_hash)
             WHERE n.id = v.id
            """,
            [[r.pk for r in rows]] + [[getattr(r, field) for r in rows] for field in _OUTCOME_FIELDS],
        )


def _respect_send_rate(count: int) -> None:
    """Keep all workers together under POLICY_NOTICE_EMAILS_PER_SECOND (one
    window a second, counted in the shared cache); wait for the next window
    when a batch does not fit."""
    limit = settings.POLICY_NOTICE_EMAILS_PER_SECOND
    if not limit:
        return
    cost = min(count, limit)  # a batch larger than the limit still goes, alone in its second
    while not rate_limit_consume(action="policy-notice-emails", key="all", rate=f"{limit}/s", cost=cost):
        time.sleep(0.05)


_NOTICE_SEAL_LOCK_ID = 0x90715E41


def notice_run_finish(*, run_id: int) -> NoticeSeal | None:
    """Mark a run done and seal its notices (once, even if two last chunks
    finish together). One sealer at a time keeps the seal chain linear."""
    with transaction.atomic():
        seal_lock(_NOTICE_SEAL_LOCK_ID)
        run = NoticeRun.objects.select_for_update().select_related("version").get(pk=run_id)
        if run.status == NoticeRun.Status.DONE:
            return None
        if run.chunks.filter(status=NoticeChunk.Status.PENDING).exists():
            return None
        leaves = list(run.version.notices.order_by("pk").values_list("content_hash", flat=True))
        seal = seal_chain_append(
            NoticeSeal, run=run, notice_count=len(leaves), merkle_root=merkle_root(leaves)
        )
        run.status = NoticeRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return seal


def notice_run_seal_next() -> int | None:
    """Finish and seal the next run whose ranges are all done but which nobody
    marked finished (its last worker died between finishing its last range and
    sealing); how many notices the seal covers, or None when there is no such
    run. The notices stream's sealing step (policies.streams), run by the
    evidence seal task."""
    ready = (
        NoticeRun.objects.filter(status=NoticeRun.Status.RUNNING)
        .exclude(chunks__status=NoticeChunk.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for run_id in ready:
        if (seal := notice_run_finish(run_id=run_id)) is not None:
            return seal.notice_count
    return None


def notices_sweep(*, stale_after: timedelta | None = None) -> dict:
    """Pick up what a crash, a lost message or a broker outage left behind
    (Celery beat, every minute). Re-enqueueing work that is in fact still
    running is harmless: the tasks are idempotent."""
    stale_after = (
        stale_after if stale_after is not None else timedelta(seconds=settings.POLICY_NOTICE_STALE_SECONDS)
    )
    before = timezone.now() - stale_after
    relayed = list(
        NoticeRun.objects.filter(status=NoticeRun.Status.PENDING, created_at__lte=before).values_list(
            "pk", flat=True
        )
    )
    for run_id in relayed:
        _enqueue_fan_out(run_id)
    # A worker killed mid-batch leaves notices "sending": whether the email
    # left is unknown, so they go again (same Message-ID) rather than never.
    released = PolicyNotice.objects.filter(status=PolicyNotice.Status.SENDING, claimed_at__lte=before).update(
        status=PolicyNotice.Status.PENDING
    )
    resumed = list(
        NoticeChunk.objects.filter(
            status=NoticeChunk.Status.PENDING, run__status=NoticeRun.Status.RUNNING, touched_at__lte=before
        ).values_list("pk", flat=True)
    )
    for chunk_id in resumed:
        _enqueue_chunk(chunk_id)
    return {"relayed_runs": len(relayed), "released_notices": released, "resumed_chunks": len(resumed)}
