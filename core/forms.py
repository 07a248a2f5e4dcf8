"""Forms in the house style: labels sit above their fields, where Django's
trailing colon reads as noise, so every form drops it here, once."""

from django import forms


class LabelsWithoutColon:
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class Form(LabelsWithoutColon, forms.Form):
    pass


class ModelForm(LabelsWithoutColon, forms.ModelForm):
    pass
