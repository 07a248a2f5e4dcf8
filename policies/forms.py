from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PolicyVersion


class PolicyDraftForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    class Meta:
        model = PolicyVersion
        fields = ["body", "summary", "effective_at", "material"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 18}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "effective_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        help_texts = {"body": _("Markdown. Scripts and raw HTML are removed when it is shown.")}
