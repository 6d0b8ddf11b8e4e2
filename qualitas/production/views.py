"""Views of production records: the generic list, detail, edit and action pages of each model,
and the two revision pages (a routing's next draft, a part type's next design revision)."""

import json
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views import View

from qualitas.accounts.forms import add_service_errors
from qualitas.framework.actions import TransitionNotAllowed
from qualitas.framework.scoping import permission_name
from qualitas.framework.sessions import leave_session_alone
from qualitas.framework.ui.panels import FieldsPanel, Panel, RelatedPanel, TextPanel, display_value
from qualitas.framework.ui.tabs import Tab, register_tab
from qualitas.framework.views.generic import ModelViews, RecordTabView
from qualitas.framework.views.generic.viewset import ListView, RecordView, url_prefix
from qualitas.inspections import services as inspection_services
from qualitas.inspections.choices import CharacteristicClassChoices
from qualitas.inspections.models import MeasurementDefinition

from . import actions, imports, metrics, routing, services
from .choices import EdgeConditionChoices, PartStatusChoices, ProcessStatusChoices, StepKindChoices
from .filtersets import (
    CustomerOrderFilterSet,
    CustomerOrderLineFilterSet,
    PartFilterSet,
    PartTypeFilterSet,
    ProcessFilterSet,
    StepEdgeFilterSet,
    StepFilterSet,
    StepTransitionFilterSet,
    WorkCenterFilterSet,
    WorkOrderFilterSet,
)
from .forms import (
    CustomerOrderForm,
    CustomerOrderLineForm,
    PartForm,
    PartTypeForm,
    PartTypeRevisionForm,
    ProcessForm,
    StepEdgeForm,
    StepForm,
    WipFilterForm,
    WorkCenterForm,
    WorkOrderForm,
)
from .models import (
    CustomerOrder,
    CustomerOrderLine,
    Part,
    PartType,
    Process,
    Step,
    StepEdge,
    StepTransition,
    WorkCenter,
    WorkOrder,
)
from .tables import (
    CustomerOrderLineTable,
    CustomerOrderTable,
    PartTable,
    PartTypeTable,
    ProcessTable,
    StepEdgeTable,
    StepTable,
    StepTransitionTable,
    WorkCenterTable,
    WorkOrderTable,
)

# --- Shared pieces ------------------------------------------------------------------------------


class DefaultFiltersListView(ListView):
    """The list page with the viewset's ``default_filters`` applied to the bare URL (the menu link,
    "Reset"). Once the filter form is sent, its values are used as they are, so every row can
    still be listed; the API has no defaults."""

    def get(self, request):
        defaults = self.viewset.default_filters
        if defaults and not set(request.GET) & set(self.viewset.filterset.base_filters):
            query = request.GET.copy()
            for name, value in defaults.items():
                query.setlist(name, list(value) if isinstance(value, list | tuple) else [value])
            request.GET = query
        return super().get(request)


class DefaultFiltersViews(ModelViews):
    """``ModelViews`` whose list page starts from ``default_filters``."""

    default_filters: dict = {}

    @classmethod
    def urls(cls):
        list_name = cls.name("list")
        list_path = path(
            f"{url_prefix(cls.model)}/", DefaultFiltersListView.as_view(viewset=cls), name=list_name
        )
        return [list_path if pattern.name == list_name else pattern for pattern in super().urls()]


class VersionsPanel(Panel):
    """Every version of a versioned record that the reader may see, newest first, and the button
    that makes the next one (when the reader may add records of this type)."""

    template_name = "production/panels/versions.html"

    def __init__(self, title, columns, button_label, button_view, method="post"):
        super().__init__(title)
        self.columns = columns
        self.button_label = button_label
        self.button_view = button_view
        self.method = method

    def may_add_version(self, obj):
        return True

    def context(self, obj, request):
        model = type(obj)
        versions = (
            model.objects.restrict(request.user, "view").filter(lineage=obj.lineage).order_by("-version")
        )
        headers = [model._meta.get_field(name).verbose_name for name in self.columns]
        rows = [(version, [display_value(version, name) for name in self.columns]) for version in versions]
        show_button = (
            request.user.has_perm(permission_name(model, "add"))
            and not obj.is_archived
            and self.may_add_version(obj)
        )
        return {
            "headers": headers,
            "rows": rows,
            "button_url": f"{obj.get_absolute_url()}{self.button_view}/" if show_button else "",
        }


class ProcessVersionsPanel(VersionsPanel):
    def may_add_version(self, obj):
        # A draft is edited directly; ``revise_process`` refuses a second draft with a message.
        return obj.status != ProcessStatusChoices.DRAFT


class ProgressPanel(Panel):
    """A work order's progress: parts done, scrapped and in production, actual against expected
    completion and whether the due date is at risk (``services.progress``)."""

    template_name = "production/panels/progress.html"

    def context(self, obj, request):
        return {"progress": services.progress(obj)}


# --- Records ------------------------------------------------------------------------------------


class WorkCenterViews(ModelViews):
    model = WorkCenter
    table = WorkCenterTable
    filterset = WorkCenterFilterSet
    form = WorkCenterForm
    panels = (
        FieldsPanel("Work centre", ("code", "name")),
        TextPanel("Description", "description"),
        RelatedPanel("Steps", "steps", columns=("name", "process", "kind")),
        RelatedPanel("Equipment", "equipment", columns=("identifier", "name", "kind", "status")),
    )


class CustomerOrderViews(ModelViews):
    model = CustomerOrder
    table = CustomerOrderTable
    filterset = CustomerOrderFilterSet
    form = CustomerOrderForm
    panels = (
        FieldsPanel(
            "Order",
            ("number", "customer", "customer_reference", "erp_id", "status", "order_date", "due_date"),
        ),
        TextPanel("Notes", "notes"),
        RelatedPanel("Lines", "lines", columns=("line_number", "part_type", "quantity", "due_date")),
    )


