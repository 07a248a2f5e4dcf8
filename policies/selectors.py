from dataclasses import dataclass
from datetime import timedelta

import markdown
import nh3
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from audit.evidence import GENESIS_HASH
from audit.merkle import merkle_root
from audit.sealing import SealBreak, seal_hash_break, seal_link_break
from core.hot_data import rechecked

from .diff import VersionChanges, block_changes
from .models import (
    NoticeChunk,
    NoticeRun,
    NoticeSeal,
    PolicyAcceptance,
    PolicyDocument,
    PolicyNotice,
    PolicyVersion,
    notice_hash,
)

_ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_policy(body: str) -> SafeString:
    """Markdown to HTML, then sanitised: whatever the text holds, no script,
    style, event handler or javascript: link reaches the page."""
    html = markdown.markdown(body, extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308  (sanitised by nh3 just above)


def documents() -> QuerySet[PolicyDocument]:
    return PolicyDocument.objects.all()


def access_document(*, slug: str) -> PolicyDocument:
    return get_object_or_404(PolicyDocument, slug=slug)


def published_versions(*, document: PolicyDocument) -> QuerySet[PolicyVersion]:
    return document.versions.filter(status=PolicyVersion.Status.PUBLISHED).order_by("-number")


def version_in_force(*, document: PolicyDocument, at=None) -> PolicyVersion | None:
    """The newest published version whose effective date has come (by ``at``, or now)."""
    return published_versions(document=document).filter(effective_at__lte=at or timezone.now()).first()


def access_published_version(*, document: PolicyDocument, number: int) -> PolicyVersion:
    return get_object_or_404(published_versions(document=document), number=number)


def version_changes(*, old_body: str, new_body: str) -> VersionChanges:
    """What changed between two texts, rendered and sanitised: only the changed
    blocks, one unchanged block of context either side (see diff.py)."""
    return block_changes(old_body, new_body, render=render_policy, allowed_tags=_ALLOWED_TAGS, context=1)


@rechecked
def privacy_policy_label(_previous=None) -> str:
    """ "v<number> <hash prefix>" of the privacy policy in force, recorded with
    every consent (the hottest write, hence kept in process)."""
    version = (
        PolicyVersion.objects.filter(
            document__slug="privacy", status=PolicyVersion.Status.PUBLISHED, effective_at__lte=timezone.now()
        )
        .order_by("-number")
        .values_list("number", "content_hash")
        .first()
    )
    return f"v{version[0]} {version[1][:12]}" if version else settings.PRIVACY_POLICY_VERSION


@rechecked
def versions_in_force(_previous=None) -> list[PolicyVersion]:
    """The version in force of every document (every signed-in page asks,
    hence kept in process). One small query."""
    newest: dict[int, PolicyVersion] = {}
    published = PolicyVersion.objects.filter(
        status=PolicyVersion.Status.PUBLISHED, effective_at__lte=timezone.now()
    ).select_related("document")
    for version in published.order_by("document_id", "number"):
        newest[version.document_id] = version
    return list(newest.values())


@dataclass(frozen=True)
class PendingUpdates:
    to_accept: list[PolicyVersion]  # material: the interstitial asks for acceptance
    to_acknowledge: list[PolicyVersion]  # non-material: the dismissible banner


NO_PENDING_UPDATES = PendingUpdates([], [])


def pending_policy_updates(*, user) -> PendingUpdates:
    """Versions in force that came into force after the person joined and that
    they have not accepted (material) or acknowledged (non-material) yet. No
    query at all unless such a version exists."""
    candidates = [v for v in versions_in_force() if v.effective_at > user.date_joined]
    if not candidates:
        return NO_PENDING_UPDATES
    answered = set(
        PolicyAcceptance.objects.filter(
            version__in=candidates, subject_key__in=_subject_keys(user)
        ).values_list("version_id", flat=True)
    )
    open_ = [v for v in candidates if v.pk not in answered]
    return PendingUpdates([v for v in open_ if v.material], [v for v in open_ if not v.material])


def versions_awaiting_acceptance(*, user) -> list[PolicyVersion]:
    return pending_policy_updates(user=user).to_accept


def _subject_keys(user):
    from subjects.models import SubjectLink

    return SubjectLink.objects.filter(user=user).values("subject_key")


def acceptances_of(*, user):
    return (
        PolicyAcceptance.objects.filter(subject_key__in=_subject_keys(user))
        .select_related("version__document")
        .order_by("-accepted_at")
    )


def policy_updates_of(*, user) -> list[dict]:
    """Every version the person was told about or accepted, newest first, with
    how: the email and in-app notices and the acceptance or acknowledgement."""
    keys = _subject_keys(user)
    by_version: dict[int, dict] = {}

    def row(version):
        return by_version.setdefault(
            version.pk,
            {"version": version, "email": None, "in_app": None, "accepted": None, "notified": None},
        )

    for notice in PolicyNotice.objects.filter(subject_key__in=keys).select_related("version__document"):
        row(notice.version)[notice.channel] = notice
    for answer in PolicyAcceptance.objects.filter(subject_key__in=keys).select_related("version__document"):
        row(answer.version)[answer.kind] = answer
    return sorted(by_version.values(), key=lambda r: r["version"].published_at, reverse=True)


def current_versions_status(*, user, updates: list[dict]) -> list[dict]:
    """For each document, the version in force and where the person stands."""
    answered = {r["version"].pk: r for r in updates}
    status = []
    for version in versions_in_force():
        mine = answered.get(version.pk, {})
        if mine.get("accepted"):
            state = "accepted"
        elif version.effective_at <= user.date_joined:
            state = "agreed_at_signup"
        elif version.material:
            state = "awaiting_acceptance"
        else:
            state = (
                "notified"
                if (mine.get("notified") or mine.get("email") or mine.get("in_app"))
                else "in_force"
            )
        status.append(
            {"version": version, "state": state, "answer": mine.get("accepted") or mine.get("notified")}
        )
    return status


@dataclass(frozen=True)
class NoticeProgress:
    run: NoticeRun
    recipients: int
    channels: dict  # channel -> {"sent", "failed", "pending"}
    rate_per_second: float
    eta_seconds: float | None
    failure_reasons: list[tuple[str, int]]

    @property
    def done_fraction(self) -> float:
        total = self.recipients * len(self.channels) or 1
        finished = sum(c["sent"] + c["failed"] for c in self.channels.values())
        return min(finished / total, 1.0)


_RATE_WINDOW = timedelta(seconds=30)


def notice_progress(*, version: PolicyVersion) -> NoticeProgress | None:
    """Sent / failed / pending per channel, the email rate and time left."""
    run = NoticeRun.objects.filter(version=version).first()
    if run is None:
        return None
    recipients = run.recipient_count or 0
    channels = {c: {"sent": 0, "failed": 0, "pending": recipients} for c in PolicyNotice.Channel.values}
    for channel, state, count in (
        version.notices.values_list("channel", "status").annotate(n=Count("pk")).order_by()
    ):
        if state in PolicyNotice.FINAL:
            channels[channel][state] += count
            channels[channel]["pending"] -= count
    email = channels[PolicyNotice.Channel.EMAIL]
    now = timezone.now()
    if run.status == NoticeRun.Status.DONE and run.started_at and run.finished_at:
        elapsed = max((run.finished_at - run.started_at).total_seconds(), 0.001)
        rate = email["sent"] / elapsed
    else:
        recent = version.notices.filter(
            channel=PolicyNotice.Channel.EMAIL,
            status=PolicyNotice.Status.SENT,
            sent_at__gte=now - _RATE_WINDOW,
        ).count()
        rate = recent / _RATE_WINDOW.total_seconds()
    eta = email["pending"] / rate if rate and email["pending"] else (0.0 if not email["pending"] else None)
    reasons = list(
        version.notices.filter(status=PolicyNotice.Status.FAILED)
        .values_list("failure_reason")
        .annotate(n=Count("pk"))
        .order_by("-n")[:5]
    )
    return NoticeProgress(run, recipients, channels, round(rate, 1), eta, reasons)


def notice_runs():
    return NoticeRun.objects.select_related("version__document").order_by("-created_at")


def notice_seals_verify() -> tuple[int, int, SealBreak | None]:
    """Check every notice seal: its chain link, that the notices of its run
    still hash to its Merkle root (an edited, deleted or added notice breaks
    it), and its own hash. Returns (seals checked, notices checked, first break
    or None), like audit.sealing.seals_verify."""
    expected_prev, seals, checked = GENESIS_HASH, 0, 0
    for seal in NoticeSeal.objects.select_related("run__version").order_by("id"):
        seals += 1
        if broken := seal_link_break(seal, expected_prev):
            return seals, checked, broken
        version = seal.run.version
        leaves = []
        fields = ("pk", "subject_key", "channel", "status", "sent_at", "failure_reason", "content_hash")
        for pk, subject_key, channel, state, sent_at, reason, stored in (
            version.notices.order_by("pk").values_list(*fields).iterator(chunk_size=5000)
        ):
            computed = notice_hash(
                version_hash=version.content_hash,
                subject_key=subject_key,
                channel=channel,
                status=state,
                sent_at=sent_at,
                failure_reason=reason,
            )
            if computed != stored:
                return seals, checked, SealBreak(seal.pk, f"notice #{pk} was edited")
            leaves.append(stored)
        if len(leaves) != seal.notice_count:
            return seals, checked, SealBreak(seal.pk, "notices were deleted or added after sealing")
        if merkle_root(leaves) != seal.merkle_root:
            return seals, checked, SealBreak(seal.pk, "the notices do not match the Merkle root")
        if broken := seal_hash_break(seal):
            return seals, checked, broken
        checked += len(leaves)
        expected_prev = seal.hash
    return seals, checked, None


@dataclass(frozen=True)
class NoticeRunFigures:
    run_id: int
    recipients: int
    chunks_done: int
    chunks: int


def notice_runs_unfinished() -> list[NoticeRunFigures]:
    """Runs still fanning out, with how many of their user ranges are done
    (one query over the chunks, a small table: one row per thousand people)."""
    rows = (
        NoticeRun.objects.exclude(status=NoticeRun.Status.DONE)
        .annotate(
            chunks_total=Count("chunks"),
            chunks_finished=Count("chunks", filter=Q(chunks__status=NoticeChunk.Status.DONE)),
        )
        .values_list("pk", "recipient_count", "chunks_finished", "chunks_total")
    )
    return [NoticeRunFigures(pk, recipients or 0, done, total) for pk, recipients, done, total in rows]
