"""State machines of production records: customer orders, routings, work orders and parts.

This module imports no production models (they import it for ``state_machine``); it reaches
related records through the record's own relations. Part actions write the step log
(``StepTransition``) in the same transaction as the status change. The shop-floor flow that
chains them (record measurements, complete, move on) is ``production.services``.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from qualitas.core.choices import ChangeActionChoices
from qualitas.core.events import emit, register_event
from qualitas.equipment.models import Equipment
from qualitas.framework.actions import Action, StateMachine
from qualitas.nonconformance.choices import (
    DispositionChoices,
    NonConformanceStatusChoices,
    ReworkOutcomeChoices,
)

from . import routing
from .choices import CustomerOrderStatusChoices as OrderStatus
from .choices import EdgeConditionChoices, StepKindChoices, StepOutcomeChoices, TransitionKindChoices
from .choices import PartStatusChoices as PartStatus
from .choices import ProcessStatusChoices as ProcessStatus
from .choices import WorkOrderStatusChoices as WorkOrderStatus

register_event("workorder.started", "Work order started: its first part started its first step")
register_event("workorder.parts_generated", "Serialized parts generated for a work order")
register_event("process.revised", "A new draft version of a routing was made from a released one")
register_event("process.graph_saved", "A routing's steps and edges were saved from the flow editor")

# --- Customer orders ---------------------------------------------------------------------------


class ConfirmOrder(Action):
    name = "confirm"
    label = "Confirm"
    source = (OrderStatus.DRAFT,)
    target = OrderStatus.CONFIRMED
    color = "success"

    def preconditions(self):
        return [] if self.obj.lines.filter(is_archived=False).exists() else ["the order has no lines"]


class StartOrderProduction(Action):
    name = "start-production"
    label = "Start production"
    source = (OrderStatus.CONFIRMED,)
    target = OrderStatus.IN_PRODUCTION


class ShipOrder(Action):
    name = "ship"
    label = "Mark shipped"
    source = (OrderStatus.IN_PRODUCTION,)
    target = OrderStatus.SHIPPED
    color = "success"


class CloseOrder(Action):
    name = "close"
    label = "Close"
    source = (OrderStatus.SHIPPED,)
    target = OrderStatus.CLOSED
    color = "secondary"


class CancelOrder(Action):
    name = "cancel"
    label = "Cancel"
    source = (OrderStatus.DRAFT, OrderStatus.CONFIRMED, OrderStatus.IN_PRODUCTION)
    target = OrderStatus.CANCELLED
    requires_reason = True
    color = "danger"

    def preconditions(self):
        open_orders = [
            work_order.number
            for line in self.obj.lines.all()
            for work_order in line.work_orders.filter(status__in=WorkOrderStatus.OPEN)
        ]
        return [f"work order {number} is still open" for number in open_orders]


class CustomerOrderStateMachine(StateMachine):
    field = "status"
    choices = OrderStatus
    actions = (ConfirmOrder, StartOrderProduction, ShipOrder, CloseOrder, CancelOrder)


# --- Routings ----------------------------------------------------------------------------------


class ReleaseProcess(Action):
    name = "release"
    label = "Release"
    source = (ProcessStatus.DRAFT,)
    target = ProcessStatus.RELEASED
    color = "success"
    description = (
        "Freezes this version of the routing so that work orders can use it. A released version "
        "before it becomes obsolete; its open work orders keep the version they started with."
    )

    def preconditions(self):
        return routing.problems(*routing.graph_of(self.obj))

    def perform(self, **params):
        for other in self.obj.versions().filter(status=ProcessStatus.RELEASED).exclude(pk=self.obj.pk):
            other.status = ProcessStatus.OBSOLETE
            other.save(audit_action=ChangeActionChoices.TRANSITION)
        self.obj.released_at = timezone.now()
        self.obj.make_current()


class MakeProcessObsolete(Action):
    name = "obsolete"
    label = "Make obsolete"
    source = (ProcessStatus.RELEASED,)
    target = ProcessStatus.OBSOLETE
    requires_reason = True
    color = "secondary"
    description = "No new work order can use this version. Work orders already on it carry on."


class ProcessStateMachine(StateMachine):
    field = "status"
    choices = ProcessStatus
    actions = (ReleaseProcess, MakeProcessObsolete)


# --- Work orders -------------------------------------------------------------------------------


class ReleaseWorkOrder(Action):
    name = "release"
    label = "Release to the floor"
    source = (WorkOrderStatus.PLANNED,)
    target = WorkOrderStatus.RELEASED
    color = "success"

    def preconditions(self):
        if self.obj.process.status != ProcessStatus.RELEASED:
            return [f"routing {self.obj.process} is {self.obj.process.get_status_display().lower()}"]
        return []


class HoldWorkOrder(Action):
    name = "hold"
    label = "Put on hold"
    source = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)
    target = WorkOrderStatus.ON_HOLD
    requires_reason = True
    color = "warning"
    description = "No part of the work order can start a step while it is on hold."


class ResumeWorkOrder(Action):
    name = "resume"
    label = "Resume"
    source = (WorkOrderStatus.ON_HOLD,)
    target = WorkOrderStatus.IN_PROGRESS
    color = "success"


class CompleteWorkOrder(Action):
    name = "complete"
    label = "Complete"
    source = (WorkOrderStatus.IN_PROGRESS,)
    target = WorkOrderStatus.COMPLETED
    color = "success"

    def preconditions(self):
        wip = self.obj.parts.filter(status__in=PartStatus.WIP).count()
        return [f"{wip} part{'s' if wip != 1 else ''} still in production"] if wip else []

    def perform(self, **params):
        self.obj.completed_at = timezone.now()


class CloseWorkOrder(Action):
    name = "close"
    label = "Close"
    source = (WorkOrderStatus.COMPLETED,)
    target = WorkOrderStatus.CLOSED
    color = "secondary"


class CancelWorkOrder(Action):
    name = "cancel"
    label = "Cancel"
    source = (WorkOrderStatus.PLANNED, WorkOrderStatus.RELEASED, WorkOrderStatus.ON_HOLD)
    target = WorkOrderStatus.CANCELLED
    requires_reason = True
    color = "danger"
    description = "Cancels the work order and every part of it that has not started."

    def preconditions(self):
        started = self.obj.parts.filter(transitions__isnull=False).distinct().count()
        return [f"{started} part{'s' if started != 1 else ''} already started"] if started else []

    def perform(self, **params):
        pending = list(self.obj.parts.filter(status=PartStatus.PENDING))
        for part in pending:
            part.status = PartStatus.CANCELLED
        if pending:
            type(pending[0]).objects.bulk_update(pending, ["status"])


class WorkOrderStateMachine(StateMachine):
    field = "status"
    choices = WorkOrderStatus
    actions = (
        ReleaseWorkOrder,
        HoldWorkOrder,
        ResumeWorkOrder,
        CompleteWorkOrder,
        CloseWorkOrder,
        CancelWorkOrder,
    )


# --- Parts -------------------------------------------------------------------------------------


def usable_equipment(value):
    """The Equipment named by ``value`` (an id or an instance), refused unless it is in service."""
    if value in (None, ""):
        return None
    if isinstance(value, Equipment):
        equipment = value
    else:
        try:
            equipment = Equipment.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            equipment = None
        if equipment is None:
            raise ValidationError({"equipment": f"No equipment with id {value!r}."})
    if not equipment.is_usable:
        raise ValidationError(
            {"equipment": f"{equipment} is {equipment.get_status_display().lower()}: it cannot be used."}
        )
    return equipment


def open_ncrs(part):
    return part.nonconformances.exclude(
        status__in=(NonConformanceStatusChoices.CLOSED, NonConformanceStatusChoices.CANCELLED)
    )


def visit_reports(part):
    """The part's quality reports at its current step since it last arrived there."""
    reports = part.quality_reports.filter(step=part.current_step, is_archived=False)
    if part.step_entered_at is not None:
        reports = reports.filter(created__gte=part.step_entered_at)
    return reports