class CustomerOrderLineViews(ModelViews):
    model = CustomerOrderLine
    table = CustomerOrderLineTable
    filterset = CustomerOrderLineFilterSet
    form = CustomerOrderLineForm
    panels = (
        FieldsPanel("Order line", ("order", "line_number", "part_type", "quantity", "due_date")),
        RelatedPanel("Work orders", "work_orders", columns=("number", "status", "quantity", "due_date")),
    )


class PartTypeViews(DefaultFiltersViews):
    model = PartType
    table = PartTypeTable
    filterset = PartTypeFilterSet
    form = PartTypeForm
    default_filters = {"is_current": "true"}
    panels = (
        FieldsPanel(
            "Part type",
            (
                "part_number",
                "name",
                "revision",
                "version",
                "is_current",
                "customer",
                "serial_prefix",
                "serial_digits",
                "max_rework_attempts",
            ),
        ),
        TextPanel("Description", "description"),
        VersionsPanel(
            "Revisions",
            ("revision", "version", "is_current", "created"),
            button_label="New revision",
            button_view="revise",
            method="get",
        ),
        RelatedPanel("Routings", "processes", columns=("number", "version", "name", "status")),
        RelatedPanel("Work orders", "work_orders", columns=("number", "status", "quantity", "due_date")),
    )

    @classmethod
    def urls(cls):
        prefix = url_prefix(cls.model)
        revise = path(
            f"{prefix}/<int:pk>/revise/", PartTypeReviseView.as_view(viewset=cls), name=cls.name("revise")
        )
        return [revise, *super().urls()]


class PartTypeReviseView(RecordView):
    """A part type's next design revision: a small form for its label, then
    ``services.revise_part_type``, which makes it current at once."""

    template_name = "production/parttype_revise.html"

    def target(self):
        self.require("add")
        return self.get_object()

    def get(self, request, pk):
        part_type = self.target()
        return self.render_form(PartTypeRevisionForm(), part_type)

    def post(self, request, pk):
        part_type = self.target()
        form = PartTypeRevisionForm(request.POST)
        if form.is_valid():
            try:
                new = services.revise_part_type(part_type, form.cleaned_data["revision"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{new} is the current revision now.")
                return redirect(new.get_absolute_url())
        return self.render_form(form, part_type, status=400)

    def render_form(self, form, part_type, status=200):
        context = {**self.base_context(part_type), "form": form}
        return render(self.request, self.template_name, context, status=status)


class ProcessViews(DefaultFiltersViews):
    """Routings. Steps and edges are edited while the routing is a draft; a released one is
    revised into a new draft (``ProcessReviseView``)."""

    model = Process
    table = ProcessTable
    filterset = ProcessFilterSet
    form = ProcessForm
    # In force and being drafted; obsolete versions are one filter away.
    default_filters = {"status": [ProcessStatusChoices.DRAFT, ProcessStatusChoices.RELEASED]}
    panels = (
        FieldsPanel(
            "Routing", ("number", "version", "name", "part_type", "status", "is_current", "released_at")
        ),
        TextPanel("Description", "description"),
        RelatedPanel("Steps", "steps", columns=("sequence", "name", "kind", "work_center", "requires_qa")),
        RelatedPanel("Edges", "edges", columns=("source", "target", "condition")),
        RelatedPanel("Work orders", "work_orders", columns=("number", "status", "quantity", "due_date")),
        ProcessVersionsPanel(
            "Versions",
            ("version", "status", "is_current", "released_at"),
            button_label="Revise",
            button_view="revise",
        ),
    )

    @classmethod
    def urls(cls):
        prefix = url_prefix(cls.model)
        revise = path(
            f"{prefix}/<int:pk>/revise/", ProcessReviseView.as_view(viewset=cls), name=cls.name("revise")
        )
        return [revise, *super().urls()]


class ProcessReviseView(RecordView):
    """POST only: a new draft version of a released or obsolete routing, with copies of its steps
    and edges (``services.revise_process``). A refusal is shown as a message on the routing."""

    http_method_names = ["post"]

    def post(self, request, pk):
        self.require("add")
        process = self.get_object()
        try:
            new = services.revise_process(process, request.user)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect(process.get_absolute_url())
        messages.success(request, f"{new} is a new draft made from version {process.version}.")
        return redirect(new.get_absolute_url())


class StepViews(ModelViews):
    model = Step
    table = StepTable
    filterset = StepFilterSet
    form = StepForm
    panels = (
        FieldsPanel(
            "Step",
            (
                "process",
                "name",
                "kind",
                "sequence",
                "work_center",
                "requires_qa",
                "estimated_duration",
                "setup_duration",
            ),
        ),
        TextPanel("Instructions", "instructions"),
        RelatedPanel("Leads to", "outgoing", columns=("target", "condition")),
        RelatedPanel("Reached from", "incoming", columns=("source", "condition")),
        RelatedPanel("Parts at this step", "parts", columns=("serial_number", "status", "step_entered_at")),
    )


class StepEdgeViews(ModelViews):
    model = StepEdge
    table = StepEdgeTable
    filterset = StepEdgeFilterSet
    form = StepEdgeForm
    panels = (FieldsPanel("Edge", ("process", "source", "target", "condition")),)


class WorkOrderViews(ModelViews):
    """Work orders are made with their parts by ``services.create_work_order`` (``WorkOrderForm``);
    their status changes through the actions."""

    model = WorkOrder
    list_links = (("Import work orders", "production:workorder_import", "production.add_workorder"),)
    table = WorkOrderTable
    filterset = WorkOrderFilterSet
    form = WorkOrderForm
    panels = (
        FieldsPanel(
            "Work order",
            (
                "number",
                "part_type",
                "process",
                "quantity",
                "order_line",
                "priority",
                "status",
                "due_date",
                "erp_id",
                "started_at",
                "completed_at",
            ),
        ),
        ProgressPanel("Progress"),
        TextPanel("Notes", "notes"),
        RelatedPanel("Parts", "parts", columns=("serial_number", "status", "current_step")),
    )


class PartViews(ModelViews):
    """Parts come from their work order: they are never added by hand, and only the ERP id is
    edited. Their status changes through the actions (the station flow)."""

    model = Part
    table = PartTable
    filterset = PartFilterSet
    form = PartForm
    can_create = False
    panels = (
        FieldsPanel(
            "Part",
            (
                "serial_number",
                "work_order",
                "part_type",
                "current_step",
                "status",
                "step_entered_at",
                "erp_id",
            ),
        ),
        RelatedPanel(
            "Step log",
            "transitions",
            columns=("time", "kind", "from_step", "to_step", "outcome", "operator", "equipment", "note"),
            wide=True,
        ),
        RelatedPanel(
            "Quality reports", "quality_reports", columns=("number", "step", "status", "inspected_at")
        ),
    )


class StepTransitionViews(ModelViews):
    """The step log: read here, written only by the part actions."""

    model = StepTransition
    table = StepTransitionTable
    filterset = StepTransitionFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Step log entry",
            (
                "time",
                "part",
                "kind",
                "from_step",
                "to_step",
                "status_before",
                "status_after",
                "outcome",
                "operator",
                "equipment",
                "note",
            ),
        ),
    )

    @classmethod
    def get_panels(cls, obj):
        # An append-only entry has no created/updated record fields.
        return list(cls.panels)


