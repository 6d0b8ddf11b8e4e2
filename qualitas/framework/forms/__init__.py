"""Form bases. Status fields never appear in an edit form: transitions are actions."""

from django import forms


def style_widgets(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        existing = widget.attrs.get("class", "")
        widget.attrs["class"] = f"{existing} {css}".strip()
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 3)


class RecordForm(forms.ModelForm):
    """Base for every model form: consistent widgets and no status field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        machine = getattr(self._meta.model, "state_machine", None)
        if machine is not None and machine.field in self.fields:
            raise TypeError(
                f"{type(self).__name__} must not edit {machine.field}: use the state machine's actions."
            )
        style_widgets(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Recorded in the audit trail with the change.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason.")
        return reason


class StyledFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
