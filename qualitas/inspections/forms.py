"""Forms of the inspection configuration. They parse input; the rules they check are the shared
functions of ``inspections.validation`` (also called by the API serializers)."""

from django import forms

from qualitas.framework.forms import RecordForm
from qualitas.production.models import Step

from . import validation
from .models import ErrorType, MeasurementDefinition, QualityReport, SamplingRule, SamplingRuleSet


def add_problems(form, problems):
    """Put ``{field: message}`` from a validation function on the form (``None`` and names the form
    does not have go to the top of the form)."""
    for name, message in problems.items():
        form.add_error(name if name in form.fields else None, message)


class StepChoiceField(forms.ModelChoiceField):
    """Steps named with their routing: many routings have a step called "Final inspection"."""

    def label_from_instance(self, obj):
        return f"{obj.process.number} v{obj.process.version} {obj.process.name} · {obj.name}"


def step_choices(instance):
    steps = Step.objects.filter(is_archived=False)
    if instance is not None and instance.step_id:
        steps = steps | Step.objects.filter(pk=instance.step_id)
    return steps.select_related("process").order_by("process__number", "process__version", "sequence", "pk")


class MeasurementDefinitionForm(RecordForm):
    class Meta(RecordForm.Meta):
        model = MeasurementDefinition
        fields = (
            "step",
            "name",
            "code",
            "kind",
            "classification",
            "unit",
            "nominal",
            "lower_tolerance",
            "upper_tolerance",
            "lower_limit",
            "upper_limit",
            "decimals",
            "is_required",
            "sequence",
            "method",
        )
        field_classes = {"step": StepChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = step_choices(self.instance)

    def clean(self):
        data = super().clean()
        add_problems(self, validation.definition_problems(data))
        return data


class ErrorTypeForm(RecordForm):
    class Meta(RecordForm.Meta):
        model = ErrorType
        fields = ("part_type", "code", "name", "classification", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part_type"].help_text = "Left empty: the defect can be found on every part type."


class QualityReportForm(RecordForm):
    """Reports are recorded at the station and through the API (``inspections.services``); what
    was measured is never edited afterwards, only the notes."""

    class Meta(RecordForm.Meta):
        model = QualityReport
        fields = ("notes",)


class SamplingRuleSetForm(RecordForm):
    class Meta(RecordForm.Meta):
        model = SamplingRuleSet
        fields = (
            "name",
            "part_type",
            "process",
            "step",
            "priority",
            "is_active",
            "fallback",
            "fallback_threshold",
            "fallback_window",
            "fallback_parts",
            "fallback_hours",
            "description",
        )
        field_classes = {"step": StepChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = step_choices(self.instance)
        fallbacks = SamplingRuleSet.objects.filter(is_archived=False).select_related("step")
        if self.instance.pk:
            fallbacks = fallbacks.exclude(pk=self.instance.pk)
        self.fields["fallback"].queryset = fallbacks

    def clean(self):
        data = super().clean()
        add_problems(self, validation.rule_set_problems(data, instance=self.instance))
        return data


class SamplingRuleForm(RecordForm):
    class Meta(RecordForm.Meta):
        model = SamplingRule
        fields = ("rule_set", "kind", "n", "m", "percentage", "sequence")

    def clean(self):
        data = super().clean()
        add_problems(self, validation.rule_problems(data))
        return data