# --- The operator station -----------------------------------------------------------------------


def limits_text(definition):
    """ "24.950 – 25.050 mm" (an open side shows as ≤ / ≥)."""
    lsl, usl = definition.lsl, definition.usl
    places = definition.decimals
    if lsl is not None and usl is not None:
        return f"{lsl:.{places}f} – {usl:.{places}f} {definition.unit}".strip()
    if usl is not None:
        return f"≤ {usl:.{places}f} {definition.unit}".strip()
    if lsl is not None:
        return f"≥ {lsl:.{places}f} {definition.unit}".strip()
    return definition.unit


def check_state(definition, raw):
    """("pass" | "fail" | "invalid" | "", message) for a value being typed at the station."""
    if raw in (None, ""):
        return "", ""
    try:
        if definition.is_numeric:
            _value, _ok, is_pass = inspection_services.check_value(definition, raw)
        else:
            _value, _ok, is_pass = inspection_services.check_value(definition, attribute_ok=raw)
    except ValidationError as error:
        return "invalid", " ".join(error.messages).replace(f"{definition}: ", "")
    return ("pass" if is_pass else "fail"), ""


class StationView(View):
    """Shared by the station pages: signed in, and allowed to see parts."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("production.view_part"):
            raise PermissionDenied("You do not have permission to see parts.")
        return super().dispatch(request, *args, **kwargs)

    def parts(self):
        return Part.objects.restrict(self.request.user, "view").select_related(
            "work_order", "part_type", "current_step", "current_step__work_center"
        )


class StationScanView(StationView):
    def get(self, request):
        serial = request.GET.get("serial", "").strip()
        error = ""
        if serial:
            part = self.parts().filter(serial_number__iexact=serial).first()
            if part is not None:
                return redirect("production:station_part", part.pk)
            error = f"No part with serial number “{serial}”."
        recent_ids = (
            StepTransition.objects.filter(operator=request.user)
            .order_by("-time")
            .values_list("part_id", flat=True)[:50]
        )
        recent = []
        for part in self.parts().filter(pk__in=list(dict.fromkeys(recent_ids))[:8]):
            part.status_color = PartStatusChoices.color(part.status)
            recent.append(part)
        context = {"serial": serial, "error": error, "recent": recent}
        return render(request, "production/station_scan.html", context, status=404 if error else 200)


class StationPartView(StationView):
    """A part at its step: instructions, documents, measurements with pass / fail as they are
    typed, and the buttons for what can be done now."""

    def get(self, request, pk):
        part = get_object_or_404(self.parts(), pk=pk)
        return self.render_station(part)

    def post(self, request, pk):
        part = get_object_or_404(self.parts(), pk=pk)
        do = request.POST.get("do") or request.GET.get("do", "")
        equipment = request.POST.get("equipment") or None
        values = {
            key[1:]: value.strip()
            for key, value in request.POST.items()
            if key.startswith("m") and key[1:].isdigit()
        }
        values = {key: value for key, value in values.items() if value}
        try:
            with transaction.atomic():
                if do == "start":
                    services.start_at_station(part, request.user, equipment=equipment, request=request)
                    return redirect("production:station_part", part.pk)
                if do in ("record", "complete") and values:
                    report = services.record_at_station(
                        part, request.user, values, equipment=equipment, request=request
                    )
                    if report.status == "fail":
                        ncr = report.nonconformances.first()
                        messages.error(
                            request,
                            f"{part} failed: {ncr.number if ncr else 'an NCR'} was opened and the part is quarantined.",
                        )
                        return redirect("production:station_part", part.pk)
                    if do == "record":
                        messages.success(
                            request, f"Recorded {report.number}: {report.get_status_display().lower()}."
                        )
                        return redirect("production:station_part", part.pk)
                if do == "complete":
                    step = part.current_step
                    services.complete_and_advance(part, request.user, equipment=equipment, request=request)
                elif do == "move":
                    step = part.current_step
                    services.advance(
                        part,
                        request.user,
                        next_step=request.POST.get("next_step") or None,
                        request=request,
                        insist=True,
                    )
                elif do == "sign-off":
                    step = part.current_step
                    actions.SignOffStep(part, request.user, request=request).execute()
                    services.advance(part, request.user, request=request)
                else:
                    return self.render_station(part, errors=["Choose what to do."], values=values, status=400)
        except TransitionNotAllowed as error:
            return self.render_station(part, errors=error.blockers, values=values, status=409)
        except ValidationError as error:
            return self.render_station(part, errors=error.messages, values=values, status=400)
        part.refresh_from_db()
        if part.status == PartStatusChoices.COMPLETED:
            messages.success(request, f"{part} completed its routing.")
        elif part.current_step != step:
            messages.success(request, f"{part} finished {step} and moved to {part.current_step}.")
        else:
            messages.success(request, f"{part} finished {step}: {part.get_status_display().lower()}.")
        return redirect("production:station_part", part.pk)

    def render_station(self, part, errors=(), values=None, status=200):
        values = values or {}
        station = services.station(part, self.request.user)
        for item in station.characteristics:
            definition = item.definition
            recorded = item.result
            if str(definition.pk) in values:
                item.typed = values[str(definition.pk)]
            elif recorded is not None:
                item.typed = (
                    f"{recorded.value:.{definition.decimals}f}"
                    if recorded.value is not None
                    else ("pass" if recorded.attribute_ok else "fail")
                )
            else:
                item.typed = ""
            item.state, item.message = check_state(definition, item.typed)
            definition.limits_display = limits_text(definition)
            definition.classification_color = CharacteristicClassChoices.color(definition.classification)
        complete_blockers = station.actions.get("complete") or []
        station.can_sign_off = "sign-off" in station.actions and not station.actions["sign-off"]
        # Missing measurements do not disable Complete: they are typed in the same form, and the
        # step completes once they are recorded (the server refuses if they are still missing).
        station.complete_disabled = [
            blocker for blocker in complete_blockers if not blocker.startswith("required measurements")
        ]
        context = {
            "part": part,
            "station": station,
            "status_color": PartStatusChoices.color(part.status),
            "step_kind_color": StepKindChoices.color(station.step.kind) if station.step else "secondary",
            "errors": list(errors),
            "blocked_complete": complete_blockers,
            "selected_equipment": self.request.POST.get("equipment", ""),
        }
        return render(self.request, "production/station.html", context, status=status)


class StationCheckView(StationView):
    """The pass / fail badge of one value as it is typed (htmx): the rule is the server's."""

    def post(self, request, pk):
        definition = get_object_or_404(
            MeasurementDefinition.objects.restrict(request.user, "view").filter(is_archived=False), pk=pk
        )
        raw = request.POST.get(request.POST.get("field", ""), "").strip()
        state, message = check_state(definition, raw)
        return render(request, "production/_station_check.html", {"state": state, "message": message})


