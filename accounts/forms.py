from datetime import date

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, LabelsWithoutColon, ModelForm

from .models import User

MINIMUM_AGE = 13


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class LoginForm(LabelsWithoutColon, AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in")
            self.fields["remember"].help_text = _(
                "Unticked, you are signed out when you close the browser. Don't tick it on a shared computer."
            )


class SignupForm(LabelsWithoutColon, AllauthSignupForm):
    """allauth's sign-up plus a name and the age gate.

    The date of birth is used for the check and then forgotten: it is neither
    saved nor re-rendered. Under 13 the page shows a refusal instead of the form
    (templates/account/signup.html reads ``refused_under_age``).
    """

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        help_text=_("iCentrex is not for children under 13. We check your age and do not keep this date."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )

    field_order = ["name", "email", "date_of_birth", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refused_under_age = False

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."), code="future")
        if born.year < 1900:
            raise forms.ValidationError(_("Please check the year of your date of birth."), code="too_old")
        if age_on(born, today) < MINIMUM_AGE:
            self.refused_under_age = True
            raise forms.ValidationError(_("You must be at least 13 to use iCentrex."), code="under_age")
        return born

    def try_save(self, request):
        # A new account costs a password hash; without one here, a taken address
        # answered ten times faster and gave away that it has an account.
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class AddEmailForm(LabelsWithoutColon, AllauthAddEmailForm):
    """The email page's form (changing the address)."""


class ProfileForm(ModelForm):
    class Meta:
        model = User
        fields = ["name", "language"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}


class ApiTokenForm(Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “backup script”."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        choices=[(30, _("in 30 days")), (90, _("in 90 days")), (365, _("in a year")), (0, _("never"))],
        initial=90,
    )