def visit_decision(part):
    """The sampling decision for the part's current visit of its step, or None (no rule set)."""
    decisions = part.sampling_decisions.filter(step=part.current_step)
    if part.step_entered_at is not None:
        decisions = decisions.filter(decided_at__gte=part.step_entered_at)
    return decisions.order_by("-decided_at", "-pk").first()


def must_inspect(part):
    """Whether the part must be measured at this visit of its step: always when the step has no
    sampling rule set, otherwise as the sampling engine decided on arrival."""
    decision = visit_decision(part)
    return True if decision is None else decision.must_inspect


def missing_measurements(part):
    """Names of the step's required measurements not yet recorded at this visit (in order)."""
    step = part.current_step
    if step is None or not must_inspect(part):
        return []
    required = list(step.measurements.filter(is_required=True, is_archived=False).order_by("sequence", "pk"))
    if not required:
        return []
    recorded = set(visit_reports(part).values_list("results__definition_id", flat=True))
    return [definition.name for definition in required if definition.pk not in recorded]


def visit_outcome(part):
    """ "pass" or "fail" from the latest report of this visit; "pass" when the part was not sampled
    or the step measures nothing."""
    report = visit_reports(part).order_by("-created", "-pk").first()
    if report is None:
        return StepOutcomeChoices.PASS
    return StepOutcomeChoices.FAIL if report.status == "fail" else StepOutcomeChoices.PASS


