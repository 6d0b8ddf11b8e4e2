"""A small machined-part line for tests of the production loop: a valve body whose routing has a
decision step with a rework branch (built like the demo line, with fewer characteristics).

    Turn → Mill → Inspect bore (decision) ─pass→ Deburr → Final inspection (QA sign-off)
                                         └fail→ Rework bore → Re-inspect (decision) ─pass→ Deburr
"""

import dataclasses
from dataclasses import dataclass

from qualitas.accounts.models import User
from qualitas.equipment.models import Equipment
from qualitas.inspections.models import ErrorType, MeasurementDefinition
from qualitas.production import demo, services
from qualitas.production.actions import ReleaseWorkOrder
from qualitas.production.models import PartType, Process
from qualitas.testing.factories import make_user

TEST_LINE = dataclasses.replace(
    demo.VALVE,
    steps=[
        (name, kind, None, requires_qa, f"{name} the valve body.")
        for name, kind, _c, requires_qa, _i in demo.VALVE.steps
    ],
    measurements={
        "Inspect bore": [
            demo.Characteristic("Bore diameter", "C1", 25.0, 0.05, classification="critical"),
            demo.Characteristic("Surface finish", "C2", classification="minor"),
        ],
        "Re-inspect": [demo.Characteristic("Bore diameter", "C1", 25.0, 0.05, classification="critical")],
    },
    error_types=[("E01", "Burr on bore edge", "", "major")],
)


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
    built = demo.build_line(dataclasses.replace(TEST_LINE, prefix=prefix, part_number=part_number), planner)
    caliper = Equipment.objects.create(
        identifier=f"CAL-{part_number}", name="Digital caliper", kind="caliper"
    )
    return Line(
        built.part_type,
        built.process,
        built.steps,
        bore=built.definitions["Inspect bore"]["C1"],
        surface=built.definitions["Inspect bore"]["C2"],
        rebore=built.definitions["Re-inspect"]["C1"],
        burr=built.error_types["E01"],
        caliper=caliper,
    )


def make_work_order(line, quantity=3, **fields):
    work_order = services.create_work_order(line.part_type, line.process, quantity, **fields)
    admin = User.objects.filter(is_superuser=True).first() or make_user("Admin")
    ReleaseWorkOrder(work_order, admin).execute()
    work_order.refresh_from_db()
    return work_order
