"""Staff console: the minor-report queue, the privacy-question inbox and the
support-case queue, for support agents and privacy officers."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access_log import Screen, staff_opened
from accounts.selectors import account_by_email
from accounts.staff_roles import (
    StaffPermission,
    staff_permission_required,
)
from core.errors import RuleViolation

from . import selectors, services
from .forms import (
    CaseAssignForm,
    CaseFilterForm,
    CaseMessageForm,
    CaseStatusForm,
    MinorReportFilterForm,
    PrivacyQuestionFilterForm,
    ReplyForm,
    ShareMaskForm,
    SuspendAccountForm,
)
from .mask_kinds import kind_label, report_by_kind

PAGE_SIZE = 25


def _filtered_page(request, *, filter_form_class, list_selector):
    form = filter_form_class(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(list_selector(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    return form, page, urlencode({"status": status}) if status else ""


# --- Minor reports -------------------------------------------------------------------


@require_GET
@staff_permission_required(StaffPermission.MINOR_REPORTS_HANDLE)
def minor_reports(request):
    form, page, query = _filtered_page(
        request, filter_form_class=MinorReportFilterForm, list_selector=selectors.minor_reports
    )
    return render(request, "staff/minor_reports.html", {"form": form, "page": page, "query": query})


def _minor_report_page(request, report, *, suspend_form=None, status=200):
    candidate = selectors.minor_report_candidate(report=report)
    return render(
        request,
        "staff/minor_report.html",
        {
            "report": report,
            "candidate": candidate,
            "memberships": selectors.account_memberships(user=candidate) if candidate else [],
            "blockers": selectors.account_deletion_blockers(user=candidate) if candidate else [],
            "suspend_form": suspend_form
            or SuspendAccountForm(initial={"email": candidate.email if candidate else report.reported_email}),
        },
        status=status,
    )


@require_GET
@staff_permission_required(StaffPermission.MINOR_REPORTS_HANDLE)
def minor_report(request, report_id):
    report = selectors.access_minor_report(report_id=report_id)
    staff_opened(
        staff=request.user,
        person=selectors.minor_report_candidate(report=report),
        screen=Screen.MINOR_REPORT,
        target=report,
        request=request,
    )
    return _minor_report_page(request, report)


@require_POST
@staff_permission_required(StaffPermission.MINOR_REPORTS_HANDLE)
def minor_report_suspend(request, report_id):
    report = selectors.access_minor_report(report_id=report_id)
    form = SuspendAccountForm(request.POST)
    account = account_by_email(email=form.cleaned_data["email"]) if form.is_valid() else None
    if form.is_valid() and account is None:
        form.add_error("email", _("No account signs in with this address."))
    if not form.is_valid():
        return _minor_report_page(request, report, suspend_form=form, status=400)
    services.minor_report_suspend_account(actor=request.user, report=report, account=account, request=request)
    messages.success(request, _("The account is suspended: it is signed out everywhere and cannot sign in."))
    return redirect("staff_minor_report", report.pk)


@require_POST
@staff_permission_required(StaffPermission.MINOR_REPORTS_HANDLE)
def minor_report_delete(request, report_id):
    report = selectors.access_minor_report(report_id=report_id)
    services.minor_report_delete_account(actor=request.user, report=report, request=request)
    messages.success(request, _("The account and its profile data are deleted."))
    return redirect("staff_minor_report", report.pk)


@require_POST
@staff_permission_required(StaffPermission.MINOR_REPORTS_HANDLE)
def minor_report_dismiss(request, report_id):
    report = selectors.access_minor_report(report_id=report_id)
    services.minor_report_dismiss(actor=request.user, report=report, request=request)
    messages.success(request, _("The report is dismissed."))
    return redirect("staff_minor_report", report.pk)


# --- Privacy questions -----------------------------------------------------------------


@require_GET
@staff_permission_required(StaffPermission.PRIVACY_QUESTIONS_HANDLE)
def privacy_questions(request):
    form, page, query = _filtered_page(
        request, filter_form_class=PrivacyQuestionFilterForm, list_selector=selectors.privacy_questions
    )
    return render(request, "staff/privacy_questions.html", {"form": form, "page": page, "query": query})


def _question_page(request, question, *, reply_form=None, status=200):
    return render(
        request,
        "staff/privacy_question.html",
        {
            "question": question,
            "replies": selectors.question_replies(question=question),
            "reply_form": reply_form or ReplyForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.PRIVACY_QUESTIONS_HANDLE)
def privacy_question(request, question_id):
    """The thread, and the reply form (a POST here sends a reply)."""
    question = selectors.access_privacy_question(question_id=question_id)
    if request.method == "GET":
        staff_opened(
            staff=request.user,
            person=account_by_email(email=question.email),
            screen=Screen.PRIVACY_QUESTION,
            target=question,
            request=request,
        )
        return _question_page(request, question)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, reply_form=form, status=400)
    services.privacy_question_reply(
        actor=request.user, question=question, body=form.cleaned_data["body"], request=request
    )
    messages.success(request, _("Your reply is saved and on its way by email."))
    return redirect("staff_privacy_question", question.pk)


@require_POST
@staff_permission_required(StaffPermission.PRIVACY_QUESTIONS_HANDLE)
def privacy_question_close(request, question_id):
    question = selectors.access_privacy_question(question_id=question_id)
    services.privacy_question_close(actor=request.user, question=question, request=request)
    messages.success(request, _("The question is closed."))
    return redirect("staff_privacy_question", question.pk)


@require_POST
@staff_permission_required(StaffPermission.PRIVACY_QUESTIONS_HANDLE)
def privacy_question_reopen(request, question_id):
    question = selectors.access_privacy_question(question_id=question_id)
    services.privacy_question_reopen(actor=request.user, question=question, request=request)
    messages.success(request, _("The question is open again."))
    return redirect("staff_privacy_question", question.pk)


# --- Support cases -------------------------------------------------------------------


@require_GET
@staff_permission_required(StaffPermission.SUPPORT_CASES_HANDLE)
def cases(request):
    form = CaseFilterForm(request.GET or None)
    valid = form.is_valid()
    status = form.cleaned_data["status"] if valid else ""
    assignee = (form.cleaned_data["assignee"] if valid else "") or "all"
    queue = selectors.staff_cases(actor=request.user, status=status, assignee=assignee)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"status": status, "assignee": "" if assignee == "all" else assignee}
    query = urlencode({key: value for key, value in filters.items() if value})
    return render(request, "staff/cases.html", {"form": form, "page": page, "query": query})


def _reply_form(data=None):
    return CaseMessageForm(
        data,
        prefix="reply",
        label=_("Your reply"),
        help_text=_("Shown to the reporter in their privacy centre and sent to them by email."),
    )


def _note_form(data=None):
    return CaseMessageForm(
        data,
        prefix="note",
        label=_("Internal note"),
        help_text=_("Only support staff see internal notes. The reporter never does."),
    )


def _case_page(
    request, case, *, reply_form=None, note_form=None, assign_form=None, status_form=None, status=200
):
    return render(
        request,
        "staff/case.html",
        {
            "case": case,
            "thread": selectors.case_messages_for_staff(case=case),
            "reply_form": reply_form or _reply_form(),
            "note_form": note_form or _note_form(),
            "assign_form": assign_form
            or CaseAssignForm(staff=selectors.support_staff(), initial={"assignee": case.assigned_to_id}),
            "status_form": status_form or CaseStatusForm(initial={"status": case.status}),
            "shares": selectors.case_shares_for_staff(case=case),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.SUPPORT_CASES_HANDLE)
def case(request, case_id):
    """The case with its whole thread; a POST here sends a reply to the reporter."""
    case = selectors.access_case_for_staff(case_id=case_id)
    if request.method == "GET":
        staff_opened(
            staff=request.user, person=case.reporter, screen=Screen.SUPPORT_CASE, target=case, request=request
        )
        return _case_page(request, case)
    form = _reply_form(request.POST)
    if not form.is_valid():
        return _case_page(request, case, reply_form=form, status=400)
    services.case_reply_by_staff(
        actor=request.user, case=case, body=form.cleaned_data["body"], request=request
    )
    messages.success(request, _("Your reply is saved and on its way by email."))
    return redirect("staff_case", case.pk)


@require_POST
@staff_permission_required(StaffPermission.SUPPORT_CASES_HANDLE)
def case_note(request, case_id):
    case = selectors.access_case_for_staff(case_id=case_id)
    form = _note_form(request.POST)
    if not form.is_valid():
        return _case_page(request, case, note_form=form, status=400)
    services.case_add_internal_note(
        actor=request.user, case=case, body=form.cleaned_data["body"], request=request
    )
    messages.success(request, _("The internal note is added."))
    return redirect("staff_case", case.pk)


@require_POST
@staff_permission_required(StaffPermission.SUPPORT_CASES_HANDLE)
def case_assign(request, case_id):
    case = selectors.access_case_for_staff(case_id=case_id)
    if "assign_to_me" in request.POST:
        assignee = request.user
    else:
        form = CaseAssignForm(request.POST, staff=selectors.support_staff())
        if not form.is_valid():
            return _case_page(request, case, assign_form=form, status=400)
        assignee = form.cleaned_data["assignee"]
    services.case_assign(actor=request.user, case=case, assignee=assignee, request=request)
    messages.success(request, _("The case is assigned.") if assignee else _("The case is unassigned."))
    return redirect("staff_case", case.pk)


@require_POST
@staff_permission_required(StaffPermission.SUPPORT_CASES_HANDLE)
def case_status(request, case_id):
    case = selectors.access_case_for_staff(case_id=case_id)
    form = CaseStatusForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status_form=form, status=400)
    services.case_set_status(
        actor=request.user, case=case, status=form.cleaned_data["status"], request=request
    )
    messages.success(request, _("The status is changed."))
    return redirect("staff_case", case.pk)


# --- Sharing a case, masked, with its organisation's admins -----------------------------


FIELD_LABELS = {"subject": gettext_lazy("in the subject"), "body": gettext_lazy("in the message")}


def _field_label(field: str) -> str:
    if field in FIELD_LABELS:
        return str(FIELD_LABELS[field])
    return _("in the reporter's reply %(number)s") % {"number": field.removeprefix("reply-")}


def _found(preview, kept_keys) -> list[dict]:
    """Every detection, numbered in reading order (subject, then message), with
    the key of its keep-masked / leave-as-written choice and a readable kind."""
    found = []
    for field, text in preview["texts"].items():
        for detection in preview["detections"][field]:
            key = f"{field}:{detection.start}:{detection.end}"
            found.append(
                {
                    "number": len(found) + 1,
                    "key": key,
                    "field": field,
                    "where": _field_label(field),
                    "text": text[detection.start : detection.end],
                    "detection": detection,
                    "label": kind_label(detection.kind),
                    "tag": preview["tags"][field][detection],
                    "kept": key in kept_keys,
                }
            )
    return found


def _segments(text, found, field):
    """The text in pieces for the preview: plain runs, and the detections
    (highlighted and numbered; the choices are in the list below the text, so
    the text itself stays readable)."""
    pieces, position = [], 0
    for item in found:
        if item["field"] != field:
            continue
        detection = item["detection"]
        if detection.start > position:
            pieces.append({"text": text[position : detection.start]})
        pieces.append({**item, "text": text[detection.start : detection.end]})
        position = detection.end
    if position < len(text):
        pieces.append({"text": text[position:]})
    return pieces


def _share_choices(request, preview):
    """What the staff member chose on the form: the detections to keep masked
    (each one's ``mask-<key>`` choice; anything but an explicit "unmask" keeps
    it masked, so a missing or forged answer fails closed) and the phrases to
    mask by hand (the earlier ones kept, a new one added)."""
    all_keys = {
        f"{field}:{d.start}:{d.end}" for field in preview["texts"] for d in preview["detections"][field]
    }
    if request.method == "GET":
        return all_keys, [], None
    kept = {key for key in all_keys if request.POST.get(f"mask-{key}") != "unmask"}
    extra, error = [], None
    for value in request.POST.getlist("extra"):
        kind, _sep, phrase = value.partition("|")
        if phrase.strip() and (phrase.strip(), kind) not in extra:
            extra.append((phrase.strip(), kind))
    form = ShareMaskForm(request.POST)
    if form.is_valid() and form.cleaned_data["phrase"]:
        pair = (form.cleaned_data["phrase"], form.cleaned_data["kind"])
        if pair not in extra:
            extra.append(pair)
    elif not form.is_valid():
        error = form
    return kept, extra, error


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.SUPPORT_CASES_HANDLE)
def case_share(request, case_id):
    """Review the masks and share: the case's text with every detection
    highlighted and numbered, then the list of detections, each with "keep
    masked" / "leave as written"; phrases to mask by hand; the masked result,
    then "Share". A refused share (it would still identify someone) shows why
    and writes nothing. Works without JavaScript."""
    case = selectors.access_case_for_staff(case_id=case_id)
    preview = services.case_mask_preview(actor=request.user, case=case)
    kept, extra, form_errors = _share_choices(request, preview)
    unmask = [
        (field, d.start, d.end)
        for field in preview["texts"]
        for d in preview["detections"][field]
        if f"{field}:{d.start}:{d.end}" not in kept
    ]
    refusal, version, status = None, None, 200
    if form_errors is None:
        try:
            version = services.case_masked_version(actor=request.user, case=case, unmask=unmask, extra=extra)
        except RuleViolation as error:
            refusal, status = str(error.message), error.status_code
        if version is not None and request.POST.get("action") == "share":
            services.case_share(actor=request.user, case=case, unmask=unmask, extra=extra, request=request)
            messages.success(
                request,
                _("The case is shared, masked, with the administrators of %(name)s. The reporter is told.")
                % {"name": case.organization.name},
            )
            return redirect("staff_case", case.pk)
    else:
        status = 400
    found = _found(preview, kept)
    return render(
        request,
        "staff/case_share.html",
        {
            "case": case,
            "found": found,
            "subject_segments": _segments(case.subject, found, "subject"),
            "body_segments": _segments(case.body, found, "body"),
            # The reporter's later messages go with the share, masked with the same tags.
            "replies": [
                {
                    "number": field.removeprefix("reply-"),
                    "segments": _segments(text, found, field),
                    "masked": version["masked"][field] if version else None,
                }
                for field, text in preview["texts"].items()
                if field.startswith("reply-")
            ],
            "detection_count": len(found),
            "extra": [
                {"phrase": p, "kind": k, "label": kind_label(k), "value": f"{k}|{p}"} for p, k in extra
            ],
            "mask_form": form_errors or ShareMaskForm(),
            "version": version,
            "report": report_by_kind(version["report"]) if version else [],
            "refusal": refusal,
        },
        status=status,
    )