# --- The process flow: the routing drawn from its steps and edges, and the flow editor ----------

#: The drawing's geometry in pixels, shared with the editor island through its JSON.
FLOW_LAYOUT = {"node_width": 150, "node_height": 56, "column": 214, "row": 96, "margin": 24}
#: Characters of a step's name shown in its box; the whole name is the box's tooltip.
FLOW_NAME_LENGTH = 19
#: Upper bounds on what the editor may send, so that a bad payload is refused before any work.
FLOW_MAX_STEPS = 500
FLOW_MAX_EDGES = 2000
FLOW_MAX_COORDINATE = 100_000


def flow_positions(steps, edges):
    """{step pk: (x, y)}: the saved positions; steps not placed yet (still at 0, 0) are laid out left
    to right by their depth in the graph (``routing.layers``), below the placed ones if any."""
    layout = FLOW_LAYOUT
    depth = routing.layers(
        [routing.Node(step.pk, step.name, step.kind) for step in steps],
        [routing.Arrow(edge.source_id, edge.target_id, edge.condition) for edge in edges],
    )
    placed = {
        step.pk: (step.position_x, step.position_y) for step in steps if step.position_x or step.position_y
    }
    top = max((y for _, y in placed.values()), default=-layout["row"]) + layout["row"]
    top = max(top, layout["margin"])
    rows = defaultdict(int)
    positions = {}
    for step in steps:
        if step.pk in placed:
            positions[step.pk] = placed[step.pk]
            continue
        column = depth[step.pk]
        positions[step.pk] = (
            layout["margin"] + column * layout["column"],
            top + rows[column] * layout["row"],
        )
        rows[column] += 1
    return positions


def flow_edge_path(source, target):
    """The SVG path of an arrow between two boxes (their top-left corners), and the centre of its
    label. To a target on the right the arrow runs from side to side, bowing downwards when it
    skips columns on one row so that it clears the boxes in between; back to a target on the same
    row it loops below the row (bottom to bottom); to one above or below, from top to bottom."""
    width, height, column = FLOW_LAYOUT["node_width"], FLOW_LAYOUT["node_height"], FLOW_LAYOUT["column"]
    (sx, sy), (tx, ty) = source, target
    if tx >= sx + width + 16:
        x1, y1, x2, y2 = sx + width, sy + height / 2, tx, ty + height / 2
        bend = max(48.0, abs(x2 - x1) / 2)
        drop = 72.0 if x2 - x1 > column and abs(y2 - y1) < height else 0.0
        c1, c2 = (x1 + bend, y1 + drop), (x2 - bend, y2 + drop)
    elif abs(ty - sy) < height:
        x1, y1, x2, y2 = sx + width / 2, sy + height, tx + width / 2, ty + height
        c1, c2 = (x1, y1 + 80), (x2, y2 + 80)
    else:
        down = 1 if ty > sy else -1
        x1, x2 = sx + width / 2, tx + width / 2
        y1, y2 = (sy + height, ty) if down > 0 else (sy, ty + height)
        bend = max(32.0, abs(y2 - y1) / 2) * down
        c1, c2 = (x1, y1 + bend), (x2, y2 - bend)
    path = f"M{x1:g},{y1:g} C{c1[0]:g},{c1[1]:g} {c2[0]:g},{c2[1]:g} {x2:g},{y2:g}"
    label = ((x1 + 3 * c1[0] + 3 * c2[0] + x2) / 8, (y1 + 3 * c1[1] + 3 * c2[1] + y2) / 8)
    return path, label


