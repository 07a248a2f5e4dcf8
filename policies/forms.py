from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import ModelForm

from .models import PolicyVersion


class PolicyDraftForm(ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A datetime-local input carries no zone: the time typed is read in the
        # current time zone, so the label names it. A new draft starts at "now"
        # (in that zone, to the minute) rather than an empty field.
        effective_at = self.fields["effective_at"]
        effective_at.label = _("In force from (%(zone)s)") % {"zone": timezone.get_current_timezone_name()}
        effective_at.initial = lambda: timezone.localtime().replace(second=0, microsecond=0)

    class Meta:
        model = PolicyVersion
        fields = ["body", "summary", "effective_at", "material"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            # The HTML datetime-local value syntax, not a display format.
            "effective_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        help_texts = {"body": _("Markdown. Scripts and raw HTML are removed when it is shown.")}
