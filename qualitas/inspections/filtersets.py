import django_filters
from django import forms

from qualitas.accounts.models import User
from qualitas.equipment.models import Equipment
from qualitas.framework.filtersets import ModelChoiceFilter, ModelMultipleChoiceFilter, RecordFilterSet
from qualitas.production.models import Part, PartType, Process, Step, WorkOrder

from .choices import (
    CharacteristicClassChoices,
    MeasurementKindChoices,
    ReportStatusChoices,
    SamplingRuleKindChoices,
)
from .models import (
    ErrorType,
    MeasurementDefinition,
    MeasurementResult,
    QualityReport,
    ReportDefect,
    SamplingDecision,
    SamplingRule,
    SamplingRuleSet,
    SamplingState,
)

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def visible(model):
    """The choices of a filter on a related record: the rows the user may see (every row when the
    filterset is used without a request, as in jobs)."""

    def queryset(request):
        if request is None:
            return model.objects.all()
        return model.objects.restrict(request.user, "view")

    return queryset


def by_id(model, label, field_name=None):
    """A filter on a related record of which there are too many for a list (parts, steps, reports),
    given by id."""
    return ModelChoiceFilter(
        queryset=visible(model), field_name=field_name, label=label, widget=forms.NumberInput
    )


def date_range(field_name, label):
    """``<name>_after`` and ``<name>_before`` filters on the date of a date-time field."""
    return (
        django_filters.DateFilter(
            field_name=field_name, lookup_expr="date__gte", label=f"{label} from", **DATE
        ),
        django_filters.DateFilter(
            field_name=field_name, lookup_expr="date__lte", label=f"{label} to", **DATE
        ),
    )


class MeasurementDefinitionFilterSet(RecordFilterSet):
    search_fields = ("name", "code", "method", "unit")
    part_type = ModelMultipleChoiceFilter(
        field_name="step__process__part_type", queryset=visible(PartType), label="Part type"
    )
    process = ModelMultipleChoiceFilter(
        field_name="step__process", queryset=visible(Process), label="Routing"
    )
    step = by_id(Step, "Step (id)")
    kind = django_filters.MultipleChoiceFilter(choices=MeasurementKindChoices.choices())
    classification = django_filters.MultipleChoiceFilter(choices=CharacteristicClassChoices.choices())

    class Meta:
        model = MeasurementDefinition
        fields = (
            "name",
            "code",
            "unit",
            "nominal",
            "lower_tolerance",
            "upper_tolerance",
            "lower_limit",
            "upper_limit",
            "decimals",
            "is_required",
            "sequence",
        )


class ErrorTypeFilterSet(RecordFilterSet):
    search_fields = ("code", "name", "description")
    part_type = ModelMultipleChoiceFilter(queryset=visible(PartType))
    any_part_type = django_filters.BooleanFilter(
        field_name="part_type", lookup_expr="isnull", label="For every part type"
    )
    classification = django_filters.MultipleChoiceFilter(choices=CharacteristicClassChoices.choices())

    class Meta:
        model = ErrorType
        fields = ("code", "name")


class QualityReportFilterSet(RecordFilterSet):
    search_fields = ("number", "notes", "part__serial_number")
    status = django_filters.MultipleChoiceFilter(choices=ReportStatusChoices.choices())
    part = by_id(Part, "Part (id)")
    serial_number = django_filters.CharFilter(
        field_name="part__serial_number", lookup_expr="iexact", label="Serial number"
    )
    part_type = ModelMultipleChoiceFilter(
        field_name="part__part_type", queryset=visible(PartType), label="Part type"
    )
    step = by_id(Step, "Step (id)")
    work_order = ModelMultipleChoiceFilter(queryset=visible(WorkOrder))
    inspector = ModelChoiceFilter(queryset=User.objects.all())
    equipment = ModelMultipleChoiceFilter(queryset=visible(Equipment))
    inspected_after, inspected_before = date_range("inspected_at", "Inspected")

    class Meta:
        model = QualityReport
        fields = ("number",)


