from django import forms
from django.utils.translation import gettext_lazy as _

from audit.events import organization_event_choices
from core.forms import Form, ModelForm

from .models import DataPolicy, Membership, Team
from .roles import OrgRole, TeamRole, role_can_grant


class MemberFilterForm(Form):
    search = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or email")}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("Any role")), *OrgRole.choices])
    team = forms.ModelChoiceField(
        label=_("Team"), required=False, queryset=Team.objects.none(), empty_label=_("Any team")
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organization=organization).order_by("name")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=OrgRole.choices)


class TransferOwnershipForm(Form):
    # An address, not a drop-down: an organisation may have tens of thousands of members.
    email = forms.EmailField(
        label=_("Email of the new primary owner"), help_text=_("They must already be a member.")
    )


class ReviewForm(Form):
    reason = forms.CharField(
        label=_("Why do you need to see this member's data?"),
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit log; the member sees it if your data policy tells members."),
    )


class InvitationForm(Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=OrgRole.choices, initial=OrgRole.MEMBER)

    def __init__(self, *args, actor_role, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the roles this person may grant.
        self.fields["role"].choices = [c for c in OrgRole.choices if role_can_grant(actor_role, c[0])]


class TeamForm(Form):
    name = forms.CharField(label=_("Team name"), max_length=120)


class TeamMemberAddForm(Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Membership.objects.none())
    role = forms.ChoiceField(label=_("Team role"), choices=TeamRole.choices, initial=TeamRole.MEMBER)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = (
            Membership.objects.filter(organization_id=team.organization_id)
            .exclude(team_memberships__team=team)
            .select_related("user")
            .order_by("user__email")
        )
        field.label_from_instance = lambda m: f"{m.user.get_full_name()} ({m.user.email})"


RETENTION_DAYS_MAX = 36500  # the API's limit too (DataPolicyUpdateSerializer)


class DataPolicyForm(ModelForm):
    class Meta:
        model = DataPolicy
        fields = ["retention_days", "review_allowed_for", "notify_member_on_review", "export_allowed_for"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The database refuses a retention under one day (CheckConstraint
        # org_data_policy_retention_positive); the form says so on the field
        # instead of showing the constraint's name.
        field = self.fields["retention_days"]
        field.widget.attrs.update(min=1, max=RETENTION_DAYS_MAX)
        # One message for every out-of-range value (clean_retention_days), not "≥ 0" from the column type.
        field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]

    def clean_retention_days(self):
        days = self.cleaned_data["retention_days"]
        if days is not None and not 1 <= days <= RETENTION_DAYS_MAX:
            raise forms.ValidationError(
                _("Keep member content for 1 to %(max)s days, or leave it empty to keep it until deleted."),
                code="retention_out_of_range",
                params={"max": RETENTION_DAYS_MAX},
            )
        return days


class AuditFilterForm(Form):
    event_type = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("All events")), *organization_event_choices()],
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
