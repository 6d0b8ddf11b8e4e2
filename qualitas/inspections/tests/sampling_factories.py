"""Records for the sampling engine's tests: a shaft with a two-step routing whose first step
measures the diameter, work orders, rule sets and quality reports.

    Turn (diameter measured, the sampled step) → Pack
"""

from dataclasses import dataclass

from qualitas.accounts.models import User
from qualitas.inspections import services as inspections
from qualitas.inspections.models import MeasurementDefinition, SamplingRule, SamplingRuleSet
from qualitas.production import services as production
from qualitas.production.actions import ReleaseProcess
from qualitas.production.models import PartType, Process, Step, StepEdge
from qualitas.testing.factories import make_user

NOMINAL = 20.0
GOOD = 20.01
BAD = 20.5


@dataclass
class Routing:
    part_type: PartType
    process: Process
    turn: Step
    pack: Step
    diameter: MeasurementDefinition


def make_routing(part_number="SH-100", prefix="SH-", planner=None):
    """A released routing of a new part type: Turn (measures the diameter) → Pack."""
    planner = planner or make_user("Admin")
    part_type = PartType.objects.create(
        part_number=part_number, name="Drive shaft", revision="A", serial_prefix=prefix
    )
    process = Process.objects.create(name=f"{part_number} turning", part_type=part_type)
    turn = Step.objects.create(process=process, name="Turn", sequence=10)
    pack = Step.objects.create(process=process, name="Pack", sequence=20)
    StepEdge.objects.create(process=process, source=turn, target=pack)
    diameter = MeasurementDefinition.objects.create(
        step=turn,
        name="Diameter",
        code="C1",
        unit="mm",
        nominal=NOMINAL,
        lower_tolerance=-0.05,
        upper_tolerance=0.05,
    )
    ReleaseProcess(process, planner).execute()
    process.refresh_from_db()
    return Routing(part_type, process, turn, pack, diameter)


def make_work_order(routing, quantity=10, part_type=None):
    """A work order of ``quantity`` parts; its parts in serial order."""
    work_order = production.create_work_order(part_type or routing.part_type, routing.process, quantity)
    return work_order, list(work_order.parts.order_by("serial_number"))


def make_rule_set(routing, *rules, name="Normal", step=None, part_type=None, **fields):
    """A rule set at ``step`` (Turn) with ``rules``: ``(kind, {"n": 5})`` pairs, in order."""
    rule_set = SamplingRuleSet.objects.create(
        name=name, part_type=part_type or routing.part_type, step=step or routing.turn, **fields
    )
    for sequence, (kind, parameters) in enumerate(rules, start=1):
        SamplingRule.objects.create(rule_set=rule_set, kind=kind, sequence=sequence * 10, **parameters)
    return rule_set


def make_inspector():
    return make_user("QA Inspector")


def inspect(routing, part, inspector: User, passed=True):
    """Record the part's diameter at Turn: in tolerance, or far out of it (a failed report, which
    opens an NCR and quarantines the part)."""
    value = GOOD if passed else BAD
    return inspections.record_report(
        part, routing.turn, inspector, results=[{"definition": routing.diameter, "value": value}]
    )
