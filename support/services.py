import re

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import user_delete_profile, user_reinstate, user_suspend
from accounts.staff_roles import StaffPermission, require_staff_permission, staff_has_permission
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden, RuleViolation
from core.tasks import enqueue_on_commit
from organizations.models import Membership, Organization
from organizations.services import memberships_end_for_deleted_account

from . import tasks
from .mask_kinds import kind_label
from .masking import KINDS, Detection, Identity, apply_masks, detect, leaks, mask_person, redaction_report
from .models import (
    CaseMessage,
    CaseShare,
    MinorReport,
    PrivacyQuestion,
    QuestionReply,
    SharedCaseReply,
    SupportCase,
)


def _require_staff(actor, permission: StaffPermission) -> None:
    require_staff_permission(
        actor,
        permission,
        message=_("Only support staff and privacy officers handle reports and questions."),
        code="not_support_staff",
    )


def _signed_in(actor) -> User | None:
    """The public forms need no account; a signed-in sender is recorded as the actor."""
    return actor if actor is not None and actor.is_authenticated else None


# --- Minor reports ---------------------------------------------------------------


def minor_report_create(
    *,
    actor,
    reporter_email: str,
    reported_email: str,
    reported_details: str,
    description: str,
    language: str = "",
    request=None,
) -> MinorReport:
    """File a report from the public form and acknowledge it by email once it is
    committed."""
    with transaction.atomic():
        report = MinorReport.objects.create(
            reporter_email=reporter_email,
            reported_email=reported_email,
            reported_details=reported_details.strip(),
            description=description.strip(),
            language=language,
        )
        # Nothing personal in the event: the reporter may have no account, and the
        # reported person must not find the report in their own activity.
        audit_record(
            event_type=EventType.MINOR_REPORT_RECEIVED,
            actor=_signed_in(actor),
            target=report,
            request=request,
        )
        enqueue_on_commit(tasks.minor_report_acknowledge, report.pk)
    return report


def _lock_report(report: MinorReport) -> MinorReport:
    return MinorReport.objects.select_for_update(of=("self",)).select_related("account").get(pk=report.pk)


def _move_open_reports(*, account: User, status: str, actor) -> list[int]:
    """Every open report about the same account follows what was done to it, so
    a second report about a suspended or deleted account does not wait in the queue."""
    reports = MinorReport.objects.select_for_update().filter(account=account, status__in=MinorReport.OPEN)
    ids = sorted(reports.values_list("pk", flat=True))
    fields = {"status": status, "handled_by": actor, "handled_at": timezone.now()}
    if status == MinorReport.Status.DELETED:
        # What the reports say about the child goes with the account.
        fields.update(reported_email="", reported_details="", description="")
    MinorReport.objects.filter(pk__in=ids).update(**fields)
    return ids


def minor_report_suspend_account(*, actor, report: MinorReport, account: User, request=None) -> MinorReport:
    """Suspend the reported account at once (no sign-in, sessions and tokens
    end) and tie the report to it."""
    _require_staff(actor, StaffPermission.MINOR_REPORTS_HANDLE)
    with transaction.atomic():
        report = _lock_report(report)
        if report.status != MinorReport.Status.NEW:
            raise Conflict(_("This report has already been handled."), code="report_handled")
        # Tie this report and any other new one naming the same address to the
        # account, then move them along together. Reports are locked before the
        # account, in every action, so two staff members cannot deadlock.
        MinorReport.objects.filter(
            Q(pk=report.pk)
            | Q(status=MinorReport.Status.NEW, account__isnull=True, reported_email__iexact=account.email)
        ).update(account=account)
        _move_open_reports(account=account, status=MinorReport.Status.SUSPENDED, actor=actor)
        user_suspend(actor=actor, user=account, context={"minor_report": report.pk}, request=request)
    report.refresh_from_db()
    return report


def minor_report_delete_account(*, actor, report: MinorReport, request=None) -> MinorReport:
    """Delete a suspended account: its organisation memberships end (as the
    organisations' rules allow), its profile data goes and the person is
    crypto-shredded; the reports' details about them go too."""
    _require_staff(actor, StaffPermission.MINOR_REPORTS_HANDLE)
    with transaction.atomic():
        report = _lock_report(report)
        if report.status != MinorReport.Status.SUSPENDED:
            raise Conflict(_("Suspend the account before deleting it."), code="not_suspended")
        account = report.account
        ended = memberships_end_for_deleted_account(actor=actor, user=account, request=request)
        report_ids = _move_open_reports(account=account, status=MinorReport.Status.DELETED, actor=actor)
        user_delete_profile(
            actor=actor,
            user=account,
            context={"minor_reports": report_ids, **ended},
            request=request,
        )
    report.refresh_from_db()
    return report