def next_edges(part, outcome=None):
    """The edges the part may leave its current step by. From a decision step, only the edge of
    the outcome ("pass" unless told otherwise)."""
    step = part.current_step
    if step is None:
        return []
    edges = list(step.outgoing.filter(is_archived=False).select_related("target"))
    if step.routes_on_result:
        wanted = outcome or EdgeConditionChoices.PASS
        return [edge for edge in edges if edge.condition == wanted]
    return [edge for edge in edges if edge.condition == EdgeConditionChoices.ALWAYS]


SAME_STEP = object()
INSPECTING = ("production.change_part", "inspections.add_qualityreport")


def settle_rework(part):
    """A pending rework attempt succeeded once the part passes a step that is not itself a rework
    step (the re-inspection, or the next operation); a failed report before that fails it
    (``nonconformance.services.open_from_report``)."""
    part.rework_attempts.filter(outcome=ReworkOutcomeChoices.PENDING).update(
        outcome=ReworkOutcomeChoices.PASSED, finished_at=timezone.now()
    )


class PartAction(Action):
    #: Any one of these permissions allows the action (operators change parts; inspectors sign
    #: off, hold and move the parts they inspect).
    permissions: tuple[str, ...] = ("production.change_part",)
    transition_kind = ""

    def has_permission(self):
        if self.user is None or not self.user.is_authenticated:
            return False
        if not any(self.user.has_perm(permission) for permission in self.permissions):
            return False
        return type(self.obj).objects.restrict(self.user, "view").filter(pk=self.obj.pk).exists()

    def log(self, kind=None, to_step=SAME_STEP, outcome="", equipment=None, note=""):
        """Write the step-log entry; ``to_step`` None means the part leaves the routing."""
        return self.obj.transitions.create(
            kind=kind or self.transition_kind,
            from_step=self.obj.current_step,
            to_step=self.obj.current_step if to_step is SAME_STEP else to_step,
            status_before=self.state,
            status_after=self.target or self.state,
            outcome=outcome,
            operator=self.user if getattr(self.user, "pk", None) else None,
            equipment=equipment,
            note=(note or "").strip(),
        )

    def not_on_hold(self):
        work_order = self.obj.work_order
        if work_order.status == WorkOrderStatus.ON_HOLD:
            return [f"work order {work_order.number} is on hold"]
        if work_order.status not in (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS):
            return [f"work order {work_order.number} is {work_order.get_status_display().lower()}"]
        return []


class StartStep(PartAction):
    name = "start"
    label = "Start step"
    source = PartStatus.STARTABLE
    target = PartStatus.IN_PROGRESS
    transition_kind = TransitionKindChoices.STARTED
    description = "The operator starts work on the part at its current step."

    def preconditions(self):
        blockers = self.not_on_hold()
        if self.obj.current_step is None:
            blockers.append("the part is not at a step")
        return blockers

    def perform(self, equipment=None, note="", **params):
        self.target = (
            PartStatus.IN_REWORK if self.state == PartStatus.REWORK_NEEDED else PartStatus.IN_PROGRESS
        )
        self.log(equipment=usable_equipment(equipment), note=note)
        work_order = self.obj.work_order
        if work_order.status == WorkOrderStatus.RELEASED:
            work_order.status = WorkOrderStatus.IN_PROGRESS
            work_order.started_at = timezone.now()
            work_order.save(audit_action=ChangeActionChoices.TRANSITION)
            emit("workorder.started", obj=work_order, message=f"{work_order.number} started ({self.obj})")


class CompleteStep(PartAction):
    name = "complete"
    label = "Complete step"
    source = PartStatus.WORKING
    target = PartStatus.PASSED_STEP
    transition_kind = TransitionKindChoices.COMPLETED_STEP
    description = "The step is done. A step that needs QA sign-off waits for an inspector."

    def preconditions(self):
        blockers = self.not_on_hold()
        missing = missing_measurements(self.obj)
        if missing:
            blockers.append("required measurements not recorded: " + ", ".join(missing))
        elif visit_outcome(self.obj) == StepOutcomeChoices.FAIL:
            blockers.append("the part failed inspection at this step: its NCR decides what happens")
        return blockers

    def perform(self, equipment=None, note="", **params):
        step = self.obj.current_step
        self.target = PartStatus.AWAITING_QA if step.requires_qa else PartStatus.PASSED_STEP
        self.log(outcome=visit_outcome(self.obj), equipment=usable_equipment(equipment), note=note)
        if step.kind != StepKindChoices.REWORK:
            settle_rework(self.obj)


