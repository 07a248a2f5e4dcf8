from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from core.processing import ACTIVITIES, DATA_SUBJECTS, LEGAL_BASES
from organizations.models import Organization

from .models import RecordEdition


class RecordFilterForm(Form):
    activity = forms.ChoiceField(label=_("Activity"), required=False)
    subject = forms.ChoiceField(label=_("Data subjects"), required=False)
    basis = forms.ChoiceField(label=_("Legal basis"), required=False)
    where = forms.ChoiceField(
        label=_("Recipients"),
        required=False,
        choices=[("", _("Anywhere")), ("outside_eea", _("Only outside the EEA"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["activity"].choices = everything + [(k, a.name) for k, a in ACTIVITIES.items()]
        self.fields["subject"].choices = everything + list(DATA_SUBJECTS.items())
        self.fields["basis"].choices = everything + list(LEGAL_BASES.items())


class AsOfForm(Form):
    kind = forms.ChoiceField(label=_("Record"), choices=RecordEdition.Kind.choices)
    organization = forms.SlugField(
        label=_("Organisation (short name)"),
        required=False,
        help_text=_("For a record as processor: the organisation it was kept for."),
    )
    on = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("kind") == RecordEdition.Kind.PROCESSOR:
            slug = data.get("organization")
            organization = Organization.objects.filter(slug=slug).first() if slug else None
            if organization is None:
                self.add_error("organization", _("Give the short name of an existing organisation."))
            data["organization_id"] = organization.pk if organization else None
        else:
            data["organization_id"] = None
        return data

    def end_of_day(self) -> datetime:
        return datetime.combine(self.cleaned_data["on"], time.max, tzinfo=ZoneInfo(settings.TIME_ZONE))
