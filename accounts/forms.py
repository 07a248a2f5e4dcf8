from datetime import date

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import User

MINIMUM_AGE = 13


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in")
            self.fields["remember"].help_text = _(
                "Unticked, you are signed out when you close the browser. Don't tick it on a shared computer."
            )


class WorkAddressNoticeForm(forms.Form):
    """An address at a domain an organisation has verified as its own may be
    disclosed to that organisation with the person's team names. The form says
    so and asks the person to confirm they may use the address before it takes
    it: the box (hidden until then) appears, with the notice as its help text,
    once such an address has been submitted."""

    work_address_ok = forms.BooleanField(
        label=_(
            "I am allowed to use this work address, and I understand it may be shared with the organisation."
        ),
        required=False,
        widget=forms.HiddenInput,
    )

    def _check_work_address(self, email: str) -> None:
        from organizations.domains import domain_of_email
        from organizations.selectors import verified_claim_for_domain

        claim = verified_claim_for_domain(domain=domain_of_email(email) or "") if email else None
        if claim is None:
            return
        field = self.fields["work_address_ok"]
        field.widget = forms.CheckboxInput()
        # The bound field copied the help text when cleaning began: set it on both.
        field.help_text = self["work_address_ok"].help_text = _(
            "This address is at %(domain)s, which %(organization)s has verified as its own. iCentrex may "
            "share this address and the names of your teams with %(organization)s, to help it see who "
            "from %(organization)s uses iCentrex. Use a work address only if you are allowed to."
        ) % {"domain": claim.domain, "organization": claim.organization.name}
        if not self.cleaned_data.get("work_address_ok"):
            self.add_error(
                "work_address_ok",
                forms.ValidationError(
                    _("Please confirm that you may use this address for iCentrex."), code="work_address"
                ),
            )


class SignupForm(WorkAddressNoticeForm, AllauthSignupForm):
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

    field_order = ["name", "email", "work_address_ok", "date_of_birth", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
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

    def clean(self):
        cleaned = super().clean()
        self._check_work_address(cleaned.get("email", ""))
        return cleaned

    def try_save(self, request):
        # A new account costs a password hash; without one here, a taken address
        # answered ten times faster and gave away that it has an account.
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class AddEmailForm(WorkAddressNoticeForm, AllauthAddEmailForm):
    """The email page's form (changing the address), with the work-address notice."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        self._check_work_address(cleaned.get("email", ""))
        return cleaned


class ProfileForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    class Meta:
        model = User
        fields = ["name", "language"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "name"})}


class ApiTokenForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

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