def minor_report_dismiss(*, actor, report: MinorReport, request=None) -> MinorReport:
    """Close a report without deleting anything. A suspended account is
    reinstated (the person sets a new password through password reset)."""
    _require_staff(actor, StaffPermission.MINOR_REPORTS_HANDLE)
    with transaction.atomic():
        report = _lock_report(report)
        if not report.is_open:
            raise Conflict(_("This report has already been handled."), code="report_handled")
        reinstated = False
        if report.status == MinorReport.Status.SUSPENDED:
            # Reinstate only when no other report still holds the account suspended.
            others = MinorReport.objects.filter(
                account=report.account, status=MinorReport.Status.SUSPENDED
            ).exclude(pk=report.pk)
            if not others.exists():
                user_reinstate(
                    actor=actor, user=report.account, context={"minor_report": report.pk}, request=request
                )
                reinstated = True
        previous = report.status
        report.status = MinorReport.Status.DISMISSED
        report.handled_by, report.handled_at = actor, timezone.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
        audit_record(
            event_type=EventType.MINOR_REPORT_DISMISSED,
            actor=actor,
            target=report,
            changes={"status": [previous, report.status], "account_reinstated": reinstated},
            request=request,
        )
    return report


# --- Privacy questions -------------------------------------------------------------


def privacy_question_create(
    *, actor, name: str, email: str, subject: str, message: str, language: str = "", request=None
) -> PrivacyQuestion:
    with transaction.atomic():
        question = PrivacyQuestion.objects.create(
            name=name.strip(), email=email, subject=subject, message=message.strip(), language=language
        )
        audit_record(
            event_type=EventType.PRIVACY_QUESTION_RECEIVED,
            actor=_signed_in(actor),
            target=question,
            request=request,
        )
        enqueue_on_commit(tasks.privacy_question_acknowledge, question.pk)
    return question


def privacy_question_reply(*, actor, question: PrivacyQuestion, body: str, request=None) -> QuestionReply:
    """Store a staff reply and email it once committed; the question counts as answered."""
    _require_staff(actor, StaffPermission.PRIVACY_QUESTIONS_HANDLE)
    body = body.strip()
    with transaction.atomic():
        question = PrivacyQuestion.objects.select_for_update().get(pk=question.pk)
        if question.status == PrivacyQuestion.Status.CLOSED:
            raise Conflict(_("The question is closed. Reopen it to reply."), code="question_closed")
        reply = QuestionReply.objects.create(question=question, author=actor, body=body)
        previous = question.status
        question.status = PrivacyQuestion.Status.ANSWERED
        question.save(update_fields=["status"])
        audit_record(
            event_type=EventType.PRIVACY_QUESTION_ANSWERED,
            actor=actor,
            target=question,
            changes={"reply": reply.pk, "status": [previous, question.status]},
            request=request,
        )
        enqueue_on_commit(tasks.question_reply_send, reply.pk)
    return reply


def _question_set_status(*, actor, question: PrivacyQuestion, status_for, event_type, request=None):
    """Lock the question, work out its new status from the locked row
    (``status_for``; None for "no change") and record the change."""
    _require_staff(actor, StaffPermission.PRIVACY_QUESTIONS_HANDLE)
    with transaction.atomic():
        question = PrivacyQuestion.objects.select_for_update().get(pk=question.pk)
        status = status_for(question)
        if status is None or status == question.status:
            return question
        previous = question.status
        question.status = status
        question.save(update_fields=["status"])
        audit_record(
            event_type=event_type,
            actor=actor,
            target=question,
            changes={"status": [previous, status]},
            request=request,
        )
    return question


def privacy_question_close(*, actor, question: PrivacyQuestion, request=None) -> PrivacyQuestion:
    return _question_set_status(
        actor=actor,
        question=question,
        status_for=lambda _question: PrivacyQuestion.Status.CLOSED,
        event_type=EventType.PRIVACY_QUESTION_CLOSED,
        request=request,
    )