def flow_label_width(label):
    """The width of an arrow's label pill (11px bold text, about 6 pixels a character)."""
    return 10 + 6 * len(label)


def flow_edge_label(condition):
    """The label drawn on an arrow: "On pass" and "On fail"; plain "next" arrows go unlabelled."""
    return "" if condition == EdgeConditionChoices.ALWAYS else EdgeConditionChoices.label(condition)


def flow_start(steps, edges):
    """The start step's pk: the only step without an incoming edge (None when there is not one)."""
    targets = {edge.target_id for edge in edges}
    starts = [step.pk for step in steps if step.pk not in targets]
    return starts[0] if len(starts) == 1 else None


class ProcessFlow:
    """A routing's steps and edges as the flow page draws them and the editor receives them. Reads
    the steps and edges once; the drawing leaves archived ones out, the problems are those that
    release checks (``routing.problems`` on the whole saved graph)."""

    def __init__(self, process):
        self.process = process
        every_step = list(process.steps.order_by("sequence", "pk"))
        every_edge = list(process.edges.order_by("pk"))
        self.problems = routing.problems(
            [routing.Node(step.pk, step.name, step.kind) for step in every_step],
            [routing.Arrow(edge.source_id, edge.target_id, edge.condition) for edge in every_edge],
        )
        self.steps = [step for step in every_step if not step.is_archived]
        active = {step.pk for step in self.steps}
        self.edges = [
            edge
            for edge in every_edge
            if not edge.is_archived and edge.source_id in active and edge.target_id in active
        ]
        self.positions = flow_positions(self.steps, self.edges)
        self.start = flow_start(self.steps, self.edges)

    def data(self):
        """The graph as JSON for the editor island (``json_script``) and the graph endpoint."""
        return {
            "steps": [
                {
                    "id": step.pk,
                    "name": step.name,
                    "kind": step.kind,
                    "x": self.positions[step.pk][0],
                    "y": self.positions[step.pk][1],
                    "url": step.get_absolute_url(),
                }
                for step in self.steps
            ],
            "edges": [
                {"source": edge.source_id, "target": edge.target_id, "condition": edge.condition}
                for edge in self.edges
            ],
            "start": self.start,
            "problems": self.problems,
            "kinds": [
                {
                    "value": value,
                    "label": label,
                    "color": StepKindChoices.color(value),
                    "routes_on_result": value in StepKindChoices.ROUTES_ON_RESULT,
                }
                for value, label in StepKindChoices.choices()
            ],
            "conditions": [
                {"value": value, "label": label, "color": EdgeConditionChoices.color(value)}
                for value, label in EdgeConditionChoices.choices()
            ],
            "layout": FLOW_LAYOUT,
        }

    def drawing(self):
        """Boxes, arrows and the canvas size of the server-rendered SVG."""
        layout = FLOW_LAYOUT
        width, height = layout["node_width"], layout["node_height"]
        nodes = []
        for step in self.steps:
            x, y = self.positions[step.pk]
            name = (
                step.name if len(step.name) <= FLOW_NAME_LENGTH else step.name[: FLOW_NAME_LENGTH - 1] + "…"
            )
            nodes.append(
                {
                    "step": step,
                    "x": x,
                    "y": y,
                    "name": name,
                    "kind_label": StepKindChoices.label(step.kind),
                    "color": StepKindChoices.color(step.kind),
                    "is_start": step.pk == self.start,
                    "url": step.get_absolute_url(),
                }
            )
        names = {step.pk: step.name for step in self.steps}
        arrows = []
        for edge in self.edges:
            path, (label_x, label_y) = flow_edge_path(
                self.positions[edge.source_id], self.positions[edge.target_id]
            )
            label = flow_edge_label(edge.condition)
            arrows.append(
                {
                    "edge": edge,
                    "path": path,
                    "color": EdgeConditionChoices.color(edge.condition),
                    "label": label,
                    "label_x": label_x,
                    "label_y": label_y,
                    "label_width": flow_label_width(label),
                    "label_half": -flow_label_width(label) / 2,
                    "source_name": names[edge.source_id],
                    "target_name": names[edge.target_id],
                }
            )
        margin = layout["margin"]
        xs = [x for x, _ in self.positions.values()] or [0]
        ys = [y for _, y in self.positions.values()] or [0]
        # Arrows that bow below the last row (their label at the apex) are inside the drawing too.
        bottom = max([max(ys) + height, *(arrow["label_y"] + 12 for arrow in arrows)]) + margin
        left, top = min(0, min(xs) - margin), min(0, min(ys) - margin)
        right = max(xs) + width + margin
        return {
            "nodes": nodes,
            "arrows": arrows,
            "view_box": f"{left:g} {top:g} {right - left:g} {bottom - top:g}",
            "width": right - left,
            "node_width": width,
            "node_height": height,
        }

    def as_list(self):
        """Each step with the steps it leads to, for the text version of the drawing."""
        names = {step.pk: step.name for step in self.steps}
        leaves = defaultdict(list)
        for edge in self.edges:
            leaves[edge.source_id].append(
                {"target": names[edge.target_id], "label": flow_edge_label(edge.condition)}
            )
        return [
            {
                "step": step,
                "url": step.get_absolute_url(),
                "kind_label": StepKindChoices.label(step.kind),
                "is_start": step.pk == self.start,
                "leaves": leaves[step.pk],
            }
            for step in self.steps
        ]


