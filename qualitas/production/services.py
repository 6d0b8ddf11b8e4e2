"""Production services: work orders and their serialized parts, routing revisions and the flow
editor's graph, and the station flow that chains a part's actions (start, record, complete, move).

Views, serializers, forms and jobs call these; the state changes themselves are the actions in
``production.actions``.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from qualitas.core import attachments
from qualitas.core.events import emit
from qualitas.core.sequences import reserve_values
from qualitas.equipment.choices import EquipmentStatusChoices
from qualitas.equipment.models import Equipment
from qualitas.framework.context import change_reason
from qualitas.inspections import sampling
from qualitas.inspections import services as inspections

from . import actions, routing
from .choices import (
    EdgeConditionChoices,
    PartStatusChoices,
    ProcessStatusChoices,
    StepKindChoices,
    StepOutcomeChoices,
)
from .models import Part, PartType, Process, Step, StepEdge, WorkOrder

#: Parts written per INSERT when a work order generates its parts.
PART_BATCH = 2000


# --- Serial numbers and work orders ------------------------------------------------------------


def serial_numbers(part_type, count):
    """``count`` new serial numbers for ``part_type``: its prefix and a counter shared by every
    revision of the part type, zero-padded to ``serial_digits``."""
    first = reserve_values(f"production.part:{part_type.serial_prefix}", count)
    digits = part_type.serial_digits
    return [f"{part_type.serial_prefix}{value:0{digits}d}" for value in range(first, first + count)]


def check_work_order(part_type, process, quantity, order_line=None):
    """Field errors for a new work order (empty when it can be made)."""
    errors = {}
    if part_type is not None and part_type.is_archived:
        errors["part_type"] = f"{part_type} is archived."
    if order_line is not None and part_type is not None and order_line.part_type.lineage != part_type.lineage:
        errors["order_line"] = (
            f"Order line {order_line} is for {order_line.part_type.part_number}, not {part_type.part_number}."
        )
    if order_line is not None and order_line.order.status in ("closed", "cancelled", "shipped"):
        errors["order_line"] = (
            f"Order {order_line.order.number} is {order_line.order.get_status_display().lower()}."
        )
    if process is not None and part_type is not None and process.part_type.lineage != part_type.lineage:
        errors["process"] = (
            f"{process} is a routing of {process.part_type.part_number}, not of {part_type.part_number}."
        )
    if process is not None and process.status != ProcessStatusChoices.RELEASED:
        errors["process"] = (
            f"{process} is {process.get_status_display().lower()}: only released routings can be used."
        )
    if process is not None and "process" not in errors and process.start_step() is None:
        errors["process"] = f"{process} has no single start step."
    if quantity is not None and quantity < 1:
        errors["quantity"] = "A work order makes at least one part."
    return errors


def create_work_order(part_type, process, quantity, **fields):
    """Create a work order and its ``quantity`` serialized parts, all pending at the routing's start
    step, in one transaction. Raises ValidationError with field errors."""
    errors = check_work_order(part_type, process, quantity, fields.get("order_line"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        work_order = WorkOrder(part_type=part_type, process=process, quantity=quantity, **fields)
        work_order.full_clean(exclude=["number"])
        work_order.save()
        generate_parts(work_order, quantity)
    return work_order


def generate_parts(work_order, count):
    """Add ``count`` parts to ``work_order`` at its routing's start step (audited bulk insert)."""
    start = work_order.process.start_step()
    now = timezone.now()
    serials = serial_numbers(work_order.part_type, count)
    for offset in range(0, count, PART_BATCH):
        Part.objects.bulk_create(
            [
                Part(
                    serial_number=serial,
                    work_order=work_order,
                    part_type=work_order.part_type,
                    current_step=start,
                    status=PartStatusChoices.PENDING,
                    step_entered_at=now,
                )
                for serial in serials[offset : offset + PART_BATCH]
            ]
        )
    emit(
        "workorder.parts_generated",
        obj=work_order,
        message=f"{count} parts generated for {work_order.number}: {serials[0]} to {serials[-1]}",
        data={"count": count, "first": serials[0], "last": serials[-1]},
    )
    return serials


def progress(work_order, now=None):
    """Actual against expected completion, and whether the due date is at risk.

    Expected completion is linear from the start (or creation) to the due date; the work order is
    at risk when the completed share lags the elapsed share by more than 10 points, or when the
    remaining parts' estimated run time does not fit before the due date.
    """
    now = now or timezone.now()
    counts = dict.fromkeys(PartStatusChoices.values(), 0)
    for row in work_order.parts.values("status").annotate(number=Count("pk")).order_by():
        counts[row["status"]] = row["number"]
    return progress_from_counts(work_order, counts, now, remaining=remaining_run_seconds(work_order))


