from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import forms as accounts_forms
from core.forms import Form

from .names import domain_of_email
from .selectors import verified_claim_for_domain


class DomainClaimForm(Form):
    domain = forms.CharField(
        label=_("Domain"),
        max_length=300,
        help_text=_("The part of your people's addresses after the @, e.g. example.com."),
    )
    include_subdomains = forms.BooleanField(
        label=_("Include sub-domains"),
        required=False,
        help_text=_("Also count addresses such as ann@eu.example.com."),
    )


class DisclosureFilterForm(Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    after = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, domains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [("", _("All domains")), *[(d, d) for d in domains]]


# --- The work-address notice on allauth's forms -------------------------------------
# accounts knows nothing of domains; settings.ACCOUNT_FORMS composes these
# subclasses, so sign-up and the email page carry the notice (DESIGN.md, "Layers").


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


class SignupForm(WorkAddressNoticeForm, accounts_forms.SignupForm):
    """Sign-up (name, age gate) with the work-address notice."""

    field_order = ["name", "email", "work_address_ok", "date_of_birth", "password1", "password2"]

    def clean(self):
        cleaned = super().clean()
        self._check_work_address(cleaned.get("email", ""))
        return cleaned


class AddEmailForm(WorkAddressNoticeForm, accounts_forms.AddEmailForm):
    """The email page's form (changing the address), with the work-address notice."""

    def clean(self):
        cleaned = super().clean()
        self._check_work_address(cleaned.get("email", ""))
        return cleaned
