"""Sharing a case, masked, with the organisation's admins, and their replies."""

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.staff_roles import StaffPermission
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden, RuleViolation
from core.tasks import enqueue_on_commit
from organizations.models import Membership
from organizations.roles import Scope
from organizations.selectors import require_scope

from .. import tasks
from ..mask_kinds import kind_label
from ..masking import KINDS, Detection, Identity, apply_masks, detect, leaks, redaction_report
from ..models import CaseMessage, CasePseudonym, CaseShare, SharedCaseReply, SupportCase
from ..pseudonyms import case_tags, tag_values
from ._common import _clean_text, _lock_case, _require_staff, _touch

FIELDS = ("subject", "body")  # then "reply-1", "reply-2"...: the reporter's later messages
PHRASE_MAX = 200
EXTRA_MAX = 50


def reporter_identity(user: User) -> Identity:
    """What the reporter's profile says about them, for the masking engine."""
    email = user.email or ""
    return Identity(name=user.name or "", email=email, username=email.split("@")[0] if "@" in email else "")


def _share_context(actor, case: SupportCase) -> tuple[Identity, list[str]]:
    """Staff only; the case must name an organisation the reporter still belongs to.
    Returns the reporter's identity and the names of the organisation's other members."""
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    if case.organization_id is None:
        raise RuleViolation(
            _("This case is not about an organisation, so there is nobody to share it with."),
            code="no_organization",
        )
    members = Membership.objects.filter(organization_id=case.organization_id)
    if not members.filter(user_id=case.reporter_id).exists():
        raise RuleViolation(
            _("The reporter no longer belongs to this organisation; the case cannot be shared with it."),
            code="reporter_not_member",
        )
    names = (
        members.exclude(user_id=case.reporter_id).exclude(user__name="").values_list("user__name", flat=True)
    )
    return reporter_identity(case.reporter), sorted(set(names))


def share_texts(case: SupportCase) -> dict[str, str]:
    """What a share of the case holds, by field: its subject and message, then what
    the reporter wrote in the thread later ("reply-1", "reply-2"...), oldest first."""
    texts = {"subject": case.subject, "body": case.body}
    for number, body in enumerate(_reporter_replies(case).values_list("body", flat=True), 1):
        texts[f"reply-{number}"] = body
    return texts


def _reporter_replies(case: SupportCase):
    return CaseMessage.objects.filter(case=case, kind=CaseMessage.Kind.REPORTER).order_by("created_at", "id")


def _detections(texts: dict[str, str], identity: Identity, names) -> dict[str, list[Detection]]:
    return {field: detect(text, reporter=identity, member_names=names) for field, text in texts.items()}


def case_mask_preview(*, actor, case: SupportCase) -> dict:
    """What the masking engine finds in the case's subject and body, and the
    masked texts (everything found masked). Reads only: nothing is written."""
    identity, names = _share_context(actor, case)
    texts = share_texts(case)
    found = _detections(texts, identity, names)
    tags, _new = case_tags(case, texts, found, reporter=identity, member_names=names)
    return {
        "texts": texts,
        "detections": found,
        "masked": {field: apply_masks(texts[field], found[field], tags[field]) for field in texts},
        "report": redaction_report([d for field in texts for d in found[field]]),
        "tags": tags,  # for staff: the tag each detection would be masked as
    }


def _manual(text: str, extra) -> list[Detection]:
    found = []
    for phrase, kind in extra:
        for match in re.finditer(re.escape(phrase), text, re.IGNORECASE):
            found.append(Detection(match.start(), match.end(), kind, "manual"))
    return found


def _merge(detections) -> list[Detection]:
    """Non-overlapping spans: overlapping ones become one mask (the longest says its kind)."""
    merged: list[list[Detection]] = []
    for detection in sorted(detections, key=lambda d: (d.start, -d.end)):
        if merged and detection.start < max(d.end for d in merged[-1]):
            merged[-1].append(detection)
        else:
            merged.append([detection])
    result = []
    for group in merged:
        longest = max(group, key=lambda d: d.end - d.start)
        result.append(Detection(group[0].start, max(d.end for d in group), longest.kind, longest.rule))
    return result


def _clean_extra(extra) -> list[tuple[str, str]]:
    cleaned = []
    if len(extra) > EXTRA_MAX:
        raise RuleViolation(_("Too many phrases to mask at once."), code="too_many_phrases")
    for phrase, kind in extra:
        phrase = " ".join(phrase.split())
        if not phrase:
            continue
        if len(phrase) > PHRASE_MAX:
            raise RuleViolation(_("A phrase to mask is too long."), code="too_long")
        if kind not in KINDS:
            raise RuleViolation(_("Unknown kind of mask."), code="invalid_kind")
        cleaned.append((phrase, kind))
    return cleaned


