from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form

from .mask_kinds import KIND_LABELS
from .masking import KINDS
from .models import MinorReport, PrivacyQuestion, SupportCase

# A field people never see (moved off-screen by CSS, hidden from assistive
# technology, skipped by Tab) that form-filling bots fill in. Its name looks
# like something a bot wants to fill.
HONEYPOT_FIELD = "website"


class _PublicForm(Form):
    """Shared by the public forms: the honeypot."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    @property
    def filled_by_a_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())


def _one_line(value: str) -> str:
    # Subjects end up in email headers: no line breaks, runs of spaces collapsed.
    return " ".join(value.split())


class MinorReportForm(_PublicForm):
    reporter_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We confirm that we received your report and may ask you for more details."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    reported_email = forms.EmailField(
        label=_("Email address of the account you are reporting"),
        required=False,
        help_text=_("If you know it. Otherwise, describe the account below."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    reported_details = forms.CharField(
        label=_("Name and other details of the account"),
        required=False,
        max_length=2000,
        help_text=_("For example the name shown in iCentrex and the organisation or team they are in."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description = forms.CharField(
        label=_("Why do you think this person is under 13?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    field_order = ["reporter_email", "reported_email", "reported_details", "description"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("reported_email") and not (cleaned.get("reported_details") or "").strip():
            if "reported_email" not in self.errors:
                self.add_error(
                    "reported_email",
                    forms.ValidationError(
                        _("Give the account's email address, or its name and other details below."),
                        code="nobody_named",
                    ),
                )
        return cleaned


class PrivacyQuestionForm(_PublicForm):
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=150,
        help_text=_("Optional."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send our answer here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("Your question"), max_length=5000, widget=forms.Textarea(attrs={"rows": 7})
    )

    field_order = ["name", "email", "subject", "message"]

    def clean_subject(self):
        return _one_line(self.cleaned_data["subject"])


# --- Staff console ---------------------------------------------------------------


class StatusFilterForm(Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Open")), *statuses, ("all", _("All"))]


class MinorReportFilterForm(StatusFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, statuses=MinorReport.Status.choices, **kwargs)


class PrivacyQuestionFilterForm(StatusFilterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, statuses=PrivacyQuestion.Status.choices, **kwargs)


class SuspendAccountForm(Form):
    email = forms.EmailField(
        label=_("Email address of the account to suspend"),
        help_text=_("Its sign-in address. Suspending signs it out everywhere and revokes its API tokens."),
    )


class ReplyForm(Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent by email to the person who asked, and kept here."),
    )


# --- Support cases -----------------------------------------------------------------


class CaseOpenForm(Form):
    subject = forms.CharField(label=_("Subject"), max_length=SupportCase.SUBJECT_MAX)
    body = forms.CharField(
        label=_("What do you need help with?"),
        max_length=SupportCase.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("At most 20,000 characters. Our support staff read it and answer here and by email."),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        required=False,
        empty_label=_("None — it is about my own account"),
        help_text=_("Optional. Choose one if the case is about an organisation you belong to."),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the person's own organisations can be chosen; any other id is an invalid choice.
        self.fields["organization"].queryset = organizations

    def clean_subject(self):
        return _one_line(self.cleaned_data["subject"])


class CaseMessageForm(Form):
    """The reply form on both sides, and the staff's internal note."""

    body = forms.CharField(
        label=_("Your reply"),
        max_length=SupportCase.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["body"].label = label
        if help_text:
            self.fields["body"].help_text = help_text


class CaseFilterForm(StatusFilterForm):
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[("all", _("Anyone or nobody")), ("mine", _("Me")), ("unassigned", _("Nobody"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, statuses=SupportCase.Status.choices, **kwargs)


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.email})" if obj.name else obj.email


class CaseAssignForm(Form):
    assignee = _StaffChoiceField(
        label=_("Assigned to"), queryset=None, required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class CaseStatusForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=SupportCase.Status.choices)


class ShareMaskForm(Form):
    """A phrase the staff member masks by hand, wherever it occurs in the case."""

    phrase = forms.CharField(
        label=_("Also mask this phrase"),
        required=False,
        max_length=200,
        help_text=_("Every occurrence in the subject, the message and the reporter's replies is masked."),
    )
    kind = forms.ChoiceField(label=_("Mask it as"), choices=[], initial="name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, KIND_LABELS[kind]) for kind in KINDS]
        self.fields["phrase"].widget.attrs["autocomplete"] = "off"


class SharedCaseReplyForm(Form):
    """An organisation admin's reply on a shared case."""

    body = forms.CharField(
        label=_("Your reply"),
        max_length=10_000,
        help_text=_("Goes to iCentrex support, who handle the case. The person who asked does not see it."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
