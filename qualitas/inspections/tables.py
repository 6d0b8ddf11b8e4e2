from django.urls import reverse
from django.utils.html import format_html

from qualitas.framework.tables import BooleanColumn, ChoiceColumn, Column, Table

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


class DetailColumn(Column):
    """Links to the row's own detail page, for records whose ``get_absolute_url`` points elsewhere
    (a sampling decision's is its part's page)."""

    def render(self, record):
        text = super().render(record)
        url = reverse(f"{record._meta.app_label}:{record._meta.model_name}_detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, text)


class MeasurementDefinitionTable(Table):
    name = Column(linkify=True)
    code = Column()
    step = Column(accessor="step.name", verbose_name="Step")
    process = Column(accessor="step.process.number", verbose_name="Routing")
    kind = ChoiceColumn()
    classification = ChoiceColumn()
    nominal = Column()
    lower_limit = Column(accessor="lsl", verbose_name="LSL", orderable=False)
    upper_limit = Column(accessor="usl", verbose_name="USL", orderable=False)
    unit = Column()
    is_required = BooleanColumn(verbose_name="Required")

    class Meta:
        model = MeasurementDefinition
        default_order = ("step__process__number", "step__sequence", "sequence", "pk")


class ErrorTypeTable(Table):
    code = Column(linkify=True)
    name = Column()
    part_type = Column(accessor="part_type.part_number", verbose_name="Part type")
    classification = ChoiceColumn()
    created = Column()

    class Meta:
        model = ErrorType
        default_order = ("code", "pk")


class QualityReportTable(Table):
    number = Column(linkify=True)
    status = ChoiceColumn()
    part = Column(accessor="part.serial_number", verbose_name="Part")
    step = Column(accessor="step.name", verbose_name="Step")
    work_order = Column(accessor="work_order.number", verbose_name="Work order")
    inspector = Column(accessor="inspector.full_name", verbose_name="Inspector")
    equipment = Column(accessor="equipment.identifier", verbose_name="Equipment")
    inspected_at = Column()

    class Meta:
        model = QualityReport
        default_order = ("-inspected_at", "-pk")


class MeasurementResultTable(Table):
    id = Column(linkify=True, verbose_name="Result")
    report = Column(accessor="report.number", verbose_name="Quality report")
    definition = Column(accessor="definition.name", verbose_name="Characteristic")
    value = Column()
    unit = Column(accessor="definition.unit", verbose_name="Unit")
    attribute_ok = BooleanColumn(verbose_name="Attribute OK")
    is_pass = BooleanColumn(verbose_name="Pass")
    recorded_at = Column()

    class Meta:
        model = MeasurementResult
        default_order = ("-recorded_at", "-pk")


class ReportDefectTable(Table):
    id = Column(linkify=True, verbose_name="Defect")
    report = Column(accessor="report.number", verbose_name="Quality report")
    error_type = Column(accessor="error_type.name", verbose_name="Error type")
    quantity = Column()
    location = Column()
    created = Column()

    class Meta:
        model = ReportDefect
        default_order = ("-created", "-pk")


class SamplingRuleSetTable(Table):
    name = Column(linkify=True)
    part_type = Column(accessor="part_type.part_number", verbose_name="Part type")
    process = Column(accessor="process.number", verbose_name="Routing")
    step = Column(accessor="step.name", verbose_name="Step")
    priority = Column()
    is_active = BooleanColumn(verbose_name="Active")
    fallback = Column(accessor="fallback.name", verbose_name="Fallback")
    fallback_threshold = Column(verbose_name="Defects to fall back")

    class Meta:
        model = SamplingRuleSet
        default_order = ("step", "priority", "pk")


class SamplingRuleTable(Table):
    rule = Column(accessor="__str__", verbose_name="Rule", orderable=False, linkify=True)
    rule_set = Column(accessor="rule_set.name", verbose_name="Rule set")
    kind = ChoiceColumn()
    n = Column()
    m = Column()
    percentage = Column()
    sequence = Column()

    class Meta:
        model = SamplingRule
        default_order = ("rule_set", "sequence", "pk")


class SamplingStateTable(Table):
    id = Column(linkify=True, verbose_name="State")
    work_order = Column(accessor="work_order.number", verbose_name="Work order")
    step = Column(accessor="step.name", verbose_name="Step")
    active_rule_set = Column(accessor="active_rule_set.name", verbose_name="Rule set in use")
    in_fallback = BooleanColumn(verbose_name="On fallback")
    parts_seen = Column()
    inspections_required = Column()
    inspections_done = Column()
    defects_found = Column()

    class Meta:
        model = SamplingState
        default_order = ("work_order", "step")


class SamplingDecisionTable(Table):
    decided_at = DetailColumn()
    part = Column(accessor="part.serial_number", verbose_name="Part")
    step = Column(accessor="step.name", verbose_name="Step")
    work_order = Column(accessor="work_order.number", verbose_name="Work order")
    rule_set = Column(accessor="rule_set.name", verbose_name="Rule set")
    sequence = Column()
    must_inspect = BooleanColumn(verbose_name="Inspect")
    in_fallback = BooleanColumn(verbose_name="On fallback")
    reason = Column()

    class Meta:
        model = SamplingDecision
        default_order = ("-decided_at", "-pk")