def case_masked_version(*, actor, case: SupportCase, unmask=(), extra=()) -> dict:
    """The masked texts staff reviewed: detections recomputed here (client spans
    are never trusted), those chosen to be left unmasked dropped (by field,
    start and end) and the manual phrases masked wherever they occur. Refused
    when it would still identify the reporter. Reads only."""
    identity, names = _share_context(actor, case)
    texts = share_texts(case)
    found = _detections(texts, identity, names)
    unmask = {(field, int(start), int(end)) for field, start, end in unmask}
    known = {(field, d.start, d.end) for field in texts for d in found[field]}
    if not unmask <= known:
        raise RuleViolation(
            _("The text to leave unmasked does not match what was found. Preview the case again."),
            code="unknown_detection",
        )
    extra = _clean_extra(extra)
    masks = {}
    for field in texts:
        kept = [d for d in found[field] if (field, d.start, d.end) not in unmask]
        masks[field] = _merge(kept + _manual(texts[field], extra))
    # The same person or value, the same numbered tag: in both fields and in every share of the case.
    tags, new_pseudonyms = case_tags(case, texts, masks, reporter=identity, member_names=names)
    masked = {field: apply_masks(texts[field], masks[field], tags[field]) for field in texts}
    missing = [
        phrase for phrase, _kind in extra if not any(_manual(texts[f], [(phrase, "name")]) for f in texts)
    ]
    if missing:
        raise RuleViolation(
            _("This phrase to mask is not in the case: %(phrase)s") % {"phrase": missing[0]},
            code="phrase_not_found",
        )
    still = sorted({d.kind for field in texts for d in leaks(masked[field], reporter=identity)})
    if still:
        raise Conflict(
            _(
                "Not shared: the masked text would still identify someone (%(kinds)s). "
                "Keep those parts masked, or mask them by hand."
            )
            % {"kinds": ", ".join(kind_label(kind) for kind in still)},
            code="still_identifying",
        )
    return {
        "masked": masked,
        "report": redaction_report([d for field in texts for d in masks[field]]),
        "masks": masks,
        # For staff only (the review screen): which value each tag stands for.
        "pseudonyms": tag_values(texts, masks, tags),
        "new_pseudonyms": new_pseudonyms,
    }


def case_share(*, actor, case: SupportCase, unmask=(), extra=(), request=None) -> CaseShare:
    """Share the case, masked, with its organisation's admins (fail closed: see
    ``case_masked_version``). The reporter is told in their case thread and by
    email, with a link to exactly what was shared."""
    with transaction.atomic():
        case = SupportCase.objects.select_for_update(of=("self",)).select_related("reporter").get(pk=case.pk)
        version = case_masked_version(actor=actor, case=case, unmask=unmask, extra=extra)
        share = CaseShare.objects.create(
            case=case,
            organization_id=case.organization_id,
            masked_subject=version["masked"]["subject"],
            masked_body=version["masked"]["body"],
            masked_replies=[
                {"written_at": written_at.isoformat(), "body": version["masked"][f"reply-{number}"]}
                for number, written_at in enumerate(
                    _reporter_replies(case).values_list("created_at", flat=True), 1
                )
            ],
            redaction_report=version["report"],
            reviewed_by=actor,
        )
        CasePseudonym.objects.bulk_create(version["new_pseudonyms"])
        notice = CaseMessage.objects.create(
            case=case, author=actor, kind=CaseMessage.Kind.SHARE_NOTICE, share=share
        )
        _touch(case)
        audit_record(
            event_type=EventType.SUPPORT_CASE_SHARED,
            actor=actor,
            # The reporter sees it in their activity; the organisation's audit log does not
            # (it would tie the masked case to them).
            subject=case.reporter,
            target=case,
            changes={
                "share": str(share.public_id),
                "organization": case.organization_id,
                "unmasked": len(unmask),
                "manual_masks": len(extra),
                "report": version["report"],
            },
            request=request,
        )
        enqueue_on_commit(tasks.case_share_notify, notice.pk)
    return share


def shared_case_reply(*, actor_membership, share: CaseShare, body: str, request=None) -> SharedCaseReply:
    """An admin of the organisation answers a shared case; it goes to iCentrex
    staff (the assigned staff member is emailed, or the support queue when nobody
    is assigned), never to the reporter."""
    require_scope(actor_membership, Scope.SUPPORT_CASES_READ)
    if share.organization_id != actor_membership.organization_id:
        raise Forbidden(_("This case was not shared with your organisation."), code="not_your_share")
    body = _clean_text(body, limit=SharedCaseReply.BODY_MAX)
    with transaction.atomic():
        case = _lock_case(share.case)
        reply = SharedCaseReply.objects.create(share=share, author=actor_membership.user, body=body)
        _touch(case)
        audit_record(
            event_type=EventType.SUPPORT_SHARED_CASE_REPLY,
            actor=actor_membership.user,
            target=share,
            organization_id=share.organization_id,
            changes={"share": str(share.public_id), "reply": reply.pk},
            request=request,
        )
        enqueue_on_commit(tasks.shared_case_reply_send, reply.pk)
    return reply