def _reopened_status(question: PrivacyQuestion) -> str | None:
    """Back into the inbox: answered if we replied before, otherwise new."""
    if question.status != PrivacyQuestion.Status.CLOSED:
        return None
    return PrivacyQuestion.Status.ANSWERED if question.replies.exists() else PrivacyQuestion.Status.NEW


def privacy_question_reopen(*, actor, question: PrivacyQuestion, request=None) -> PrivacyQuestion:
    return _question_set_status(
        actor=actor,
        question=question,
        status_for=_reopened_status,
        event_type=EventType.PRIVACY_QUESTION_REOPENED,
        request=request,
    )


# --- Support cases -----------------------------------------------------------------


def _require_signed_in(actor) -> None:
    if actor is None or not actor.is_authenticated:
        raise Forbidden(_("Sign in to open a support case."), code="not_signed_in")


def _clean_text(value: str, *, limit: int = SupportCase.BODY_MAX) -> str:
    """The forms and the API check lengths first; this keeps a direct caller
    from storing an empty or oversized message all the same."""
    value = value.strip()
    if not value:
        raise RuleViolation(_("The message is empty."), code="blank")
    if len(value) > limit:
        raise RuleViolation(
            _("The message is too long: at most %(limit)s characters.") % {"limit": limit}, code="too_long"
        )
    return value


def _lock_case(case: SupportCase) -> SupportCase:
    return SupportCase.objects.select_for_update(of=("self",)).get(pk=case.pk)


def _touch(case: SupportCase, *, status: str | None = None) -> str:
    """Save the case's new status (if any) and bump updated_at; returns the previous status."""
    previous = case.status
    if status is not None:
        case.status = status
    case.save(update_fields=["status", "updated_at"])
    return previous


def case_open(
    *, actor, subject: str, body: str, organization: Organization | None = None, request=None
) -> SupportCase:
    """Open a case for the signed-in person. The organisation, if given, must be
    one they belong to; otherwise nothing is written."""
    _require_signed_in(actor)
    subject = " ".join(subject.split())
    if not subject:
        raise RuleViolation(_("Give the case a subject."), code="blank")
    if len(subject) > SupportCase.SUBJECT_MAX:
        raise RuleViolation(_("The subject is too long."), code="too_long")
    body = _clean_text(body)
    if (
        organization is not None
        and not Membership.objects.filter(user=actor, organization=organization).exists()
    ):
        raise RuleViolation(
            _("You can only link a case to an organisation you belong to."), code="organization_not_yours"
        )
    with transaction.atomic():
        case = SupportCase.objects.create(
            reporter=actor, subject=subject, body=body, organization=organization
        )
        audit_record(
            event_type=EventType.SUPPORT_CASE_OPENED,
            actor=actor,
            target=case,
            changes={"organization": organization.pk if organization else None},
            request=request,
        )
    return case


def case_reply_by_reporter(*, actor, case: SupportCase, body: str, request=None) -> CaseMessage:
    """The reporter adds to their case; it goes back to staff (status open)."""
    _require_signed_in(actor)
    body = _clean_text(body)
    with transaction.atomic():
        case = _lock_case(case)
        if case.reporter_id != actor.pk:
            raise Forbidden(_("This is not your case."), code="not_your_case")
        if case.status == SupportCase.Status.CLOSED:
            raise Conflict(
                _("This case is closed. Open a new case to write to us again."), code="case_closed"
            )
        message = CaseMessage.objects.create(
            case=case, author=actor, kind=CaseMessage.Kind.REPORTER, body=body
        )
        previous = _touch(case, status=SupportCase.Status.OPEN)
        audit_record(
            event_type=EventType.SUPPORT_CASE_REPORTER_REPLIED,
            actor=actor,
            target=case,
            changes={"message": message.pk, "status": [previous, case.status]},
            request=request,
        )
    return message


def case_assign(*, actor, case: SupportCase, assignee: User | None, request=None) -> SupportCase:
    """Give the case to a support staff member (oneself or another), or to nobody."""
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    if assignee is not None and not staff_has_permission(assignee, StaffPermission.SUPPORT_CASES_HANDLE):
        raise RuleViolation(
            _("Cases can only be assigned to support staff or privacy officers."), code="assignee_not_staff"
        )
    with transaction.atomic():
        case = _lock_case(case)
        if case.assigned_to_id == (assignee.pk if assignee else None):
            return case
        previous = case.assigned_to_id
        case.assigned_to = assignee
        case.save(update_fields=["assigned_to", "updated_at"])
        audit_record(
            event_type=EventType.SUPPORT_CASE_ASSIGNED,
            actor=actor,
            target=case,
            changes={"assigned_to": [previous, case.assigned_to_id]},
            request=request,
        )
    return case