class SignOffStep(PartAction):
    name = "sign-off"
    label = "QA sign-off"
    source = (PartStatus.AWAITING_QA,)
    target = PartStatus.PASSED_STEP
    permissions = ("inspections.add_qualityreport",)
    transition_kind = TransitionKindChoices.COMPLETED_STEP
    description = "An inspector confirms the step; the part can move on."

    def preconditions(self):
        missing = missing_measurements(self.obj)
        if missing:
            return ["required measurements not recorded: " + ", ".join(missing)]
        if visit_outcome(self.obj) == StepOutcomeChoices.FAIL:
            return ["the part failed inspection at this step: its NCR decides what happens"]
        return []

    def perform(self, note="", **params):
        self.log(outcome=StepOutcomeChoices.PASS, note=note or "Signed off by QA")
        settle_rework(self.obj)


class MoveToStep(PartAction):
    """Along one edge of the routing, to the step given as ``step`` (an id); when only one edge
    leads on, ``step`` may be left out."""

    name = "move"
    label = "Move to next step"
    source = (PartStatus.PASSED_STEP,)
    target = PartStatus.PENDING
    permissions = INSPECTING
    transition_kind = TransitionKindChoices.MOVED

    def preconditions(self):
        step = self.obj.current_step
        if step is None:
            return ["the part is not at a step"]
        if not next_edges(self.obj):
            if step.outgoing.filter(is_archived=False).exists():
                return [f"no edge from “{step}” for this result"]
            return [f"“{step}” is the last step: complete the part instead"]
        return []

    def perform(self, step=None, note="", **params):
        edges = next_edges(self.obj)
        if step in (None, ""):
            if len(edges) != 1:
                choices = ", ".join(f"“{edge.target}” (id {edge.target_id})" for edge in edges)
                raise ValidationError({"step": f"Choose the next step: {choices}."})
            edge = edges[0]
        else:
            wanted = getattr(step, "pk", step)
            edge = next((edge for edge in edges if str(edge.target_id) == str(wanted)), None)
            if edge is None:
                allowed = ", ".join(f"“{edge.target}” (id {edge.target_id})" for edge in edges)
                raise ValidationError(
                    {
                        "step": f"There is no edge from “{self.obj.current_step}” to step {wanted}; allowed: {allowed}."
                    }
                )
        self.log(to_step=edge.target, note=note)
        self.obj.current_step = edge.target
        self.obj.step_entered_at = timezone.now()


class FinishPart(PartAction):
    name = "finish"
    label = "Complete part"
    source = (PartStatus.PASSED_STEP,)
    target = PartStatus.COMPLETED
    permissions = INSPECTING
    transition_kind = TransitionKindChoices.FINISHED
    color = "success"

    def preconditions(self):
        step = self.obj.current_step
        if step is not None and step.outgoing.filter(is_archived=False).exists():
            return [f"“{step}” is not the last step of the routing"]
        return []

    def perform(self, note="", **params):
        self.log(to_step=None, note=note)
        self.obj.step_entered_at = timezone.now()


class QuarantinePart(PartAction):
    name = "quarantine"
    label = "Quarantine"
    source = tuple(status for status in PartStatus.WIP if status != PartStatus.QUARANTINED)
    target = PartStatus.QUARANTINED
    requires_reason = True
    transition_kind = TransitionKindChoices.QUARANTINED
    color = "danger"
    description = "Puts the part on hold: it cannot start a step until it is released."
    #: Operators hold parts they doubt; inspectors' failed reports and NCRs hold them too.
    permissions = (
        "production.change_part",
        "inspections.add_qualityreport",
        "nonconformance.add_nonconformance",
    )

    def has_permission(self):
        if self.user is None or not self.user.is_authenticated:
            return False
        if not any(self.user.has_perm(permission) for permission in self.permissions):
            return False
        return type(self.obj).objects.restrict(self.user, "view").filter(pk=self.obj.pk).exists()

    def perform(self, note="", **params):
        self.log(outcome=params.get("outcome", ""), note=note)


