from django import forms
from django.core.exceptions import ValidationError

from qualitas.framework.records import REFERENCE_HELP, parse_reference


class InspectionPackForm(forms.Form):
    """Which record to pack, as ``app.model:id`` (the record's page fills it in)."""

    record = forms.CharField(max_length=200, help_text=REFERENCE_HELP)

    def clean_record(self):
        value = self.cleaned_data["record"]
        try:
            parse_reference(value)
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code="invalid")
        return value.strip()