def case_set_status(*, actor, case: SupportCase, status: str, request=None) -> SupportCase:
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    if status not in SupportCase.Status.values:
        raise RuleViolation(_("Unknown status."), code="invalid_status")
    with transaction.atomic():
        case = _lock_case(case)
        if case.status == status:
            return case
        previous = _touch(case, status=status)
        audit_record(
            event_type=EventType.SUPPORT_CASE_STATUS_CHANGED,
            actor=actor,
            target=case,
            changes={"status": [previous, status]},
            request=request,
        )
    return case


def case_add_internal_note(*, actor, case: SupportCase, body: str, request=None) -> CaseMessage:
    """A note for staff only: never shown or sent to the reporter."""
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    body = _clean_text(body)
    with transaction.atomic():
        case = _lock_case(case)
        note = CaseMessage.objects.create(
            case=case, author=actor, kind=CaseMessage.Kind.INTERNAL_NOTE, body=body
        )
        _touch(case)
        audit_record(
            event_type=EventType.SUPPORT_CASE_NOTE_ADDED,
            actor=actor,
            target=case,
            changes={"message": note.pk},
            request=request,
        )
    return note


def case_reply_by_staff(*, actor, case: SupportCase, body: str, request=None) -> CaseMessage:
    """Answer the reporter: shown in their privacy centre and emailed once the
    reply is committed; the case then waits on the reporter."""
    _require_staff(actor, StaffPermission.SUPPORT_CASES_HANDLE)
    body = _clean_text(body)
    with transaction.atomic():
        case = _lock_case(case)
        if case.status == SupportCase.Status.CLOSED:
            raise Conflict(_("The case is closed. Reopen it to reply."), code="case_closed")
        reply = CaseMessage.objects.create(
            case=case, author=actor, kind=CaseMessage.Kind.STAFF_REPLY, body=body
        )
        previous = _touch(case, status=SupportCase.Status.WAITING_ON_REPORTER)
        audit_record(
            event_type=EventType.SUPPORT_CASE_STAFF_REPLIED,
            actor=actor,
            target=case,
            changes={"message": reply.pk, "status": [previous, case.status]},
            request=request,
        )
        enqueue_on_commit(tasks.case_reply_send, reply.pk)
    return reply


# --- Sharing a case, masked, with the organisation's admins ---------------------------

FIELDS = ("subject", "body")
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


def _detections(case: SupportCase, identity: Identity, names) -> dict[str, list[Detection]]:
    texts = {"subject": case.subject, "body": case.body}
    return {field: detect(texts[field], reporter=identity, member_names=names) for field in FIELDS}


def case_mask_preview(*, actor, case: SupportCase) -> dict:
    """What the masking engine finds in the case's subject and body, and the
    masked texts (everything found masked). Reads only: nothing is written."""
    identity, names = _share_context(actor, case)
    found = _detections(case, identity, names)
    texts = {"subject": case.subject, "body": case.body}
    return {
        "texts": texts,
        "detections": {field: found[field] for field in FIELDS},
        "masked": {field: apply_masks(texts[field], found[field]) for field in FIELDS},
        "report": redaction_report([d for field in FIELDS for d in found[field]]),
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
    found = _detections(case, identity, names)
    unmask = {(field, int(start), int(end)) for field, start, end in unmask}
    known = {(field, d.start, d.end) for field in FIELDS for d in found[field]}
    if not unmask <= known:
        raise RuleViolation(
            _("The text to leave unmasked does not match what was found. Preview the case again."),
            code="unknown_detection",
        )
    extra = _clean_extra(extra)
    texts = {"subject": case.subject, "body": case.body}
    masks, masked = {}, {}
    for field in FIELDS:
        kept = [d for d in found[field] if (field, d.start, d.end) not in unmask]
        masks[field] = _merge(kept + _manual(texts[field], extra))
        masked[field] = apply_masks(texts[field], masks[field])
    missing = [
        phrase for phrase, _kind in extra if not any(_manual(texts[f], [(phrase, "name")]) for f in FIELDS)
    ]
    if missing:
        raise RuleViolation(
            _("This phrase to mask is not in the case: %(phrase)s") % {"phrase": missing[0]},
            code="phrase_not_found",
        )
    still = sorted({d.kind for field in FIELDS for d in leaks(masked[field], reporter=identity)})
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
        "report": redaction_report([d for field in FIELDS for d in masks[field]]),
        "masks": masks,
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
            redaction_report=version["report"],
            reviewed_by=actor,
        )
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
    from organizations.roles import Scope
    from organizations.selectors import require_scope

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


