from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.access_log import Screen, staff_opened
from accounts.staff_roles import StaffPermission, is_staff_account, require_staff_permission
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, Forbidden, RuleViolation
from core.tasks import enqueue_on_commit
from organizations.models import Membership
from organizations.roles import Scope
from organizations.selectors import data_policy_for, organizations_blocking_erasure, require_scope

from . import deadlines, tasks
from .links import link_consume
from .models import ErasureRequest, EvidencePack, OrganizationExport, PersonalExport, SubjectRequest

# --- Organisation member-data exports ------------------------------------------------------


def _require_export_right(actor: Membership) -> None:
    require_scope(actor, Scope.MEMBER_DATA_EXPORT)
    if not data_policy_for(organization=actor.organization).allows("export_allowed_for", actor.role):
        raise Forbidden(
            _("The organisation's data policy does not let your role export member data."),
            code="export_not_allowed",
        )


def organization_export_request(*, actor: Membership, format: str, request=None) -> OrganizationExport:
    """Start an export of the organisation's member data, where its data policy
    lets the actor's role export; the job runs in the background and emails
    the actor a download link when it is done."""
    _require_export_right(actor)
    try:
        with transaction.atomic():
            export = OrganizationExport.objects.create(
                organization_id=actor.organization_id, requested_by=actor.user, format=format
            )
            audit_record(
                event_type=EventType.MEMBER_DATA_EXPORTED,
                actor=actor.user,
                organization_id=actor.organization_id,
                target=export,
                changes={"format": format},
                request=request,
            )
            enqueue_on_commit(tasks.organization_export_build, export.pk)
    except IntegrityError:
        raise Conflict(
            _("An export is already being built. Wait for it to finish."), code="export_running"
        ) from None
    return export


def organization_export_download(
    *, actor: Membership, export: OrganizationExport, token: str, request=None
) -> OrganizationExport:
    """Use the emailed link: only the person who asked, while the data policy
    still lets their role export, once, within its validity."""
    _require_export_right(actor)
    with transaction.atomic():
        export = link_consume(
            OrganizationExport.objects.filter(organization_id=actor.organization_id, requested_by=actor.user),
            built=export,
            token=token,
        )
        audit_record(
            event_type=EventType.MEMBER_DATA_EXPORT_DOWNLOADED,
            actor=actor.user,
            organization_id=actor.organization_id,
            target=export,
            changes={"format": export.format},
            request=request,
        )
    return export


# --- A person's copy of their data ---------------------------------------------------------


def personal_export_request(*, actor, request=None) -> PersonalExport:
    """Start building a copy of the person's data; a link is emailed when it is ready."""
    try:
        with transaction.atomic():
            export = PersonalExport.objects.create(user=actor)
            audit_record(
                event_type=EventType.DATA_EXPORT_REQUESTED, actor=actor, target=export, request=request
            )
            _self_service_request(SubjectRequest.Kind.ACCESS, actor, export.received_ref, request)
            enqueue_on_commit(tasks.personal_export_build, export.pk)
    except IntegrityError:
        raise Conflict(
            _("A copy of your data is already being prepared. We will email you when it is ready."),
            code="export_running",
        ) from None
    return export


def personal_export_download(*, actor, export: PersonalExport, token: str, request=None) -> PersonalExport:
    with transaction.atomic():
        export = link_consume(PersonalExport.objects.filter(user=actor), built=export, token=token)
        audit_record(event_type=EventType.DATA_EXPORT_DOWNLOADED, actor=actor, target=export, request=request)
    return export


# --- Erasure -----------------------------------------------------------------------------