class ReleasePart(PartAction):
    name = "release"
    label = "Release from quarantine"
    source = (PartStatus.QUARANTINED,)
    target = PartStatus.PENDING
    requires_reason = True
    permissions = ("nonconformance.change_nonconformance",)
    transition_kind = TransitionKindChoices.RELEASED
    description = "The part goes back to its step and starts it again."

    def preconditions(self):
        return [f"{ncr.number} is open: its disposition decides" for ncr in open_ncrs(self.obj)]

    def perform(self, **params):
        self.log()
        self.obj.step_entered_at = timezone.now()


def decided(part, *dispositions):
    """The part's NCR whose disposition (one of ``dispositions``) is decided and may be carried
    out, or None."""
    return (
        part.nonconformances.filter(
            status=NonConformanceStatusChoices.DISPOSITION_DECIDED, disposition__in=dispositions
        )
        .order_by("-pk")
        .first()
    )


class DispositionAction(PartAction):
    """A part transition that carries out an NCR disposition; refused without one."""

    source = (PartStatus.QUARANTINED,)
    permissions = ("nonconformance.change_nonconformance",)
    dispositions: tuple[str, ...] = ()

    def preconditions(self):
        ncr = decided(self.obj, *self.dispositions)
        if ncr is None:
            labels = " or ".join(DispositionChoices.label(d).lower() for d in self.dispositions)
            return [f"no NCR of this part has the disposition {labels} decided"]
        return ncr.disposition_blockers()


class SendToRework(DispositionAction):
    name = "rework"
    label = "Send to rework"
    target = PartStatus.REWORK_NEEDED
    transition_kind = TransitionKindChoices.SENT_TO_REWORK
    dispositions = (DispositionChoices.REWORK, DispositionChoices.REPAIR)
    color = "warning"

    def perform(self, note="", **params):
        ncr = decided(self.obj, *self.dispositions)
        step = ncr.rework_step
        self.log(to_step=step, note=note or f"{ncr.number}: {ncr.get_disposition_display()}")
        self.obj.current_step = step
        self.obj.step_entered_at = timezone.now()


class AcceptAsIs(DispositionAction):
    name = "accept"
    label = "Use as is"
    target = PartStatus.PASSED_STEP
    transition_kind = TransitionKindChoices.ACCEPTED
    dispositions = (DispositionChoices.USE_AS_IS,)

    def perform(self, note="", **params):
        ncr = decided(self.obj, *self.dispositions)
        self.log(outcome=StepOutcomeChoices.PASS, note=note or f"{ncr.number}: use as is")


class ScrapPart(DispositionAction):
    name = "scrap"
    label = "Scrap"
    target = PartStatus.SCRAPPED
    transition_kind = TransitionKindChoices.SCRAPPED
    dispositions = (DispositionChoices.SCRAP,)
    color = "danger"

    def perform(self, note="", **params):
        ncr = decided(self.obj, *self.dispositions)
        self.log(to_step=None, note=note or f"{ncr.number}: scrap")


class ReturnToSupplier(DispositionAction):
    name = "return"
    label = "Return to supplier"
    target = PartStatus.CANCELLED
    transition_kind = TransitionKindChoices.CANCELLED
    dispositions = (DispositionChoices.RETURN_TO_SUPPLIER,)

    def perform(self, note="", **params):
        ncr = decided(self.obj, *self.dispositions)
        self.log(to_step=None, note=note or f"{ncr.number}: returned to supplier")


class ShipPart(PartAction):
    name = "ship"
    label = "Ship"
    source = (PartStatus.COMPLETED,)
    target = PartStatus.SHIPPED
    transition_kind = TransitionKindChoices.SHIPPED

    def preconditions(self):
        return [f"{ncr.number} is open" for ncr in open_ncrs(self.obj)]

    def perform(self, note="", **params):
        self.log(to_step=None, note=note)


class CancelPart(PartAction):
    name = "cancel"
    label = "Cancel"
    source = tuple(status for status in PartStatus.WIP if status != PartStatus.QUARANTINED)
    target = PartStatus.CANCELLED
    requires_reason = True
    transition_kind = TransitionKindChoices.CANCELLED
    color = "secondary"

    def perform(self, **params):
        self.log(to_step=None)


class PartStateMachine(StateMachine):
    field = "status"
    choices = PartStatus
    actions = (
        StartStep,
        CompleteStep,
        SignOffStep,
        MoveToStep,
        FinishPart,
        QuarantinePart,
        ReleasePart,
        SendToRework,
        AcceptAsIs,
        ScrapPart,
        ReturnToSupplier,
        ShipPart,
        CancelPart,
    )