class MeasurementResultFilterSet(RecordFilterSet):
    search_fields = ("definition__name", "definition__code", "report__number")
    report = by_id(QualityReport, "Quality report (id)")
    definition = ModelMultipleChoiceFilter(queryset=visible(MeasurementDefinition))
    part_type = ModelMultipleChoiceFilter(
        field_name="report__part__part_type", queryset=visible(PartType), label="Part type"
    )
    value_min = django_filters.NumberFilter(field_name="value", lookup_expr="gte", label="Value from")
    value_max = django_filters.NumberFilter(field_name="value", lookup_expr="lte", label="Value to")
    recorded_after, recorded_before = date_range("recorded_at", "Recorded")

    class Meta:
        model = MeasurementResult
        fields = ("attribute_ok", "is_pass")


class ReportDefectFilterSet(RecordFilterSet):
    search_fields = ("location", "note", "error_type__name", "error_type__code")
    report = by_id(QualityReport, "Quality report (id)")
    error_type = ModelMultipleChoiceFilter(queryset=visible(ErrorType))
    part_type = ModelMultipleChoiceFilter(
        field_name="report__part__part_type", queryset=visible(PartType), label="Part type"
    )
    location = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ReportDefect
        fields = ("quantity",)


class SamplingRuleSetFilterSet(RecordFilterSet):
    search_fields = ("name", "description")
    part_type = ModelMultipleChoiceFilter(queryset=visible(PartType))
    process = ModelMultipleChoiceFilter(queryset=visible(Process), label="Routing")
    step = by_id(Step, "Step (id)")
    fallback = by_id(SamplingRuleSet, "Fallback rule set (id)")

    class Meta:
        model = SamplingRuleSet
        fields = (
            "name",
            "priority",
            "is_active",
            "fallback_threshold",
            "fallback_window",
            "fallback_parts",
            "fallback_hours",
        )


class SamplingRuleFilterSet(RecordFilterSet):
    search_fields = ("rule_set__name",)
    rule_set = ModelMultipleChoiceFilter(queryset=visible(SamplingRuleSet))
    kind = django_filters.MultipleChoiceFilter(choices=SamplingRuleKindChoices.choices())

    class Meta:
        model = SamplingRule
        fields = ("n", "m", "percentage", "sequence")


class SamplingStateFilterSet(RecordFilterSet):
    search_fields = ("work_order__number", "step__name", "active_rule_set__name")
    work_order = ModelMultipleChoiceFilter(queryset=visible(WorkOrder))
    step = by_id(Step, "Step (id)")
    rule_set = ModelMultipleChoiceFilter(queryset=visible(SamplingRuleSet))
    active_rule_set = ModelMultipleChoiceFilter(queryset=visible(SamplingRuleSet), label="Rule set in use")
    fallback_started_after, fallback_started_before = date_range("fallback_started_at", "Fallback started")

    class Meta:
        model = SamplingState
        fields = ("in_fallback",)


class SamplingDecisionFilterSet(django_filters.FilterSet):
    """The decision log is append-only: no archive or created-date filters, its own time."""

    q = django_filters.CharFilter(field_name="reason", lookup_expr="icontains", label="Reason")
    part = by_id(Part, "Part (id)")
    serial_number = django_filters.CharFilter(
        field_name="part__serial_number", lookup_expr="iexact", label="Serial number"
    )
    step = by_id(Step, "Step (id)")
    work_order = ModelMultipleChoiceFilter(queryset=visible(WorkOrder))
    rule_set = ModelMultipleChoiceFilter(queryset=visible(SamplingRuleSet))
    rule = ModelMultipleChoiceFilter(queryset=visible(SamplingRule))
    decided_after, decided_before = date_range("decided_at", "Decided")

    class Meta:
        model = SamplingDecision
        fields = ("sequence", "must_inspect", "in_fallback")