def erasure_request(*, actor, request=None) -> ErasureRequest:
    """Schedule the deletion of the actor's account after the grace period
    (``ERASURE_GRACE_DAYS``), which they can cancel meanwhile. The caller has
    re-authenticated the person."""
    if is_staff_account(actor):
        raise Forbidden(
            _(
                "Staff accounts are closed by an administrator, because their work is part of the "
                "audit trail. Ask your administrator."
            ),
            code="staff_account",
        )
    blockers = list(organizations_blocking_erasure(user=actor).values_list("name", flat=True))
    if blockers:
        raise Conflict(
            _(
                "You are the primary owner of %(names)s, which has other members. Transfer ownership to "
                "another member first (organisation console, Members, Transfer ownership), then ask again."
            )
            % {"names": ", ".join(blockers)},
            code="primary_owner",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            erasure = ErasureRequest.objects.create(
                user=actor, scheduled_for=now + timedelta(days=settings.ERASURE_GRACE_DAYS)
            )
            audit_record(
                event_type=EventType.ERASURE_REQUESTED,
                actor=actor,
                target=erasure,
                changes={"scheduled_for": erasure.scheduled_for.isoformat()},
                request=request,
            )
            _self_service_request(SubjectRequest.Kind.ERASURE, actor, erasure.received_ref, request)
            enqueue_on_commit(tasks.erasure_scheduled_notify, erasure.pk)
    except IntegrityError:
        raise Conflict(
            _("Your account is already scheduled for deletion."), code="erasure_scheduled"
        ) from None
    return erasure


def erasure_cancel(*, actor, request=None) -> ErasureRequest:
    """Cancel the scheduled deletion of the actor's account, while it still waits."""
    with transaction.atomic():
        erasure = (
            ErasureRequest.objects.select_for_update()
            .filter(user=actor, status__in=ErasureRequest.OPEN)
            .order_by("-id")
            .first()
        )
        if erasure is None:
            raise Conflict(_("Your account is not scheduled for deletion."), code="no_erasure")
        if erasure.status != ErasureRequest.Status.SCHEDULED:
            raise Conflict(
                _("The deletion has already started and cannot be stopped."), code="erasure_running"
            )
        erasure.status, erasure.cancelled_at = ErasureRequest.Status.CANCELLED, timezone.now()
        erasure.save(update_fields=["status", "cancelled_at"])
        audit_record(event_type=EventType.ERASURE_CANCELLED, actor=actor, target=erasure, request=request)
        subject_request_settle(source_ref=erasure.received_ref, outcome=SubjectRequest.Outcome.WITHDRAWN)
    return erasure


# --- Data-subject requests and their deadlines ----------------------------------------------


def _self_service_request(kind, actor, source_ref: str, request) -> None:
    """A copy or a deletion asked for in the privacy centre is a data-subject
    request like any other: logged with its deadline, settled by the system."""
    subject_request_open(
        kind=kind,
        source=SubjectRequest.Source.SELF_SERVICE,
        received_at=timezone.now(),
        user=actor,
        source_ref=source_ref,
        actor=actor,
        request=request,
    )


def subject_request_open(
    *,
    kind: str,
    source: str,
    received_at,
    user=None,
    contact_email: str = "",
    source_ref: str = "",
    late_reason: str = "",
    actor=None,
    request=None,
) -> SubjectRequest:
    """Log a request as received: its due date follows from the day of receipt
    (one calendar month, in the controller's time zone). A request whose due
    date has already passed is logged only with the reason it is logged late,
    so the log never hides a missed deadline and never invents one by mistake."""
    if kind not in SubjectRequest.Kind.values:
        raise RuleViolation(_("Unknown type of request."), code="unknown_kind")
    if source not in SubjectRequest.Source.values:
        raise RuleViolation(_("Unknown source of request."), code="unknown_source")
    if received_at > timezone.now():
        raise RuleViolation(_("A request cannot be received in the future."), code="received_in_future")
    if user is None and not contact_email:
        raise RuleViolation(_("Say who asked: an account or an email address."), code="no_requester")
    due = deadlines.due_on(received_at)
    if due < timezone.localdate() and not late_reason.strip():
        raise RuleViolation(
            _(
                "Received then, the request was due on %(date)s, which has passed. Say why it is "
                "logged late: the log keeps the reason."
            )
            % {"date": date_format(due, "DATE_FORMAT")},
            code="due_in_past",
        )
    try:
        with transaction.atomic():
            subject_request = SubjectRequest.objects.create(
                kind=kind,
                source=source,
                source_ref=source_ref[:80],
                user=user,
                contact_email=contact_email,
                received_at=received_at,
                due_on=due,
                late_reason=late_reason.strip() if due < timezone.localdate() else "",
                identity=SubjectRequest.Identity.SIGNED_IN
                if source == SubjectRequest.Source.SELF_SERVICE
                else SubjectRequest.Identity.NOT_CHECKED,
            )
            audit_record(
                event_type=EventType.SUBJECT_REQUEST_OPENED,
                actor=actor,
                subject=user,
                target=subject_request,
                changes={
                    "kind": kind,
                    "source": source,
                    "due_on": due.isoformat(),
                    **({"logged_late": True} if subject_request.late_reason else {}),
                },
                request=request,
            )
    except IntegrityError:
        raise Conflict(_("It is logged as this type of request already."), code="already_logged") from None
    return subject_request


def subject_request_classify(
    *, actor, source: str, ref_id: int, kind: str, late_reason: str = "", request=None
) -> SubjectRequest:
    """Staff log a privacy question or a support case as a data-subject request
    of a type: received when the person wrote, from the person who wrote."""
    from accounts.models import User
    from support.models import PrivacyQuestion, SupportCase

    require_staff_permission(actor, StaffPermission.SUBJECT_REQUESTS_CLASSIFY, code="not_allowed")
    if source == SubjectRequest.Source.PRIVACY_QUESTION:
        question = get_object_or_404(PrivacyQuestion, pk=ref_id)
        received_at, contact_email = question.created_at, question.email
        user = User.objects.filter(email__iexact=question.email, is_active=True).first()
    elif source == SubjectRequest.Source.SUPPORT_CASE:
        case = get_object_or_404(SupportCase.objects.select_related("reporter"), pk=ref_id)
        received_at, user, contact_email = case.created_at, case.reporter, ""
    else:
        raise RuleViolation(_("Unknown source of request."), code="unknown_source")
    return subject_request_open(
        kind=kind,
        source=source,
        received_at=received_at,
        user=user,
        contact_email=contact_email,
        source_ref=f"{source}:{ref_id}",
        late_reason=late_reason,
        actor=actor,
        request=request,
    )


def subject_request_set_identity(*, actor, subject_request: SubjectRequest, identity: str, request=None):
    """Record how the requester's identity was checked (Art. 12(6))."""
    if identity not in SubjectRequest.Identity.values:
        raise RuleViolation(_("Unknown identity check."), code="unknown_identity")
    with transaction.atomic():
        locked = SubjectRequest.objects.select_for_update().get(pk=subject_request.pk)
        if not locked.is_open:
            raise Conflict(_("This request has been answered."), code="closed")
        if locked.identity == identity:
            return locked
        before, locked.identity = locked.identity, identity
        locked.save(update_fields=["identity"])
        audit_record(
            event_type=EventType.SUBJECT_REQUEST_IDENTITY,
            actor=actor,
            subject=locked.user,
            target=locked,
            changes={"identity": [before, identity]},
            request=request,
        )
    return locked


def subject_request_extend(*, actor, subject_request: SubjectRequest, months: int, reason: str, request=None):
    """Extend the deadline once, by one or two months (Art. 12(3)): only with a
    reason, only within the first month, and the person is told at once (the
    notice goes out when this commits; its sending is recorded)."""
    if not subject_request.is_open:
        raise Conflict(_("This request has been answered."), code="closed")
    if subject_request.extension_months:
        raise Conflict(_("The deadline was extended already."), code="already_extended")
    if months not in range(1, deadlines.MAX_EXTENSION_MONTHS + 1):
        raise RuleViolation(_("Extend by one or two months."), code="invalid_extension")
    if not (reason or "").strip():
        raise RuleViolation(
            _("Give the reason for the extension: the person is told it."), code="reason_required"
        )
    today = timezone.localdate()
    if today > deadlines.due_on(subject_request.received_at):
        raise RuleViolation(
            _("A deadline can only be extended within the first month."), code="extension_too_late"
        )
    if not subject_request.reply_to:
        raise RuleViolation(_("There is no address to send the notice to."), code="no_contact")
    with transaction.atomic():
        locked = SubjectRequest.objects.select_for_update().get(pk=subject_request.pk)
        if locked.extension_months:
            raise Conflict(_("The deadline was extended already."), code="already_extended")
        locked.extension_months = months
        locked.extension_reason = reason.strip()
        locked.extended_at = timezone.now()
        locked.due_on = deadlines.due_on(locked.received_at, extension_months=months)
        locked.save(update_fields=["extension_months", "extension_reason", "extended_at", "due_on"])
        audit_record(
            event_type=EventType.SUBJECT_REQUEST_EXTENDED,
            actor=actor,
            subject=locked.user,
            target=locked,
            changes={"months": months, "due_on": locked.due_on.isoformat()},
            request=request,
        )
        enqueue_on_commit(tasks.subject_request_send_extension_notice, locked.pk)
    return locked


def _close(*, actor, subject_request_id: int, outcome: str, note: str, request=None) -> bool:
    """Open → the outcome, once (a second close finds it answered); counts the
    calendar days it took, the figure the yearly report is made of."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            SubjectRequest.objects.select_for_update()
            .filter(pk=subject_request_id, outcome=SubjectRequest.Outcome.OPEN)
            .first()
        )
        if locked is None:
            return False
        locked.outcome, locked.outcome_note, locked.closed_at = outcome, note.strip(), now
        locked.days_to_respond = (timezone.localdate(now) - deadlines.received_on(locked.received_at)).days
        locked.save(update_fields=["outcome", "outcome_note", "closed_at", "days_to_respond"])
        audit_record(
            event_type=EventType.SUBJECT_REQUEST_CLOSED,
            actor=actor,
            subject=locked.user,
            target=locked,
            changes={"outcome": outcome, "days": locked.days_to_respond},
            request=request,
        )
    return True


def subject_request_close(
    *, actor, subject_request: SubjectRequest, outcome: str, note: str = "", request=None
):
    if outcome not in SubjectRequest.Outcome.values or outcome == SubjectRequest.Outcome.OPEN:
        raise RuleViolation(_("Choose how the request ended."), code="unknown_outcome")
    if (
        outcome in (SubjectRequest.Outcome.DENIED, SubjectRequest.Outcome.COMPLIED_IN_PART)
        and not note.strip()
    ):
        raise RuleViolation(
            _("Say why: the person must be told the reasons for not complying in full."),
            code="reason_required",
        )
    if not _close(
        actor=actor, subject_request_id=subject_request.pk, outcome=outcome, note=note, request=request
    ):
        raise Conflict(_("This request has been answered."), code="closed")
    subject_request.refresh_from_db()
    return subject_request


def subject_request_settle(*, source_ref: str, outcome: str) -> None:
    """A self-service request answered by the system itself: the copy's link was
    sent, the account was deleted, the person cancelled. Idempotent; call it in
    the transaction that made the outcome true."""
    for pk in SubjectRequest.objects.filter(
        source_ref=source_ref, outcome=SubjectRequest.Outcome.OPEN
    ).values_list("pk", flat=True):
        _close(actor=None, subject_request_id=pk, outcome=outcome, note="")


def subject_requests_remind(*, today=None) -> int:
    """Claim a reminder for every open request coming due (a week, two days)
    or overdue: one row per request and stage, the most urgent stage only, so
    beat running twice claims nothing twice. The emails go out from the rows."""
    from .models import SubjectRequestReminder

    today = today or timezone.localdate()
    Stage = SubjectRequestReminder.Stage
    open_requests = SubjectRequest.objects.filter(outcome=SubjectRequest.Outcome.OPEN)
    claims = []
    for stage, due in (
        (Stage.OVERDUE, Q(due_on__lt=today)),
        (Stage.TWO_DAYS, Q(due_on__gte=today, due_on__lte=today + timedelta(days=2))),
        (Stage.WEEK, Q(due_on__gt=today + timedelta(days=2), due_on__lte=today + timedelta(days=7))),
    ):
        claims += [
            SubjectRequestReminder(subject_request_id=pk, stage=stage)
            for pk in open_requests.filter(due).exclude(reminders__stage=stage).values_list("pk", flat=True)
        ]
    SubjectRequestReminder.objects.bulk_create(claims, ignore_conflicts=True, batch_size=1000)
    return len(claims)


# --- Evidence packs -----------------------------------------------------------------------------

EVIDENCE_REASON_MIN = 10


def evidence_pack_request(*, actor, user, reason: str, subject_request=None, request=None) -> EvidencePack:
    """Start an evidence pack for ``user``: privacy officers only, with a
    reason, which the person reads under "Who looked at my data"; built by a
    worker after commit."""
    require_staff_permission(
        actor,
        StaffPermission.EVIDENCE_PACKS_MAKE,
        code="not_privacy_officer",
        message=_("Only privacy officers make evidence packs."),
    )
    reason = (reason or "").strip()
    if len(reason) < EVIDENCE_REASON_MIN:
        raise RuleViolation(
            _("Say why the pack is needed (the request or complaint it is for): at least 10 characters."),
            code="reason_required",
        )
    if user is None or not user.is_active:
        raise RuleViolation(_("There is no active account with that address."), code="unknown_person")
    with transaction.atomic():
        pack = EvidencePack.objects.create(
            user=user, requested_by=actor, subject_request=subject_request, reason=reason
        )
        staff_opened(
            staff=actor, person=user, screen=Screen.EVIDENCE_PACK, target=pack, request=request, reason=reason
        )
        enqueue_on_commit(tasks.evidence_pack_build, pack.pk)
    return pack


def evidence_pack_opened(*, actor, pack: EvidencePack, request=None) -> None:
    """A download of the pack is an opening of the person's data: logged, with
    the pack's reason, for the person to see."""
    staff_opened(
        staff=actor,
        person=pack.user,
        screen=Screen.EVIDENCE_PACK,
        target=pack,
        request=request,
        reason=pack.reason,
    )
