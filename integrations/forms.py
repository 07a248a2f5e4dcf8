from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from organizations.models import Team

from .catalog import CATEGORIES, FIELDS, category_of
from .models import Provider


def grouped_fields(fields) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(category label, [(field, field label), ...]), ...] in catalogue order."""
    groups: dict[str, list] = {}
    for field in FIELDS:
        if field in fields:
            groups.setdefault(category_of(field), []).append((field, str(FIELDS[field])))
    return [(str(CATEGORIES[c]), items) for c, items in groups.items()]


class SharingLogFilterForm(Form):
    """The "Who has my data" filters (GET). ``before`` is the keyset cursor."""

    provider = forms.ChoiceField(label=_("Provider"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("Any category")), *CATEGORIES.items()]
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("Any provider"))] + [(p.slug, p.name) for p in providers]

    def value(self, name):
        """The cleaned value of a valid field (an invalid one counts as not given)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get(name) or None


class ConsentForm(Form):
    """The consent screen: which of the offered fields to share (ticked to
    start with; at least one) and, for organisation fields shared by a person
    for themselves, the organisation whose details they are. Organisation
    fields start unticked while no organisation is chosen: a tick would say
    "share my organisation's details" before anyone said which."""

    share = forms.MultipleChoiceField(
        label=_("What to share"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one thing to share.")},
    )
    organization = forms.ChoiceField(label=_("Which organisation"), required=False)

    def __init__(self, *args, offered, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = list(offered)
        self.fields["share"].choices = [(f, FIELDS[f]) for f in self.offered]
        self.has_organization_fields = any(category_of(f) == "organisation" for f in self.offered)
        if self.has_organization_fields and organizations:
            self.fields["organization"].choices = [("", _("Choose an organisation"))] + [
                (m.organization.slug, m.organization.name) for m in organizations
            ]
            if len(organizations) == 1:
                self.fields["organization"].initial = organizations[0].organization.slug
        else:
            del self.fields["organization"]
        organization_unchosen = "organization" in self.fields and not self.fields["organization"].initial
        self.fields["share"].initial = [
            f for f in self.offered if not (organization_unchosen and category_of(f) == "organisation")
        ]

    def clean(self):
        data = super().clean()
        chosen = data.get("share") or []
        if "organization" in self.fields and not data.get("organization"):
            if any(category_of(f) == "organisation" for f in chosen):
                self.add_error(
                    "organization",
                    _("Choose the organisation whose details are shared, or untick the organisation fields."),
                )
        return data

    def groups(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """The offered fields by category with their ticked state, for the screen."""
        ticked = set(self.data.getlist("share")) if self.is_bound else set(self.fields["share"].initial)
        return [
            (label, [(f, text, f in ticked) for f, text in items])
            for label, items in grouped_fields(self.offered)
        ]


class TeamChoiceForm(Form):
    """Step one of adding an integration for a team: which integration, which team."""

    provider = forms.ModelChoiceField(
        label=_("Integration"), queryset=Provider.objects.none(), to_field_name="slug", empty_label=None
    )
    team = forms.ModelChoiceField(label=_("For the team"), queryset=Team.objects.none(), empty_label=None)

    def __init__(self, *args, integrations, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = integrations
        self.fields["team"].queryset = teams


class ProviderForm(Form):
    """A provider's register entry; the fields shown depend on its kind."""

    slug = forms.SlugField(
        label=_("Slug"), max_length=60, help_text=_("Its id in URLs and the API; cannot be changed later.")
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why it receives personal data, in words people understand. Shown to them."),
    )
    received_fields = forms.MultipleChoiceField(
        label=_("Fields it receives"),
        widget=forms.CheckboxSelectMultiple,
        choices=grouped_fields(FIELDS),
        error_messages={"required": _("Choose at least one field.")},
    )
    webhook_url = forms.URLField(
        label=_("Webhook endpoint"),
        max_length=200,
        assume_scheme="https",
        help_text=_("An https:// address; every delivery to it is signed with the provider's secret."),
    )
    service = forms.ChoiceField(label=_("Service"), choices=Provider.Service.choices)
    agreement_reference = forms.CharField(label=_("Processing agreement"), max_length=120)
    country = forms.RegexField(
        label=_("Country"),
        regex=r"^[A-Z]{2}$",
        max_length=2,
        help_text=_("Where it processes the data: a two-letter ISO 3166 code, e.g. SE."),
        error_messages={"invalid": _("Enter a two-letter code in capitals, e.g. SE.")},
    )
    transfer_mechanism = forms.CharField(
        label=_("Transfer mechanism"),
        max_length=160,
        required=False,
        help_text=_("For processing outside the EEA: adequacy decision, SCCs, ..."),
    )
    role = forms.ChoiceField(
        label=_("Role under the CCPA"),
        choices=Provider.Role.choices,
        required=False,  # empty keeps the current role, or the kind's usual one for a new provider
        help_text=_("A service provider or contractor processes only for iCentrex, under a contract."),
    )
    advertising = forms.BooleanField(
        label=_("Receives data for cross-context behavioural advertising"),
        required=False,
        help_text=_(
            "It targets ads across other businesses' sites or apps with what it receives: a third party "
            "doing this makes the “Do Not Sell or Share” link necessary."
        ),
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Inactive integrations cannot be added; the entry stays for the sharing log."),
    )

    def __init__(self, *args, kind: str, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import PROVIDER_FIELDS
        from .services.register import default_role

        self.fields["role"].initial = default_role(kind)
        keep = {*PROVIDER_FIELDS[kind], "received_fields"}
        if creating:
            keep.add("slug")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if kind == Provider.Kind.SERVICE_PROVIDER:
            self.fields["active"].help_text = _(
                "Inactive service providers are not listed in the privacy centre; past shares stay logged."
            )

    def service_values(self) -> dict:
        """The cleaned data as the register services take it."""
        data = dict(self.cleaned_data)
        data.pop("slug", None)
        data["fields"] = data.pop("received_fields")
        if not data.get("role"):
            data.pop("role", None)
        return data

    @staticmethod
    def initial_for(provider: Provider) -> dict:
        from .services import PROVIDER_FIELDS

        initial = {f: getattr(provider, f) for f in PROVIDER_FIELDS[provider.kind]}
        initial["received_fields"] = initial.pop("fields")
        return initial


class SubscribeForm(Form):
    email = forms.EmailField(label=_("Your email address"), help_text=_("We email you a link to confirm it."))
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class ObjectionForm(Form):
    text = forms.CharField(
        label=_("What the organisation objects to, and why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
