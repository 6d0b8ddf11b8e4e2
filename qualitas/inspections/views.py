"""Inspection pages: the generic pages of each record type, and the sampling analytics page."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views import View

from qualitas.framework.ui.charts import Series, chart
from qualitas.framework.ui.panels import FieldsPanel, Panel, RelatedPanel, TextPanel, display_value
from qualitas.framework.views.generic import ModelViews

from . import sampling
from .filtersets import (
    ErrorTypeFilterSet,
    MeasurementDefinitionFilterSet,
    MeasurementResultFilterSet,
    QualityReportFilterSet,
    ReportDefectFilterSet,
    SamplingDecisionFilterSet,
    SamplingRuleFilterSet,
    SamplingRuleSetFilterSet,
    SamplingStateFilterSet,
)
from .forms import (
    ErrorTypeForm,
    MeasurementDefinitionForm,
    QualityReportForm,
    SamplingRuleForm,
    SamplingRuleSetForm,
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
from .tables import (
    ErrorTypeTable,
    MeasurementDefinitionTable,
    MeasurementResultTable,
    QualityReportTable,
    ReportDefectTable,
    SamplingDecisionTable,
    SamplingRuleSetTable,
    SamplingRuleTable,
    SamplingStateTable,
)

# --- Panels -------------------------------------------------------------------------------------


class SpecificationPanel(Panel):
    """The unit, nominal, tolerances and limits, with the specification limits they give."""

    template_name = "framework/panels/fields.html"
    fields = (
        "unit",
        "nominal",
        "lower_tolerance",
        "upper_tolerance",
        "lower_limit",
        "upper_limit",
        "decimals",
    )

    def context(self, obj, request):
        rows = [(obj._meta.get_field(name).verbose_name, display_value(obj, name)) for name in self.fields]
        if obj.is_numeric:
            rows += [
                ("Lower specification limit in force", _number(obj.lsl)),
                ("Upper specification limit in force", _number(obj.usl)),
            ]
        return {"rows": rows}


def _number(value):
    return "open" if value is None else f"{value:g}"


class WithoutRecordPanel:
    """For record types without created/updated fields (the append-only decision log)."""

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)


# --- Record types -------------------------------------------------------------------------------


class MeasurementDefinitionViews(ModelViews):
    model = MeasurementDefinition
    table = MeasurementDefinitionTable
    filterset = MeasurementDefinitionFilterSet
    form = MeasurementDefinitionForm
    panels = (
        FieldsPanel(
            "Characteristic", ("step", "name", "code", "kind", "classification", "is_required", "sequence")
        ),
        SpecificationPanel("Specification"),
        TextPanel("Method", "method"),
        RelatedPanel(
            "Recent results", "results", columns=("report", "value", "attribute_ok", "is_pass", "recorded_at")
        ),
    )


class ErrorTypeViews(ModelViews):
    model = ErrorType
    table = ErrorTypeTable
    filterset = ErrorTypeFilterSet
    form = ErrorTypeForm
    panels = (
        FieldsPanel("Error type", ("code", "name", "part_type", "classification")),
        TextPanel("Description", "description"),
        RelatedPanel("Occurrences", "occurrences", columns=("report", "quantity", "location")),
    )


class QualityReportViews(ModelViews):
    """Reports are recorded at the operator station and through the bulk API
    (``inspections.services``); here they are read, and only their notes are edited."""

    model = QualityReport
    table = QualityReportTable
    filterset = QualityReportFilterSet
    form = QualityReportForm
    can_create = False
    panels = (
        FieldsPanel(
            "Quality report",
            ("number", "status", "part", "step", "work_order", "inspector", "equipment", "inspected_at"),
        ),
        TextPanel("Notes", "notes"),
        RelatedPanel("Results", "results", columns=("definition", "value", "attribute_ok", "is_pass")),
        RelatedPanel("Defects", "defects", columns=("error_type", "quantity", "location", "note")),
        RelatedPanel(
            "Nonconformances", "nonconformances", columns=("number", "title", "status", "disposition")
        ),
    )


class MeasurementResultViews(ModelViews):
    model = MeasurementResult
    table = MeasurementResultTable
    filterset = MeasurementResultFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel("Result", ("report", "definition", "value", "attribute_ok", "is_pass", "recorded_at")),
    )


class ReportDefectViews(ModelViews):
    model = ReportDefect
    table = ReportDefectTable
    filterset = ReportDefectFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel("Defect", ("report", "error_type", "quantity", "location")),
        TextPanel("Note", "note"),
    )


class SamplingRuleSetViews(ModelViews):
    model = SamplingRuleSet
    table = SamplingRuleSetTable
    filterset = SamplingRuleSetFilterSet
    form = SamplingRuleSetForm
    panels = (
        FieldsPanel("Rule set", ("name", "part_type", "process", "step", "priority", "is_active")),
        FieldsPanel(
            "Fallback",
            ("fallback", "fallback_threshold", "fallback_window", "fallback_parts", "fallback_hours"),
        ),
        TextPanel("Description", "description"),
        RelatedPanel("Rules", "rules", columns=("kind", "n", "m", "percentage", "sequence")),
    )


class SamplingRuleViews(ModelViews):
    model = SamplingRule
    table = SamplingRuleTable
    filterset = SamplingRuleFilterSet
    form = SamplingRuleForm
    panels = (FieldsPanel("Rule", ("rule_set", "kind", "n", "m", "percentage", "sequence")),)


class SamplingStateViews(ModelViews):
    """The sampling engine's counters per work order and step, written by the engine only."""

    model = SamplingState
    table = SamplingStateTable
    filterset = SamplingStateFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel("Sampling state", ("work_order", "step", "rule_set", "active_rule_set")),
        FieldsPanel(
            "Counters",
            (
                "parts_seen",
                "parts_seen_in_set",
                "inspections_required",
                "inspections_done",
                "defects_found",
                "recent_results",
            ),
        ),
        FieldsPanel(
            "Fallback", ("in_fallback", "fallback_started_at", "fallback_parts_left", "fallback_until")
        ),
    )


