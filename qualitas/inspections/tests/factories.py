"""Production and inspection records for the inspection and NCR tests, made the way the
application makes them: a released routing (``ReleaseProcess``), work orders that generate their
parts (``production.services.create_work_order``), and reports recorded by
``inspections.services.record_report`` (a failed one opens its NCR and quarantines the part).

Every customer (and "no customer") gets one shop: a part type with a two-step routing, a numeric
and an attribute characteristic at the inspection step, and an error type. It is looked up in the
database, so each test builds its own.
"""

import itertools
from dataclasses import dataclass

from qualitas.accounts.models import User
from qualitas.inspections import services as inspections
from qualitas.inspections.choices import CharacteristicClassChoices, MeasurementKindChoices
from qualitas.inspections.models import (
    ErrorType,
    MeasurementDefinition,
    SamplingDecision,
    SamplingRule,
    SamplingRuleSet,
    SamplingState,
)
from qualitas.nonconformance.models import NonConformance, ReworkAttempt
from qualitas.production import services as production
from qualitas.production.actions import ReleaseProcess
from qualitas.production.choices import StepKindChoices
from qualitas.production.models import (
    CustomerOrder,
    CustomerOrderLine,
    PartType,
    Process,
    Step,
    StepEdge,
)

SHOP_ROUTING = "Factory routing"
FACTORY_EMAIL = "factory@qualitas.test"
_counter = itertools.count(1)


def factory_user():
    """The superuser that releases routings and records reports in the factories (actions check
    permissions, and a failed report quarantines the part as its inspector)."""
    user = User.objects.filter(email=FACTORY_EMAIL).first()
    return user or User.objects.create_superuser(email=FACTORY_EMAIL, full_name="Factory Inspector")


@dataclass
class Shop:
    part_type: PartType
    process: Process
    operation: Step
    inspection: Step
    diameter: MeasurementDefinition
    surface: MeasurementDefinition
    scratch: ErrorType


def make_part_type(customer=None, **fields):
    number = next(_counter)
    fields.setdefault("part_number", f"PN-{number:04d}")
    fields.setdefault("name", f"Valve body {number}")
    fields.setdefault("serial_prefix", f"T{number}-")
    return PartType.objects.create(customer=customer, **fields)


def make_routing(
    part_type,
    steps=(("Turning", StepKindChoices.OPERATION), ("Final inspection", StepKindChoices.INSPECTION)),
    name=None,
):
    """A released routing of ``part_type``: ``steps`` (name, kind) one after the other."""
    process = Process.objects.create(name=name or f"Routing of {part_type.part_number}", part_type=part_type)
    made = [
        Step.objects.create(process=process, name=step_name, kind=kind, sequence=(index + 1) * 10)
        for index, (step_name, kind) in enumerate(steps)
    ]
    for source, target in itertools.pairwise(made):
        StepEdge.objects.create(process=process, source=source, target=target)
    ReleaseProcess(process, factory_user()).execute()
    process.refresh_from_db()
    return process


def make_definition(step, **fields):
    number = next(_counter)
    fields.setdefault("name", f"Characteristic {number}")
    fields.setdefault("code", f"C{number}")
    if fields.get("kind") == MeasurementKindChoices.ATTRIBUTE:
        return MeasurementDefinition.objects.create(step=step, **fields)
    fields.setdefault("unit", "mm")
    fields.setdefault("nominal", 25.0)
    fields.setdefault("lower_tolerance", -0.05)
    fields.setdefault("upper_tolerance", 0.05)
    return MeasurementDefinition.objects.create(step=step, **fields)


def make_error_type(part_type=None, **fields):
    number = next(_counter)
    fields.setdefault("code", f"E{number:03d}")
    fields.setdefault("name", f"Defect {number}")
    return ErrorType.objects.create(part_type=part_type, **fields)


