"""Form bases. Status fields never appear in an edit form: transitions are actions."""

from django import forms
from django.db import models


def style_widgets(form, small=False):
    """Bootstrap classes on every widget; ``small`` for dense forms such as list filters."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if small and css != "form-check-input":
            css = f"{css} {css}-sm"
        existing = widget.attrs.get("class", "")
        widget.attrs["class"] = f"{existing} {css}".strip()
        if isinstance(widget, forms.DateInput):
            widget.input_type = "date"
        if isinstance(widget, forms.Textarea) and widget.attrs.get("rows") in (None, "10", 10):
            widget.attrs["rows"] = 3
        if isinstance(widget, forms.SelectMultiple) and field.choices is not None:
            widget.attrs.setdefault("size", min(max(len(list(field.choices)), 2), 6))


def formfield_for(db_field, **kwargs):
    """Model fields become form fields as usual, except that a URL typed without a scheme is
    taken as https (Django 6's default, chosen now)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class RecordForm(forms.ModelForm):
    """Base for every model form: consistent widgets and no status field."""

    class Meta:
        formfield_callback = formfield_for

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


class ActionForm(forms.Form):
    """The parameters of a state-machine action (``Action.form_class``): shown on the action's
    page above the reason, and used to validate the API body. ``self.action`` is the action, so
    choices can depend on the record (``self.action.obj``)."""

    def __init__(self, *args, action=None, **kwargs):
        self.action = action
        super().__init__(*args, **kwargs)
        self.setup()
        style_widgets(self)

    def setup(self):
        """Narrow querysets or set initial values from ``self.action``. Override."""