class SamplingDecisionViews(WithoutRecordPanel, ModelViews):
    """The decision log, append-only."""

    model = SamplingDecision
    table = SamplingDecisionTable
    filterset = SamplingDecisionFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Sampling decision",
            (
                "decided_at",
                "part",
                "step",
                "work_order",
                "rule_set",
                "rule",
                "sequence",
                "must_inspect",
                "in_fallback",
                "reason",
            ),
        ),
    )


# --- Sampling analytics -------------------------------------------------------------------------


class SamplingAnalyticsView(View):
    """``/inspections/sampling/analytics/``: per rule set, the inspections its rules required, those
    done, the compliance rate and the defects found (``inspections.sampling.analytics``)."""

    permission = "inspections.view_samplingruleset"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(self.permission):
            raise PermissionDenied("You do not have permission to see the sampling rule sets.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        filterset = SamplingRuleSetFilterSet(
            request.GET,
            queryset=SamplingRuleSet.objects.restrict(request.user, "view"),
            request=request,
        )
        rule_sets = filterset.qs if filterset.is_valid() else SamplingRuleSet.objects.none()
        rows = sampling.analytics(rule_sets.select_related("part_type", "step", "step__process"))
        measured = [row for row in rows if row.compliance_rate is not None]
        figure = (
            chart(
                [row.rule_set.name for row in measured],
                [Series("Compliance", [100 * row.compliance_rate for row in measured], color="success")],
                title="Inspections done as a share of those required, per rule set",
                unit="%",
            )
            if measured
            else ""
        )
        return render(
            request,
            "inspections/sampling_analytics.html",
            {"rows": rows, "chart": figure, "filterset": filterset},
        )