class ProcessFlowTab(RecordTabView):
    """The Flow tab of a routing: the graph drawn on the server, its problems listed above it. A
    draft opens in the flow editor island for a user who may change routings."""

    tab_name = "flow"
    template_name = "production/process_flow.html"

    def get_context(self, obj):
        flow = ProcessFlow(obj)
        return {
            "flow": flow,
            "drawing": flow.drawing(),
            "graph": flow.data() if may_edit_flow(self.request.user, obj) else None,
            "graph_url": reverse("production:process_flow_graph", args=[obj.pk]),
            "outgoing": flow.as_list(),
            "status_color": ProcessStatusChoices.color(obj.status),
            "legend_kinds": [
                {"label": label, "color": StepKindChoices.color(value)}
                for value, label in StepKindChoices.choices()
            ],
            "legend_conditions": [
                {"label": label, "color": EdgeConditionChoices.color(value)}
                for value, label in EdgeConditionChoices.choices()
            ],
            "arrow_colors": sorted(
                {EdgeConditionChoices.color(value) for value in EdgeConditionChoices.values()}
            ),
            "flow_colors": sorted(
                {StepKindChoices.color(value) for value in StepKindChoices.values()}
                | {EdgeConditionChoices.color(value) for value in EdgeConditionChoices.values()}
            ),
        }


def may_edit_flow(user, process):
    """Whether ``user`` may draw ``process`` in the flow editor: a draft, not archived, that the
    user may change."""
    return (
        process.is_editable
        and not process.is_archived
        and user.has_perm(permission_name(Process, "change"))
        and Process.objects.restrict(user, "change").filter(pk=process.pk).exists()
    )


class FlowPayloadError(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__(errors)


def _is_number(value):
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= FLOW_MAX_COORDINATE
    )


def _is_key(value):
    return (isinstance(value, str) and value.strip() != "") or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def parse_flow_graph(body):
    """The editor's JSON body as ``save_graph``'s ``steps`` and ``edges``. Checks only the shape and
    the types (raising ``FlowPayloadError`` with field errors); the routing rules are the
    service's.

    ``{"steps": [{"key", "id", "name", "kind", "x", "y"}], "edges": [{"source", "target",
    "condition"}]}``: ``id`` is null for a new step, ``key`` the editor's handle for it (an existing
    step's key defaults to its id), and edges join keys."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise FlowPayloadError({"__all__": ["The request is not valid JSON."]}) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("steps"), list)
        or not isinstance(data.get("edges"), list)
    ):
        raise FlowPayloadError({"__all__": ["Send an object with a list of “steps” and a list of “edges”."]})
    if len(data["steps"]) > FLOW_MAX_STEPS or len(data["edges"]) > FLOW_MAX_EDGES:
        raise FlowPayloadError(
            {"__all__": [f"A routing has at most {FLOW_MAX_STEPS} steps and {FLOW_MAX_EDGES} edges."]}
        )
    max_name = Step._meta.get_field("name").max_length
    kinds, conditions = StepKindChoices.values(), EdgeConditionChoices.values()
    step_errors, steps = [], []
    for number, item in enumerate(data["steps"], start=1):
        if not isinstance(item, dict):
            step_errors.append(f"Step {number} is not an object.")
            continue
        name = item.get("name")
        label = f"“{name}”" if isinstance(name, str) and name.strip() else f"Step {number}"
        step_id = item.get("id")
        key = item.get("key", step_id)
        found = []
        if not isinstance(name, str):
            found.append(f"{label} has no name.")
        elif len(name.strip()) > max_name:
            found.append(f"{label} has a name longer than {max_name} characters.")
        if not isinstance(item.get("kind"), str) or item["kind"] not in kinds:
            found.append(f"{label} has an unknown kind: choose one of {', '.join(kinds)}.")
        if not (_is_number(item.get("x")) and _is_number(item.get("y"))):
            found.append(f"{label} has no valid position (numbers “x” and “y”).")
        if step_id is not None and (not isinstance(step_id, int) or isinstance(step_id, bool)):
            found.append(f"{label} has an id that is not a number.")
        if not _is_key(key):
            found.append(f"{label} has no key.")
        if found:
            step_errors.extend(found)
            continue
        steps.append(
            services.GraphStep(
                key=str(key),
                name=name,
                kind=item["kind"],
                x=round(float(item["x"]), 1),
                y=round(float(item["y"]), 1),
                id=step_id,
            )
        )
    edge_errors, edges = [], []
    for number, item in enumerate(data["edges"], start=1):
        if not isinstance(item, dict):
            edge_errors.append(f"Edge {number} is not an object.")
        elif not (_is_key(item.get("source")) and _is_key(item.get("target"))):
            edge_errors.append(f"Edge {number} needs the keys of its “source” and “target” steps.")
        elif not isinstance(item.get("condition"), str) or item["condition"] not in conditions:
            edge_errors.append(
                f"Edge {number} has an unknown condition: choose one of {', '.join(conditions)}."
            )
        else:
            edges.append((str(item["source"]), str(item["target"]), item["condition"]))
    errors = {name: found for name, found in (("steps", step_errors), ("edges", edge_errors)) if found}
    if errors:
        raise FlowPayloadError(errors)
    return steps, edges


def validation_errors(error):
    """A ValidationError as ``{field: [sentences]}`` (``__all__`` for errors without a field)."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