@dataclass
class Progress:
    total: int
    done: int
    scrapped: int
    wip: int
    actual_percent: float
    expected_percent: float | None
    at_risk: bool
    reasons: list = field(default_factory=list)


def progress_from_counts(work_order, counts, now, remaining=None):
    """``progress`` from counts of parts by status already read (lists read them in one query).
    ``remaining`` is the estimated run time left (``remaining_run_seconds``); lists leave it out
    and judge the risk by the lag alone."""
    total = sum(counts.values()) - counts[PartStatusChoices.CANCELLED]
    done = counts[PartStatusChoices.COMPLETED] + counts[PartStatusChoices.SHIPPED]
    scrapped = counts[PartStatusChoices.SCRAPPED]
    wip = sum(counts[status] for status in PartStatusChoices.WIP)
    actual = 100.0 * done / total if total else 0.0
    expected = None
    reasons = []
    if work_order.due_date is not None and work_order.status in ("released", "in_progress", "on_hold"):
        start = work_order.started_at or work_order.created
        due = timezone.make_aware(
            timezone.datetime.combine(work_order.due_date, timezone.datetime.max.time())
        )
        span = (due - start).total_seconds()
        elapsed = (now - start).total_seconds()
        expected = 100.0 if span <= 0 else max(0.0, min(100.0, 100.0 * elapsed / span))
        if now > due and wip:
            reasons.append("past its due date")
        elif expected - actual > 10:
            reasons.append(f"{actual:.0f}% done against {expected:.0f}% expected")
        if remaining is not None and now.timestamp() + remaining > due.timestamp() and wip:
            reasons.append("the remaining run time does not fit before the due date")
    return Progress(total, done, scrapped, wip, actual, expected, bool(reasons), reasons)


def remaining_run_seconds(work_order):
    """The estimated run time left for the work order's parts in production: each part's remaining
    steps along the routing's pass path from its current step (rework branches left out), one
    station working at a time. None when the routing has no estimated durations."""
    steps = {step.pk: step for step in work_order.process.steps.filter(is_archived=False)}
    if not any(step.estimated_duration for step in steps.values()):
        return None
    onward = {}
    for edge in work_order.process.edges.filter(is_archived=False):
        if edge.condition != EdgeConditionChoices.FAIL:
            onward.setdefault(edge.source_id, edge.target_id)
    left = {}
    for start in steps:
        total, seen, current = 0.0, set(), start
        while current in steps and current not in seen:
            seen.add(current)
            duration = steps[current].estimated_duration
            total += duration.total_seconds() if duration else 0.0
            current = onward.get(current)
        left[start] = total
    counts = (
        work_order.parts.filter(status__in=PartStatusChoices.WIP)
        .values("current_step")
        .annotate(n=Count("pk"))
    )
    return sum(left.get(row["current_step"], 0.0) * row["n"] for row in counts.order_by())


# --- Routings ----------------------------------------------------------------------------------


def revise_process(process, user=None):
    """A new draft version of a released or obsolete routing, with copies of its steps, edges and
    the steps' measurement definitions and sampling rule sets. The released version stays in force
    until the new one is released."""
    from_status = process.status
    if from_status == ProcessStatusChoices.DRAFT:
        raise ValidationError("This routing is a draft: edit it directly.")
    if process.versions().filter(status=ProcessStatusChoices.DRAFT).exists():
        raise ValidationError("A draft version of this routing already exists.")
    with transaction.atomic(), change_reason(f"Revised from version {process.version}"):
        new = process.create_new_version()
        copies = {}
        for step in process.steps.filter(is_archived=False).order_by("pk"):
            old_pk = step.pk
            step.pk = None
            step.id = None
            step._state.adding = True
            step.process = new
            step.save()
            copies[old_pk] = step
        for edge in process.edges.filter(is_archived=False):
            StepEdge(
                process=new,
                source=copies[edge.source_id],
                target=copies[edge.target_id],
                condition=edge.condition,
            ).save()
        inspections.copy_step_inspections(copies)
        emit(
            "process.revised",
            obj=new,
            message=f"{new} drafted from version {process.version}",
            data={"from": process.pk},
        )
    return new