def shop(customer=None):
    """The shop of ``customer`` (or of no customer), made on first use."""
    process = (
        Process.objects.filter(name=SHOP_ROUTING, part_type__customer=customer)
        .select_related("part_type")
        .first()
    )
    if process is None:
        process = make_routing(make_part_type(customer=customer), name=SHOP_ROUTING)
        inspection = process.steps.get(name="Final inspection")
        make_definition(inspection, name="Bore diameter", code="C1", sequence=10)
        make_definition(
            inspection,
            name="Surface finish",
            code="C2",
            kind=MeasurementKindChoices.ATTRIBUTE,
            classification=CharacteristicClassChoices.MINOR,
            sequence=20,
        )
        make_error_type(process.part_type, code="SCR", name="Scratch")
    steps = {step.name: step for step in process.steps.all()}
    inspection = steps["Final inspection"]
    definitions = {d.code: d for d in inspection.measurements.all()}
    return Shop(
        part_type=process.part_type,
        process=process,
        operation=steps["Turning"],
        inspection=inspection,
        diameter=definitions["C1"],
        surface=definitions["C2"],
        scratch=ErrorType.objects.get(part_type=process.part_type, code="SCR"),
    )


def make_work_order(customer=None, quantity=1, process=None):
    """A work order on the shop's routing (or ``process``) with ``quantity`` parts; for a customer,
    through an order line of the customer's order, which is how customers see its records."""
    process = process or shop(customer).process
    order_line = None
    if customer is not None:
        order = CustomerOrder.objects.create(customer=customer)
        order_line = CustomerOrderLine.objects.create(
            order=order, part_type=process.part_type, quantity=quantity
        )
    return production.create_work_order(process.part_type, process, quantity, order_line=order_line)


def make_part(customer=None, process=None):
    return make_work_order(customer, process=process).parts.get()


def at_step(part, step):
    """Put ``part`` at ``step`` (as if it had travelled there), so that it can be inspected there.
    Returns the part."""
    if part.current_step_id != step.pk:
        part.current_step = step
        part.save()
    return part


def report_results(line, diameter=25.01, surface=True):
    return [
        {"definition": line.diameter.pk, "value": diameter},
        {"definition": line.surface.pk, "attribute_ok": surface},
    ]


def make_report(customer=None, part=None, diameter=25.01, surface=True, defects=(), inspector=None):
    """A quality report of a new part (or ``part``) at the shop's inspection step: passed with the
    default values, failed (with its NCR, the part quarantined) with a diameter out of 24.95–25.05."""
    line = shop(customer)
    part = part or make_part(customer)
    at_step(part, line.inspection)
    return inspections.record_report(
        part,
        line.inspection,
        inspector or factory_user(),
        results=report_results(line, diameter, surface),
        defects=defects,
    )


def make_ncr(customer=None, **fields):
    number = next(_counter)
    fields.setdefault("title", f"Burr on flange {number}")
    return NonConformance.objects.create(customer=customer, **fields)


def make_rework_attempt(customer=None, **fields):
    line = shop(customer)
    part = fields.pop("part", None) or make_part(customer)
    ncr = fields.pop("nonconformance", None) or make_ncr(customer, part=part, part_type=part.part_type)
    return ReworkAttempt.objects.create(
        part=part,
        step=fields.pop("step", line.operation),
        nonconformance=ncr,
        attempt=fields.pop("attempt", 1),
        **fields,
    )


def make_rule_set(customer=None, **fields):
    line = shop(customer)
    fields.setdefault("name", f"Sampling {next(_counter)}")
    fields.setdefault("part_type", line.part_type)
    fields.setdefault("step", line.inspection)
    return SamplingRuleSet.objects.create(**fields)


def make_rule(customer=None, **fields):
    rule_set = fields.pop("rule_set", None) or make_rule_set(customer)
    fields.setdefault("n", 5)
    return SamplingRule.objects.create(rule_set=rule_set, **fields)


def make_sampling_state(customer=None, **fields):
    line = shop(customer)
    work_order = fields.pop("work_order", None) or make_work_order(customer)
    rule_set = fields.pop("rule_set", None) or make_rule_set(customer)
    return SamplingState.objects.create(
        work_order=work_order, step=line.inspection, rule_set=rule_set, active_rule_set=rule_set, **fields
    )


def make_decision(customer=None, **fields):
    line = shop(customer)
    part = fields.pop("part", None) or make_part(customer)
    rule_set = fields.pop("rule_set", None) or make_rule_set(customer)
    fields.setdefault("sequence", next(_counter))
    fields.setdefault("must_inspect", True)
    fields.setdefault("reason", "Every 5th part")
    return SamplingDecision.objects.create(
        part=part, step=line.inspection, work_order=part.work_order, rule_set=rule_set, **fields
    )
