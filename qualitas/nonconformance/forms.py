"""The form of an NCR raised by hand. Its disposition, escalation and closure are the state
machine's actions (``nonconformance.actions``), never edited here."""

from django import forms

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import Company, User
from qualitas.framework.forms import RecordForm, style_widgets
from qualitas.inspections.forms import StepChoiceField, add_problems, step_choices
from qualitas.production.models import Part, PartType, WorkOrder

from . import services, validation
from .models import NonConformance


def with_current(queryset, instance, name):
    """``queryset`` plus the record the instance already points to (an archived part type)."""
    value = getattr(instance, f"{name}_id", None)
    return (queryset | queryset.model.objects.filter(pk=value)).distinct() if value else queryset


class NonConformanceForm(RecordForm):
    part = forms.ModelChoiceField(
        queryset=Part.objects.select_related("work_order", "part_type"),
        to_field_name="serial_number",
        required=False,
        widget=forms.TextInput,
        label="Part (serial number)",
        help_text="The part type, work order and customer are taken from the part when left empty.",
        error_messages={"invalid_choice": "No part has this serial number."},
    )
    work_order = forms.ModelChoiceField(
        queryset=WorkOrder.objects.select_related("order_line__order__customer", "part_type", "process"),
        to_field_name="number",
        required=False,
        widget=forms.TextInput,
        label="Work order (number)",
        error_messages={"invalid_choice": "No work order has this number."},
    )

    class Meta(RecordForm.Meta):
        model = NonConformance
        fields = (
            "title",
            "source",
            "severity",
            "description",
            "part",
            "part_type",
            "work_order",
            "step",
            "supplier",
            "customer",
            "quantity",
            "assignee",
        )
        field_classes = {"step": StepChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["step"].queryset = step_choices(instance)
        self.fields["part_type"].queryset = with_current(
            PartType.objects.filter(is_archived=False), instance, "part_type"
        )
        companies = Company.objects.filter(is_archived=False)
        for name, kind in (
            ("supplier", CompanyKindChoices.SUPPLIER),
            ("customer", CompanyKindChoices.CUSTOMER),
        ):
            self.fields[name].queryset = with_current(companies.filter(kind=kind), instance, name)
        self.fields["assignee"].queryset = with_current(
            User.objects.filter(is_active=True)
            .exclude(company__kind=CompanyKindChoices.CUSTOMER)
            .order_by("full_name"),
            instance,
            "assignee",
        )
        # The text fields show the serial and work-order numbers, not the ids.
        if not self.is_bound:
            if instance.part_id:
                self.initial["part"] = instance.part.serial_number
            if instance.work_order_id:
                self.initial["work_order"] = instance.work_order.number

    def clean(self):
        data = super().clean()
        if not self.errors:
            validation.complete_from_part(data)
        add_problems(self, validation.nonconformance_problems(data))
        return data

    def save(self, commit=True):
        if self.instance.pk is not None or not commit:
            return super().save(commit=commit)
        return services.open_nonconformance(super().save(commit=False))


class AnalysisFilterForm(forms.Form):
    """The filters of the analysis pages: a part type (every revision of it) and a date range."""

    part_type = forms.ModelChoiceField(queryset=PartType.objects.none(), required=False, label="Part type")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        part_types = PartType.objects.restrict(user, "view") if user is not None else PartType.objects.all()
        self.fields["part_type"].queryset = part_types.filter(is_current=True).order_by("part_number")
        style_widgets(self, small=True)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the range is before its start.")
        return data
