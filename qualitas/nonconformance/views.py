"""NCR pages: the generic pages of NCRs and rework attempts, the NCR analysis and the defect Pareto."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.views import View

from qualitas.framework.ui.charts import Series, chart
from qualitas.framework.ui.panels import FieldsPanel, Panel, RelatedPanel, TextPanel, display_value
from qualitas.framework.views.generic import ModelViews
from qualitas.inspections.models import MeasurementResult, QualityReport, ReportDefect
from qualitas.production.models import StepTransition

from . import analysis
from .choices import SeverityChoices
from .filtersets import NonConformanceFilterSet, ReworkAttemptFilterSet
from .forms import AnalysisFilterForm, NonConformanceForm
from .models import NonConformance, ReworkAttempt
from .tables import NonConformanceTable, ReworkAttemptTable

#: Trend charts cover at most this many weeks, whatever range is asked for.
MAX_TREND_WEEKS = 104
#: Bars a Pareto chart shows (the table lists every row).
PARETO_CHART_BARS = 12

# --- Panels -------------------------------------------------------------------------------------


class StepLogPanel(Panel):
    """The step log of the NCR's part: what happened to it, where, by whom (newest first)."""

    template_name = "framework/panels/related.html"
    wide = True
    columns = ("time", "kind", "from_step", "to_step", "status_after", "outcome", "operator", "note")
    limit = 20

    def context(self, obj, request):
        headers = [StepTransition._meta.get_field(name).verbose_name for name in self.columns]
        if obj.part_id is None:
            return {"headers": headers, "rows": [], "total": 0, "shown": 0}
        queryset = (
            StepTransition.objects.restrict(request.user, "view")
            .filter(part_id=obj.part_id)
            .select_related("part", "from_step", "to_step", "operator")
        )
        total = queryset.count()
        records = list(queryset[: self.limit])
        rows = [(record, [display_value(record, name) for name in self.columns]) for record in records]
        return {"headers": headers, "rows": rows, "total": total, "shown": len(records)}


class QualityReportPanel(Panel):
    """The failed quality report the NCR was opened from, with its results and defects."""

    template_name = "nonconformance/panels/quality_report.html"

    def context(self, obj, request):
        report = None
        if obj.quality_report_id:
            report = (
                QualityReport.objects.restrict(request.user, "view")
                .select_related("step", "inspector", "equipment")
                .filter(pk=obj.quality_report_id)
                .first()
            )
        if report is None:
            return {"report": None}
        results = (
            MeasurementResult.objects.restrict(request.user, "view")
            .filter(report=report)
            .select_related("definition")
        )
        defects = (
            ReportDefect.objects.restrict(request.user, "view")
            .filter(report=report)
            .select_related("error_type")
        )
        return {
            "report": report,
            "status": display_value(report, "status"),
            "inspected_at": display_value(report, "inspected_at"),
            "results": [
                {
                    "result": result,
                    "limits": _limits(result.definition),
                }
                for result in results
            ],
            "defects": list(defects),
        }


def _limits(definition):
    if not definition.is_numeric:
        return "pass / fail"
    lower, upper = definition.lsl, definition.usl
    return " – ".join(
        "open" if limit is None else f"{limit:.{definition.decimals}f}" for limit in (lower, upper)
    )


# --- Record types -------------------------------------------------------------------------------


class NonConformanceViews(ModelViews):
    """NCRs are raised by hand here, and by failed quality reports
    (``nonconformance.services.open_from_report``). Disposition, escalation and closure are the
    state machine's actions; the Approval tab is the material review board's."""

    model = NonConformance
    table = NonConformanceTable
    filterset = NonConformanceFilterSet
    form = NonConformanceForm
    panels = (
        FieldsPanel(
            "Nonconformance",
            (
                "number",
                "title",
                "status",
                "source",
                "severity",
                "quantity",
                "part",
                "part_type",
                "work_order",
                "step",
                "quality_report",
                "supplier",
                "customer",
                "assignee",
            ),
        ),
        TextPanel("Description", "description"),
        FieldsPanel(
            "Disposition",
            (
                "disposition",
                "rework_step",
                "disposition_notes",
                "disposition_decided_by",
                "disposition_decided_at",
                "concession_reference",
            ),
        ),
        FieldsPanel("Escalation", ("is_escalated", "escalation_reason")),
        FieldsPanel("Resolution", ("resolution", "closed_at")),
        QualityReportPanel("Quality report"),
        StepLogPanel("Step log of the part"),
        RelatedPanel(
            "Rework attempts",
            "rework_attempts",
            columns=("part", "step", "attempt", "outcome", "started_at", "finished_at"),
        ),
    )

    #: The URL prefix STYLE.md gives NCRs, rather than the one made from "nonconformances".
    path_prefix = "non-conformances"