def revise_part_type(part_type, revision, **changes):
    """A new design revision of ``part_type``, made current at once (a part type has no approval of
    its own here; its drawings go through document control)."""
    revision = (revision or "").strip()
    if not revision:
        raise ValidationError({"revision": "Give the new revision, e.g. C."})
    if part_type.versions().filter(revision=revision).exists():
        raise ValidationError({"revision": f"Revision {revision} of {part_type.part_number} exists already."})
    with transaction.atomic():
        new = part_type.create_new_version(revision=revision, **changes)
        new.make_current()
    return new


@dataclass
class GraphStep:
    key: str
    name: str
    kind: str
    x: float = 0.0
    y: float = 0.0
    id: int | None = None


def save_graph(process, steps, edges):
    """Save the flow editor's graph of a draft routing in one transaction: ``steps`` are
    ``GraphStep``s (``id`` None for new ones, ``key`` the editor's handle), ``edges`` are
    ``(source key, target key, condition)``. The whole graph is validated first (no cycle, one
    start, every step reachable); nothing is written when it is refused. Steps left out are
    deleted with their edges and inspections (a draft has no parts yet). Returns ``{key: Step}``."""
    if not process.is_editable:
        raise ValidationError(f"{process} is {process.get_status_display().lower()}: revise it to change it.")
    keys = [step.key for step in steps]
    if len(set(keys)) != len(keys):
        raise ValidationError({"steps": "Two steps have the same key."})
    names = [step.name.strip() for step in steps]
    if any(not name for name in names):
        raise ValidationError({"steps": "Every step needs a name."})
    if len({name.lower() for name in names}) != len(names):
        raise ValidationError({"steps": "Two steps have the same name."})
    unknown = sorted({step.kind for step in steps} - set(StepKindChoices.values()))
    if unknown:
        raise ValidationError({"steps": f"Unknown step kind: {', '.join(map(str, unknown))}."})
    unknown = sorted({condition for _s, _t, condition in edges} - set(EdgeConditionChoices.values()))
    if unknown:
        raise ValidationError({"edges": f"Unknown edge condition: {', '.join(map(str, unknown))}."})
    nodes = [routing.Node(step.key, step.name, step.kind) for step in steps]
    arrows = [routing.Arrow(source, target, condition) for source, target, condition in edges]
    found = routing.problems(nodes, arrows)
    if found:
        raise ValidationError({"edges": found})
    existing = {step.pk: step for step in process.steps.filter(is_archived=False)}
    for item in steps:
        if item.id is not None and item.id not in existing:
            raise ValidationError({"steps": f"Step {item.id} is not part of {process}."})
    kept = {item.id for item in steps if item.id is not None}
    with transaction.atomic(), change_reason("Saved from the flow editor"):
        # Steps left out go first (archived ones too when their name is used again), so that
        # their names are free.
        reused = {name.lower() for name in names}
        for step in process.steps.all():
            if step.pk not in kept and (not step.is_archived or step.name.lower() in reused):
                remove_step(step)
        # A step taking the current name of another kept step (a swap) frees it first.
        holders = {existing[pk].name.lower(): pk for pk in kept}
        for item in steps:
            holder = holders.get(item.name.strip().lower())
            if holder is not None and holder != item.id:
                existing[holder].name = f"{existing[holder].name} ({existing[holder].pk})"[:200]
                existing[holder].save()
        saved = {}
        for sequence, item in enumerate(steps, start=1):
            step = existing.get(item.id) or Step(process=process)
            step.name = item.name.strip()
            step.kind = item.kind
            step.position_x = item.x
            step.position_y = item.y
            step.sequence = sequence * 10
            step.save()
            saved[item.key] = step
        wanted = {(saved[s].pk, saved[t].pk): c for s, t, c in edges}
        for edge in process.edges.all():
            key = (edge.source_id, edge.target_id)
            if key not in wanted:
                edge.delete()
                continue
            condition = wanted.pop(key)
            if edge.condition != condition:
                edge.condition = condition
                edge.save()
        for (source, target), condition in wanted.items():
            StepEdge(process=process, source_id=source, target_id=target, condition=condition).save()
        emit("process.graph_saved", obj=process, message=f"{process}: {len(steps)} steps, {len(edges)} edges")
    return saved


def remove_step(step):
    """Delete a draft routing's step with its edges, measurement definitions and sampling rule
    sets, each deletion audited."""
    for edge in StepEdge.objects.filter(Q(source=step) | Q(target=step)):
        edge.delete()
    inspections.remove_step_inspections(step)
    step.delete()


# --- The station flow --------------------------------------------------------------------------


def complete_and_advance(part, user, equipment=None, note="", next_step=None, request=None):
    """Complete the part's step and move it on when the way is clear: along the only edge (or
    ``next_step``), or complete the part at the last step. A step that needs QA sign-off stops at
    Awaiting QA. Returns the part."""
    actions.CompleteStep(part, user, request=request).execute(equipment=equipment, note=note)
    return advance(part, user, next_step=next_step, request=request)


