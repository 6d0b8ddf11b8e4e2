"""A small machined-part line for tests of the production loop: a valve body whose routing has a
decision step with a rework branch.

    Turn → Mill → Inspect bore (decision) ─pass→ Deburr → Final inspection (QA sign-off)
                                         └fail→ Rework bore → Re-inspect (decision) ─pass→ Deburr
"""

from dataclasses import dataclass

from qualitas.accounts.models import User
from qualitas.equipment.models import Equipment
from qualitas.inspections.choices import CharacteristicClassChoices, MeasurementKindChoices
from qualitas.inspections.models import ErrorType, MeasurementDefinition
from qualitas.production import services
from qualitas.production.actions import ReleaseProcess, ReleaseWorkOrder
from qualitas.production.choices import EdgeConditionChoices, StepKindChoices
from qualitas.production.models import PartType, Process, Step, StepEdge
from qualitas.testing.factories import make_user


@dataclass
class Line:
    part_type: PartType
    process: Process
    steps: dict
    bore: MeasurementDefinition
    surface: MeasurementDefinition
    rebore: MeasurementDefinition
    burr: ErrorType
    caliper: Equipment


def make_line(prefix="VB-", part_number="VB-100", planner=None):
    planner = planner or User.objects.filter(is_superuser=True).first() or make_user("Admin")
    part_type = PartType.objects.create(
        part_number=part_number, name="Valve body", revision="A", serial_prefix=prefix, max_rework_attempts=2
    )
    process = Process.objects.create(name=f"{part_number} machining", part_type=part_type)
    kinds = {
        "Turn": StepKindChoices.OPERATION,
        "Mill": StepKindChoices.OPERATION,
        "Inspect bore": StepKindChoices.DECISION,
        "Rework bore": StepKindChoices.REWORK,
        "Re-inspect": StepKindChoices.DECISION,
        "Deburr": StepKindChoices.OPERATION,
        "Final inspection": StepKindChoices.INSPECTION,
    }
    steps = {}
    for sequence, (name, kind) in enumerate(kinds.items(), start=1):
        steps[name] = Step.objects.create(
            process=process,
            name=name,
            kind=kind,
            sequence=sequence * 10,
            requires_qa=name == "Final inspection",
            instructions=f"{name} the valve body.",
        )
    for source, target, condition in (
        ("Turn", "Mill", EdgeConditionChoices.ALWAYS),
        ("Mill", "Inspect bore", EdgeConditionChoices.ALWAYS),
        ("Inspect bore", "Deburr", EdgeConditionChoices.PASS),
        ("Inspect bore", "Rework bore", EdgeConditionChoices.FAIL),
        ("Rework bore", "Re-inspect", EdgeConditionChoices.ALWAYS),
        ("Re-inspect", "Deburr", EdgeConditionChoices.PASS),
        ("Deburr", "Final inspection", EdgeConditionChoices.ALWAYS),
    ):
        StepEdge.objects.create(
            process=process, source=steps[source], target=steps[target], condition=condition
        )
    bore = MeasurementDefinition.objects.create(
        step=steps["Inspect bore"],
        name="Bore diameter",
        code="C1",
        unit="mm",
        nominal=25.0,
        lower_tolerance=-0.05,
        upper_tolerance=0.05,
        classification=CharacteristicClassChoices.CRITICAL,
        sequence=10,
    )
    surface = MeasurementDefinition.objects.create(
        step=steps["Inspect bore"],
        name="Surface finish",
        code="C2",
        kind=MeasurementKindChoices.ATTRIBUTE,
        classification=CharacteristicClassChoices.MINOR,
        sequence=20,
    )
    rebore = MeasurementDefinition.objects.create(
        step=steps["Re-inspect"],
        name="Bore diameter",
        code="C1",
        unit="mm",
        nominal=25.0,
        lower_tolerance=-0.05,
        upper_tolerance=0.05,
        classification=CharacteristicClassChoices.CRITICAL,
    )
    burr = ErrorType.objects.create(part_type=part_type, code="E01", name="Burr on bore edge")
    caliper = Equipment.objects.create(
        identifier=f"CAL-{part_number}", name="Digital caliper", kind="caliper"
    )
    ReleaseProcess(process, planner).execute()
    process.refresh_from_db()
    return Line(part_type, process, steps, bore, surface, rebore, burr, caliper)


def make_work_order(line, quantity=3, **fields):
    work_order = services.create_work_order(line.part_type, line.process, quantity, **fields)
    admin = User.objects.filter(is_superuser=True).first() or make_user("Admin")
    ReleaseWorkOrder(work_order, admin).execute()
    work_order.refresh_from_db()
    return work_order