class ReworkAttemptViews(ModelViews):
    """Rework attempts are made when an NCR's rework is carried out, and finished by the part's
    next pass or failure at the step: read-only here."""

    model = ReworkAttempt
    table = ReworkAttemptTable
    filterset = ReworkAttemptFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Rework attempt",
            ("nonconformance", "part", "step", "attempt", "outcome", "started_at", "finished_at"),
        ),
    )


# --- Analysis pages -----------------------------------------------------------------------------


class AnalysisPage(View):
    permission = ""
    template_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(self.permission):
            raise PermissionDenied("You do not have permission to open this page.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        form = AnalysisFilterForm(request.GET, user=request.user)
        form.is_valid()
        # The filters that are valid apply; the page shows the errors of the others.
        filters = form.cleaned_data
        context = {"form": form, **self.figures(filters)}
        return render(request, self.template_name, context)

    def figures(self, filters):
        raise NotImplementedError


class NonConformanceAnalysisView(AnalysisPage):
    """``/quality/non-conformances/analysis/``: NCRs opened against closed per week, the ageing of
    open NCRs by severity, and the dispositions."""

    permission = "nonconformance.view_nonconformance"
    template_name = "nonconformance/analysis.html"

    def figures(self, filters):
        ncrs = NonConformance.objects.restrict(self.request.user, "view").filter(is_archived=False)
        part_type = filters.get("part_type")
        if part_type is not None:
            ncrs = ncrs.filter(part_type__lineage=part_type.lineage)
        today = timezone.localdate()
        end = filters.get("date_to") or today
        start = filters.get("date_from") or analysis.weeks_ending(end)
        start = max(start, analysis.weeks_ending(end, MAX_TREND_WEEKS))
        ranged = ncrs
        if filters.get("date_from"):
            ranged = ranged.filter(created__date__gte=filters["date_from"])
        if filters.get("date_to"):
            ranged = ranged.filter(created__date__lte=filters["date_to"])
        trend = analysis.weekly_trend(ncrs, start, end)
        ageing = analysis.open_ageing(ranged, today)
        dispositions = analysis.disposition_breakdown(ranged)
        severities = [(value, SeverityChoices.label(value)) for value in SeverityChoices.ORDER]
        weeks = [date_format(week.start, "j M") for week in trend]
        return {
            "trend": trend,
            "ageing": ageing,
            "dispositions": dispositions,
            "severities": severities,
            "trend_start": analysis.monday(start),
            "trend_end": end,
            "trend_chart": chart(
                weeks,
                [
                    Series("Opened", [week.created for week in trend], color="danger", kind="line"),
                    Series("Closed", [week.closed for week in trend], color="success", kind="line"),
                ],
                title="NCRs opened and closed per week",
            ),
            "ageing_chart": chart(
                [row.label for row in ageing],
                [
                    Series(label, [row.counts[index] for row in ageing], color=SeverityChoices.color(value))
                    for index, (value, label) in enumerate(severities)
                ],
                title="Open NCRs by age and severity",
                stacked=True,
            ),
            "disposition_chart": chart(
                [share.label for share in dispositions],
                [Series("NCRs", [share.count for share in dispositions], color="primary")],
                title="NCRs by disposition",
            ),
        }


class DefectParetoView(AnalysisPage):
    """``/quality/defects/pareto/``: the defects found (by error type, quantities summed) and the
    failed characteristics, largest first, with the cumulative share."""

    permission = "inspections.view_qualityreport"
    template_name = "nonconformance/pareto.html"

    def figures(self, filters):
        reports = QualityReport.objects.restrict(self.request.user, "view").filter(is_archived=False)
        part_type = filters.get("part_type")
        if part_type is not None:
            reports = reports.filter(part__part_type__lineage=part_type.lineage)
        if filters.get("date_from"):
            reports = reports.filter(inspected_at__date__gte=filters["date_from"])
        if filters.get("date_to"):
            reports = reports.filter(inspected_at__date__lte=filters["date_to"])
        defects = analysis.defect_pareto(reports)
        characteristics = analysis.failed_characteristic_pareto(reports)
        return {
            "defects": defects,
            "characteristics": characteristics,
            "defect_chart": pareto_chart(defects, "Defects by error type", "Quantity"),
            "characteristic_chart": pareto_chart(characteristics, "Failed characteristics", "Failed results"),
        }


def pareto_chart(rows, title, name):
    if not rows:
        return ""
    shown = rows[:PARETO_CHART_BARS]
    return chart(
        [row.label.split(" ")[0] if len(row.label) > 12 else row.label for row in shown],
        [
            Series(name, [row.count for row in shown], color="primary"),
            Series(
                "Cumulative %",
                [row.cumulative_percent for row in shown],
                color="danger",
                kind="line",
                axis="right",
            ),
        ],
        title=title,
    )