class ProcessFlowGraphView(RecordView):
    """The routing's graph as JSON (GET), and the flow editor's save (POST of the whole graph,
    through ``services.save_graph``): 200 with the saved graph, 400 with the errors and nothing
    saved, 403 without permission, 409 for a routing that is not a draft."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"errors": {"__all__": ["Sign in to see this routing."]}}, status=401)
        # The JSON answers above replace RecordView's redirect to the sign-in page.
        return View.dispatch(self, request, *args, **kwargs)

    def get(self, request, pk):
        try:
            self.require("view")
        except PermissionDenied as error:
            return _json_error(str(error), 403)
        return JsonResponse(ProcessFlow(self.get_object()).data())

    def post(self, request, pk):
        process = self.get_object()
        refusal = self.refusal(process)
        if refusal is not None:
            return refusal
        try:
            steps, edges = parse_flow_graph(request.body)
        except FlowPayloadError as error:
            return JsonResponse({"errors": error.errors}, status=400)
        with transaction.atomic():
            # Locked and read again, so that a release in between cannot slip past the draft check.
            process = Process.objects.select_for_update().get(pk=process.pk)
            refusal = self.refusal(process)
            if refusal is not None:
                return refusal
            try:
                saved = services.save_graph(process, steps, edges)
            except ValidationError as error:
                return JsonResponse({"errors": validation_errors(error)}, status=400)
            except IntegrityError:
                # save_graph writes the steps one by one, so a name handed from one step to another
                # (or taken back from a removed or archived step) meets the unique constraint on
                # the way; its transaction is rolled back, nothing is saved.
                return _json_error(FLOW_NAME_CLASH, 400, field="steps")
        return JsonResponse(
            {
                "message": f"Saved: {len(steps)} steps and {len(edges)} edges.",
                "keys": {key: step.pk for key, step in saved.items()},
                "graph": ProcessFlow(process).data(),
            }
        )

    def refusal(self, process):
        """The 403 or 409 answer when the user may not save this routing's graph, else None."""
        user = self.request.user
        if not (
            user.has_perm(permission_name(Process, "change"))
            and Process.objects.restrict(user, "change").filter(pk=process.pk).exists()
        ):
            return _json_error("You do not have permission to change routings.", 403)
        if process.is_archived:
            return _json_error(f"{process} is archived: restore it to change it.", 409)
        if not process.is_editable:
            return _json_error(
                f"{process} is {process.get_status_display().lower()}: revise it to change it.", 409
            )
        return None


FLOW_NAME_CLASH = (
    "A step takes a name that another step of this routing still has (a name passed from one step "
    "to another, or reused from a removed or archived step). Nothing was saved: use another name, or "
    "save the renames one at a time."
)


def _json_error(message, status, field="__all__"):
    return JsonResponse({"errors": {field: [message]}}, status=status)


register_tab(
    Tab(
        "flow",
        "Flow",
        "flow/",
        applies_to=lambda model: model is Process,
        view=ProcessFlowTab,
        weight=20,
    )
)


# --- Work order import, work in progress and the big screen ------------------------------------


class SignedInPermissionView(View):
    """A page for signed-in people holding ``permission_required``."""

    permission_required = ""
    denied_message = "You do not have permission to see this page."

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied(self.denied_message)
        return super().dispatch(request, *args, **kwargs)


#: The session key under which a person's uploads wait for their preview and commit.
IMPORT_SESSION_KEY = "production_work_order_imports"
#: Uploads a session remembers at most (the oldest is forgotten first).
IMPORTS_PER_SESSION = 5


class WorkOrderImportView(SignedInPermissionView):
    """Upload a CSV export of work orders; the file is checked (size, text by content), stored
    and previewed before anything is created (``production.imports``)."""

    permission_required = "production.add_workorder"
    denied_message = "You do not have permission to add work orders."
    template_name = "production/workorder_import.html"

    def get(self, request):
        return self.render_form(imports.WorkOrderImportForm())

    def post(self, request):
        form = imports.WorkOrderImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        upload = imports.store_upload(form.content, form.cleaned_data["file"].name)
        token = uuid.uuid4().hex
        pending = dict(request.session.get(IMPORT_SESSION_KEY, {}))
        pending[token] = {
            "path": upload.path,
            "name": upload.name,
            "sha256": upload.sha256,
            "size": upload.size,
        }
        request.session[IMPORT_SESSION_KEY] = dict(list(pending.items())[-IMPORTS_PER_SESSION:])
        return redirect("production:workorder_import_preview", token=token)

    def render_form(self, form, status=200):
        columns = [(name, name in imports.REQUIRED, imports.COLUMN_HELP[name]) for name in imports.COLUMNS]
        return render(self.request, self.template_name, {"form": form, "columns": columns}, status=status)


class WorkOrderImportPreviewView(SignedInPermissionView):
    """What the uploaded file would create and every error in it (row, column, message); the
    commit button starts the job and is disabled while the file has errors."""

    permission_required = "production.add_workorder"
    denied_message = "You do not have permission to add work orders."
    template_name = "production/workorder_import_preview.html"

    def upload(self, token):
        """The upload ``token`` of this person's session (a token of another session is a 404)."""
        entry = self.request.session.get(IMPORT_SESSION_KEY, {}).get(token)
        if entry is None:
            raise Http404("No such upload: upload the file again.")
        return imports.StoredUpload(entry["path"], entry["name"], entry["sha256"], entry["size"])

    def preview(self, upload):
        try:
            data = imports.load_upload(upload.path, upload.sha256)
        except imports.UploadUnavailable as error:
            messages.error(self.request, str(error))
            return None
        return imports.parse_work_orders(data, user=self.request.user, name=upload.name)

    def get(self, request, token):
        preview = self.preview(self.upload(token))
        if preview is None:
            return redirect("production:workorder_import")
        return render(request, self.template_name, {"preview": preview})

    def post(self, request, token):
        upload = self.upload(token)
        preview = self.preview(upload)
        if preview is None:
            return redirect("production:workorder_import")
        if not preview.is_valid:
            return render(request, self.template_name, {"preview": preview}, status=400)
        job = imports.start_import(upload, request.user)
        pending = dict(request.session.get(IMPORT_SESSION_KEY, {}))
        pending.pop(token, None)
        request.session[IMPORT_SESSION_KEY] = pending
        return redirect(job.get_absolute_url())


