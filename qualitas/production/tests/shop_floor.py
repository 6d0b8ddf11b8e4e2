"""A small shop floor for the tests of the import, the WIP page and the big screen: a bracket
routed through two work centres, with helpers that put parts where a test wants them.

    Cut (CNC-1) → Drill (CNC-1) → Inspect (QC, decision) ─pass→ Pack (no work centre)
                                                        └fail→ Rework (CNC-1) → Pack
"""

from dataclasses import dataclass

from django.contrib.auth.models import Permission

from qualitas.accounts.models import User
from qualitas.nonconformance.choices import NonConformanceStatusChoices
from qualitas.nonconformance.models import NonConformance, ReworkAttempt
from qualitas.production import services
from qualitas.production.actions import ReleaseProcess, ReleaseWorkOrder
from qualitas.production.choices import EdgeConditionChoices, StepKindChoices
from qualitas.production.models import (
    CustomerOrder,
    CustomerOrderLine,
    PartType,
    Process,
    Step,
    StepEdge,
    StepTransition,
    WorkCenter,
)
from qualitas.testing.factories import make_user

STEPS = (
    ("Cut", StepKindChoices.OPERATION, "CNC-1"),
    ("Drill", StepKindChoices.OPERATION, "CNC-1"),
    ("Inspect", StepKindChoices.DECISION, "QC"),
    ("Rework", StepKindChoices.REWORK, "CNC-1"),
    ("Pack", StepKindChoices.OPERATION, None),
)
EDGES = (
    ("Cut", "Drill", EdgeConditionChoices.ALWAYS),
    ("Drill", "Inspect", EdgeConditionChoices.ALWAYS),
    ("Inspect", "Pack", EdgeConditionChoices.PASS),
    ("Inspect", "Rework", EdgeConditionChoices.FAIL),
    ("Rework", "Pack", EdgeConditionChoices.ALWAYS),
)


@dataclass
class Floor:
    part_type: PartType
    process: Process
    steps: dict
    centres: dict


def admin():
    return User.objects.filter(is_superuser=True).first() or make_user("Admin")


def work_centres():
    return {
        "CNC-1": WorkCenter.objects.get_or_create(code="CNC-1", defaults={"name": "CNC mill"})[0],
        "QC": WorkCenter.objects.get_or_create(code="QC", defaults={"name": "Quality lab"})[0],
    }


def make_routing(part_type, name="Bracket machining", release=True, centres=None):
    centres = centres or work_centres()
    process = Process.objects.create(name=name, part_type=part_type)
    steps = {}
    for sequence, (step_name, kind, centre) in enumerate(STEPS, start=1):
        steps[step_name] = Step.objects.create(
            process=process,
            name=step_name,
            kind=kind,
            sequence=sequence * 10,
            work_center=centres[centre] if centre else None,
        )
    for source, target, condition in EDGES:
        StepEdge.objects.create(
            process=process, source=steps[source], target=steps[target], condition=condition
        )
    if release:
        ReleaseProcess(process, admin()).execute()
        process.refresh_from_db()
    return process, steps


def make_floor(part_number="BR-200", prefix="BR-", customer=None):
    centres = work_centres()
    part_type = PartType.objects.create(
        part_number=part_number, name="Bracket", revision="A", serial_prefix=prefix, customer=customer
    )
    process, steps = make_routing(part_type, name=f"{part_number} machining", centres=centres)
    return Floor(part_type, process, steps, centres)


def make_work_order(floor, quantity=3, release=True, **fields):
    work_order = services.create_work_order(floor.part_type, floor.process, quantity, **fields)
    if release:
        ReleaseWorkOrder(work_order, admin()).execute()
        work_order.refresh_from_db()
    return work_order


def make_order(customer, part_type, number_of_lines=1, quantity=10):
    order = CustomerOrder.objects.create(customer=customer, erp_id=f"ERP-{customer.pk}")
    for line_number in range(1, number_of_lines + 1):
        CustomerOrderLine.objects.create(
            order=order, line_number=line_number, part_type=part_type, quantity=quantity
        )
    return order


def place(part, step, status, entered_at):
    """Put ``part`` at ``step`` with ``status`` since ``entered_at`` (an audited save: tests set up
    the state the actions would have reached)."""
    part.current_step = step
    part.status = status
    part.step_entered_at = entered_at
    part.save()
    return part


def log(part, kind, time, step=None):
    """A step-log entry of ``kind`` for ``part`` at ``time``."""
    return StepTransition.objects.create(
        part=part,
        kind=kind,
        from_step=step or part.current_step,
        to_step=step or part.current_step,
        time=time,
    )


def rework(part, step, started_at, attempt=1):
    """A rework attempt of ``part`` at ``step`` (with the NCR that sent it, closed since)."""
    ncr = ncr_for(part, title=f"{part} rework", status=NonConformanceStatusChoices.CLOSED)
    return ReworkAttempt.objects.create(
        part=part, step=step, nonconformance=ncr, attempt=attempt, started_at=started_at
    )


def ncr_for(part=None, **fields):
    fields.setdefault("title", f"Nonconformance of {part}" if part else "Nonconformance")
    if part is not None:
        fields.setdefault("part_type", part.part_type)
        fields.setdefault("work_order", part.work_order)
    return NonConformance.objects.create(part=part, **fields)


def customer_user(company, *codenames):
    """A Customer of ``company`` who also holds ``codenames`` (e.g. ``view_part``), so that the
    customer scoping, not the missing permission, decides what they see."""
    user = make_user("Customer", company=company)
    for codename in codenames:
        app_label, name = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=name))
    return User.objects.get(pk=user.pk)