def advance(part, user, next_step=None, request=None, insist=False):
    """Move a part that passed its step: along the edge to ``next_step``, the only edge, or, at the
    last step, complete it. With several edges and no ``next_step`` it stays at Passed step, unless
    ``insist`` (a person asked to move it): then the move is refused with its reasons."""
    if part.status != PartStatusChoices.PASSED_STEP and not insist:
        return part
    edges = actions.next_edges(part, StepOutcomeChoices.PASS)
    if not edges and not part.current_step.outgoing.filter(is_archived=False).exists():
        actions.FinishPart(part, user, request=request).execute()
    elif next_step is not None or len(edges) == 1 or insist:
        actions.MoveToStep(part, user, request=request).execute(step=next_step)
    return part


def find_part(serial):
    """The part with this serial number (as scanned: surrounding blanks ignored, case-insensitive)."""
    serial = (serial or "").strip()
    return Part.objects.filter(serial_number__iexact=serial).first() if serial else None


def part_types_current():
    return PartType.objects.filter(is_current=True, is_archived=False)


def released_processes():
    return Process.objects.filter(status=ProcessStatusChoices.RELEASED, is_archived=False)


# --- The operator station ----------------------------------------------------------------------


@dataclass
class StationCharacteristic:
    definition: object
    result: object = None  # the latest result of this visit, if any


@dataclass
class Station:
    """What the operator station shows for a part at its step."""

    part: Part
    step: Step | None
    characteristics: list
    decision: object
    must_inspect: bool
    missing: list
    next_edges: list
    documents: list
    equipment: list
    reports: list
    open_ncrs: list
    actions: dict


def station(part, user):
    """The part at its current step, as the station shows it: instructions, documents (the step's
    and the part type's attachments), the characteristics to measure with this visit's results,
    the sampling decision, where it can go next, and which actions the user may take now."""
    step = part.current_step
    definitions = list(step.measurements.filter(is_archived=False).order_by("sequence", "pk")) if step else []
    reports = list(
        actions.visit_reports(part).prefetch_related("results").order_by("created", "pk") if step else []
    )
    latest = {}
    for report in reports:
        for result in report.results.all():
            latest[result.definition_id] = result
    available = {action.name: blockers for action, blockers in part.state_machine.available(part, user)}
    documents = []
    for record in (step, part.part_type) if step else (part.part_type,):
        documents.extend(attachments.attachments_for(record))
    return Station(
        part=part,
        step=step,
        characteristics=[StationCharacteristic(d, latest.get(d.pk)) for d in definitions],
        decision=actions.visit_decision(part) if step else None,
        must_inspect=actions.must_inspect(part) if step else False,
        missing=actions.missing_measurements(part) if step else [],
        next_edges=actions.next_edges(part) if step else [],
        documents=documents,
        equipment=usable_equipment_at(step),
        reports=reports,
        open_ncrs=list(actions.open_ncrs(part)),
        actions=available,
    )


def usable_equipment_at(step):
    """Equipment in service, that of the step's work centre first."""
    queryset = Equipment.objects.filter(status=EquipmentStatusChoices.IN_SERVICE, is_archived=False)
    equipment = list(queryset.order_by("identifier"))
    if step is not None and step.work_center_id:
        equipment.sort(key=lambda item: item.work_center_id != step.work_center_id)
    return equipment


def start_at_station(part, user, equipment=None, request=None):
    """Start the part's step and take the sampling decision for this visit (whether it must be
    measured). Returns the decision, or None when the step has no sampling rule set."""
    with transaction.atomic():
        actions.StartStep(part, user, request=request).execute(equipment=equipment)
        return sampling.decide(part, part.current_step)


def record_at_station(part, user, values, equipment=None, notes="", request=None):
    """Record the measurements typed at the station (``{definition id: raw value}``; attribute
    characteristics take "pass" / "fail") as one quality report of this visit. Empty fields are
    left out. A failed report opens an NCR and quarantines the part. Returns the report."""
    step = part.current_step
    results = []
    for definition in step.measurements.filter(is_archived=False):
        raw = values.get(str(definition.pk), values.get(definition.pk))
        if raw in (None, ""):
            continue
        if definition.is_numeric:
            results.append({"definition": definition.pk, "value": raw})
        else:
            results.append({"definition": definition.pk, "attribute_ok": raw})
    return inspections.record_report(
        part, step, user, results=results, equipment=equipment, notes=notes, request=request
    )