class WipView(SignedInPermissionView):
    """Work in progress: each routing's steps with their parts by status and how long they have
    been there (``metrics.wip_by_routing``); every count opens the parts list behind it."""

    permission_required = "production.view_part"
    denied_message = "You do not have permission to view parts."
    template_name = "production/wip.html"

    def get(self, request):
        form = WipFilterForm(request.GET or None, user=request.user)
        filters = form.cleaned_data if form.is_valid() else {}
        filters = {name: filters.get(name) for name in ("part_type", "work_center", "work_order")}
        routings = metrics.wip_by_routing(request.user, **filters) if not form.errors else []
        statuses = [
            (status, PartStatusChoices.label(status), PartStatusChoices.color(status))
            for status in PartStatusChoices.WIP
        ]
        parts_url = reverse("production:part_list")
        extra = {"work_order": filters["work_order"].pk} if filters["work_order"] else {}
        for routing_wip in routings:
            routing_wip.status_color = ProcessStatusChoices.color(routing_wip.process.status)
            for wip in routing_wip.steps:
                wip.cells = [
                    (status, wip.counts[status], _parts_link(parts_url, wip.step, [status], extra))
                    for status in PartStatusChoices.WIP
                ]
                wip.total_url = _parts_link(parts_url, wip.step, PartStatusChoices.WIP, extra)
                wip.bucket_cells = [(key, wip.buckets[key]) for key, *_ in metrics.AGE_BUCKETS]
        context = {
            "form": form,
            "routings": routings,
            "total": sum(routing_wip.total for routing_wip in routings),
            "statuses": statuses,
            "buckets": [(key, label) for key, label, *_ in metrics.AGE_BUCKETS],
            "columns": 3 + len(statuses) + 2 + len(metrics.AGE_BUCKETS),
        }
        return render(request, self.template_name, context)


def _parts_link(parts_url, step, statuses, extra):
    query = urlencode({"current_step": step.pk, "status": list(statuses), **extra}, doseq=True)
    return f"{parts_url}?{query}"


class BigScreenView(SignedInPermissionView):
    """The shop-floor display: large type, dark, no menus; its KPIs refresh every 15 seconds
    through ``BigScreenKpisView`` without reloading the page."""

    permission_required = "production.view_part"
    denied_message = "You do not have permission to view parts."
    template_name = "production/big_screen.html"

    def get(self, request):
        return render(request, self.template_name, big_screen_context(request))


class BigScreenKpisView(SignedInPermissionView):
    """The big screen's KPIs (htmx polls it). Polling is not activity: the session is left alone,
    so an unattended screen signs out after the idle timeout like any page, and then asks for
    the sign-in (``HX-Redirect``) instead of showing the sign-in form inside a tile."""

    permission_required = "production.view_part"
    template_name = "production/big_screen_kpis.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            response = HttpResponse("", status=401)
            response["HX-Redirect"] = f"{reverse('accounts:login')}?next={reverse('production:big_screen')}"
            return response
        leave_session_alone(request)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        response = render(request, self.template_name, big_screen_context(request))
        response["Cache-Control"] = "no-store"
        return response


@dataclass(frozen=True)
class KpiTile:
    key: str
    label: str
    value: str
    unit: str = ""
    detail: str = ""
    is_alert: bool = False


def big_screen_context(request):
    kpis = metrics.floor_metrics(request.user, request.GET.get("window", "today"))
    busiest = max((centre.count for centre in kpis.wip_by_work_center), default=0)
    tiles = [
        KpiTile(
            "first-pass-yield",
            "First-pass yield",
            *_percent(kpis.first_pass_yield),
            f"{kpis.first_pass} of {kpis.completed} completed without rework or NCR",
        ),
        KpiTile(
            "scrap-rate",
            "Scrap rate",
            *_percent(kpis.scrap_rate),
            f"{kpis.scrapped} of {kpis.finished} finished",
        ),
        KpiTile(
            "rework-rate",
            "Rework rate",
            *_percent(kpis.rework_rate),
            f"{kpis.reworked} of {kpis.started} started",
        ),
        KpiTile(
            "open-ncrs",
            "Open NCRs",
            str(kpis.open_ncrs),
            detail=f"{kpis.critical_ncrs} critical",
            is_alert=kpis.critical_ncrs > 0,
        ),
        KpiTile("wip", "WIP", str(kpis.wip), detail="parts on the floor"),
        KpiTile(
            "completed-today",
            "Completed today",
            str(kpis.completed_today),
            detail="parts through their routing",
        ),
    ]
    centres = [
        (centre, round(100 * centre.count / busiest) if busiest else 0) for centre in kpis.wip_by_work_center
    ]
    return {
        "kpis": kpis,
        "tiles": tiles,
        "centres": centres,
        "windows": list(metrics.WINDOWS.items()),
        "updated": timezone.localtime(),
    }


def _percent(value):
    """(the number, its unit) of a rate for a tile: "96.2", "%"; "—" and no unit without one."""
    return ("—", "") if value is None else (f"{100 * value:.1f}", "%")