# --- Erasure (issue 9) -----------------------------------------------------------------


def person_erase_support_data(*, user: User, addresses: list[str], placeholder: str) -> dict:
    """What erasure does to support records about a person (core.register):
    their cases go with their messages, except that a case shared (masked) with an
    organisation keeps an empty row for the share to point at; replies they wrote
    to shared cases and privacy questions from their addresses go; reports of a
    child under 13 stay with the team, their address in them replaced by the
    placeholder and their identifiers masked in what was written."""
    person = reporter_identity(user)
    lower = [address.lower() for address in addresses]
    with transaction.atomic():
        cases = SupportCase.objects.filter(reporter=user)
        shared = list(cases.filter(shares__isnull=False).distinct().values_list("pk", flat=True))
        counts = {
            "case_messages_deleted": CaseMessage.objects.filter(case__reporter=user).delete()[0],
            "cases_emptied": SupportCase.objects.filter(pk__in=shared).update(
                subject="", body="", status=SupportCase.Status.CLOSED
            ),
            "cases_deleted": cases.exclude(pk__in=shared).delete()[1].get(SupportCase._meta.label, 0),
            "shared_case_replies_deleted": SharedCaseReply.objects.filter(author=user).delete()[0],
            "privacy_questions_deleted": PrivacyQuestion.objects.annotate(address=Lower("email"))
            .filter(address__in=lower)
            .delete()[1]
            .get(PrivacyQuestion._meta.label, 0),
            "minor_reports_pseudonymised": 0,
        }
        reports = MinorReport.objects.annotate(
            sender=Lower("reporter_email"), reported=Lower("reported_email")
        ).select_for_update()
        for report in reports.filter(Q(account=user) | Q(reported__in=lower) | Q(sender__in=lower)):
            report.description = mask_person(report.description, person=person)
            if report.sender in lower:
                report.reporter_email = placeholder
            if report.account_id == user.pk or report.reported in lower:
                report.account = user
                report.reported_email, report.reported_details = placeholder, ""
                if report.is_open:  # the account it is about no longer exists
                    report.status, report.handled_at = MinorReport.Status.DELETED, timezone.now()
            report.save()
            counts["minor_reports_pseudonymised"] += 1
    return counts


def organization_support_retention(*, organization_id: int, cutoff) -> dict:
    """The organisation's retention period (data_requests.retention): shares of
    cases with it made before ``cutoff`` are deleted (evidence, through the one
    purge path) with their replies and the reporter's notice of them; cases about
    it that have not changed since are deleted, or emptied where a later share
    still points at them."""
    from audit.evidence import evidence_purge

    share_ids = list(
        CaseShare.objects.filter(organization_id=organization_id, shared_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    counts = {
        "shared_case_replies_deleted": SharedCaseReply.objects.filter(share_id__in=share_ids).delete()[0],
        "share_notices_deleted": CaseMessage.objects.filter(share_id__in=share_ids).delete()[0],
        "shared_cases_deleted": evidence_purge(CaseShare.objects.filter(pk__in=share_ids)),
    }
    old = SupportCase.objects.filter(organization_id=organization_id, updated_at__lt=cutoff)
    still_shared = list(old.filter(shares__isnull=False).distinct().values_list("pk", flat=True))
    CaseMessage.objects.filter(case_id__in=still_shared).exclude(kind=CaseMessage.Kind.SHARE_NOTICE).delete()
    counts["support_cases_emptied"] = SupportCase.objects.filter(pk__in=still_shared).update(
        subject="", body=""
    )
    counts["support_cases_deleted"] = (
        old.exclude(pk__in=still_shared).delete()[1].get(SupportCase._meta.label, 0)
    )
    return counts
