"""Demo data for the manufacturing line (``manage.py seed_demo``): two machined part types with
routings that have a decision step and a rework branch, three work orders and a few hundred
serialized parts in every state, inspections with realistic measurements, and NCRs in every
state. Everything goes through the real services and actions, as operators and inspectors would
do it, so the step log, audit trail and sampling state are what a real line produces.

Only for evaluation: never load demo data into a production database.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from qualitas.accounts.models import Company
from qualitas.equipment.models import Equipment
from qualitas.framework.context import change_context
from qualitas.inspections.choices import (
    CharacteristicClassChoices,
    MeasurementKindChoices,
    SamplingRuleKindChoices,
)
from qualitas.inspections.models import (
    ErrorType,
    MeasurementDefinition,
    MeasurementResult,
    QualityReport,
    SamplingRule,
    SamplingRuleSet,
)
from qualitas.nonconformance import actions as ncr_actions
from qualitas.nonconformance.models import NonConformance
from qualitas.nonconformance.services import seed_review_board_template
from qualitas.production import actions, services
from qualitas.production.choices import EdgeConditionChoices, PartStatusChoices, StepKindChoices
from qualitas.production.models import (
    CustomerOrder,
    CustomerOrderLine,
    Part,
    PartType,
    Process,
    Step,
    StepEdge,
    WorkCenter,
)

K = StepKindChoices
E = EdgeConditionChoices


@dataclass
class Characteristic:
    name: str
    code: str
    nominal: float | None = None
    tolerance: float | None = None
    unit: str = "mm"
    classification: str = CharacteristicClassChoices.MAJOR
    decimals: int = 3
    #: Process spread (standard deviation) and offset from nominal of the simulated measurements.
    sigma: float = 0.0
    offset: float = 0.0

    @property
    def is_attribute(self):
        return self.nominal is None


@dataclass
class LineDefinition:
    part_number: str
    name: str
    prefix: str
    steps: list  # (name, kind, work centre code, requires QA, instructions)
    edges: list  # (source, target, condition)
    measurements: dict  # step name -> [Characteristic]
    error_types: list  # (code, name, description, classification)


VALVE = LineDefinition(
    part_number="VB-100",
    name="Valve body",
    prefix="VB-",
    steps=[
        (
            "Turn",
            K.OPERATION,
            "CNC-1",
            False,
            "Clamp on the soft jaws. Run program O1001. Check the first part.",
        ),
        ("Mill", K.OPERATION, "CNC-2", False, "Fixture F-12, datum A down. Run program O2040."),
        (
            "Inspect bore",
            K.DECISION,
            "QC",
            False,
            "Measure the bore with the air gauge at three depths; record the largest.",
        ),
        ("Rework bore", K.REWORK, "CNC-2", False, "Re-bore with the finishing tool T14 to nominal."),
        ("Re-inspect", K.DECISION, "QC", False, "Measure the reworked bore at three depths."),
        ("Deburr", K.OPERATION, "BENCH", False, "Deburr both bore edges; no sharp edges allowed."),
        (
            "Final inspection",
            K.INSPECTION,
            "QC",
            True,
            "Visual check against the boundary sample; QA signs off.",
        ),
    ],
    edges=[
        ("Turn", "Mill", E.ALWAYS),
        ("Mill", "Inspect bore", E.ALWAYS),
        ("Inspect bore", "Deburr", E.PASS),
        ("Inspect bore", "Rework bore", E.FAIL),
        ("Rework bore", "Re-inspect", E.ALWAYS),
        ("Re-inspect", "Deburr", E.PASS),
        ("Deburr", "Final inspection", E.ALWAYS),
    ],
    measurements={
        "Inspect bore": [
            Characteristic(
                "Bore diameter", "C1", 25.0, 0.05, classification="critical", sigma=0.016, offset=0.004
            ),
            Characteristic("Bore depth", "C2", 40.0, 0.1, sigma=0.025),
            Characteristic("Surface finish", "C3", classification="minor"),
        ],
        "Re-inspect": [
            Characteristic("Bore diameter", "C1", 25.0, 0.05, classification="critical", sigma=0.012)
        ],
        "Final inspection": [Characteristic("Visual", "C9", classification="minor")],
    },
    error_types=[
        ("E01", "Burr on bore edge", "A raised burr on either bore edge, felt with a fingernail.", "minor"),
        ("E02", "Chatter marks", "Regular marks in the bore from tool vibration.", "major"),
        ("E03", "Bore oversize", "Bore diameter above the upper limit.", "critical"),
    ],
)

SHAFT = LineDefinition(
    part_number="PS-200",
    name="Pump shaft",
    prefix="PS-",
    steps=[
        ("Saw", K.OPERATION, "SAW", False, "Cut bar stock to 212 mm."),
        ("Turn", K.OPERATION, "CNC-1", False, "Between centres; program O3100."),
        ("Grind", K.OPERATION, "GRIND", False, "Plunge grind the bearing seats."),
        (
            "Measure",
            K.DECISION,
            "QC",
            False,
            "Bearing seat diameter with the micrometer; runout on V-blocks.",
        ),
        ("Regrind", K.REWORK, "GRIND", False, "Regrind the seat; take off at most 0.02 mm."),
        ("Re-measure", K.DECISION, "QC", False, "Measure the reground seat."),
        ("Final inspection", K.INSPECTION, "QC", True, "Check the keyway and the marking; QA signs off."),
    ],
    edges=[
        ("Saw", "Turn", E.ALWAYS),
        ("Turn", "Grind", E.ALWAYS),
        ("Grind", "Measure", E.ALWAYS),
        ("Measure", "Final inspection", E.PASS),
        ("Measure", "Regrind", E.FAIL),
        ("Regrind", "Re-measure", E.ALWAYS),
        ("Re-measure", "Final inspection", E.PASS),
    ],
    measurements={
        "Measure": [
            Characteristic(
                "Bearing seat diameter",
                "C1",
                20.0,
                0.013,
                classification="critical",
                sigma=0.0045,
                offset=0.002,
            ),
            Characteristic("Runout", "C2", 0.0, 0.02, classification="major", sigma=0.004, offset=0.008),
        ],
        "Re-measure": [
            Characteristic("Bearing seat diameter", "C1", 20.0, 0.013, classification="critical", sigma=0.003)
        ],
        "Final inspection": [Characteristic("Keyway and marking", "C5", classification="minor")],
    },
    error_types=[
        ("E11", "Grinding burn", "Discoloured seat after grinding.", "critical"),
        ("E12", "Scratch on seat", "A scratch across the bearing seat.", "major"),
    ],
)

WORK_CENTERS = (
    ("SAW", "Bar saw"),
    ("CNC-1", "CNC lathe cell"),
    ("CNC-2", "CNC machining centre"),
    ("GRIND", "Cylindrical grinding"),
    ("BENCH", "Bench work"),
    ("QC", "Quality control"),
)


@dataclass
class BuiltLine:
    part_type: PartType
    process: Process
    steps: dict
    definitions: dict  # step name -> {code: MeasurementDefinition}
    characteristics: dict  # step name -> {code: Characteristic}
    error_types: dict


def build_line(definition, planner, customer=None, work_centers=None):
    """Create a part type, its routing (released) with measurements and error types."""
    work_centers = work_centers or {}
    part_type = PartType.objects.create(
        part_number=definition.part_number,
        name=definition.name,
        revision="A",
        serial_prefix=definition.prefix,
        customer=customer,
        max_rework_attempts=2,
    )
    process = Process.objects.create(
        name=f"{definition.part_number} {definition.name.lower()} routing", part_type=part_type
    )
    steps = {}
    for sequence, (name, kind, center, requires_qa, instructions) in enumerate(definition.steps, start=1):
        steps[name] = Step.objects.create(
            process=process,
            name=name,
            kind=kind,
            sequence=sequence * 10,
            work_center=work_centers.get(center),
            requires_qa=requires_qa,
            instructions=instructions,
            estimated_duration=datetime.timedelta(minutes=4 + sequence),
        )
    for source, target, condition in definition.edges:
        StepEdge.objects.create(
            process=process, source=steps[source], target=steps[target], condition=condition
        )
    definitions, characteristics = {}, {}
    for step_name, items in definition.measurements.items():
        definitions[step_name], characteristics[step_name] = {}, {}
        for sequence, item in enumerate(items, start=1):
            fields = (
                {"kind": MeasurementKindChoices.ATTRIBUTE}
                if item.is_attribute
                else {
                    "unit": item.unit,
                    "nominal": item.nominal,
                    "lower_tolerance": -item.tolerance,
                    "upper_tolerance": item.tolerance,
                    "decimals": item.decimals,
                }
            )
            definitions[step_name][item.code] = MeasurementDefinition.objects.create(
                step=steps[step_name],
                name=item.name,
                code=item.code,
                classification=item.classification,
                sequence=sequence * 10,
                **fields,
            )
            characteristics[step_name][item.code] = item
    error_types = {
        code: ErrorType.objects.create(
            part_type=part_type, code=code, name=name, description=description, classification=classification
        )
        for code, name, description, classification in definition.error_types
    }
    actions.ReleaseProcess(process, planner).execute()
    process.refresh_from_db()
    return BuiltLine(part_type, process, steps, definitions, characteristics, error_types)


class Simulator:
    """Runs parts through a built line as the demo people would, with measurements drawn from a
    seeded normal distribution (the same demo every time)."""

    def __init__(self, line, people, seed=2026):
        self.line = line
        self.people = people
        self.rng = random.Random(seed)

    def value(self, characteristic):
        return round(
            self.rng.gauss(characteristic.nominal + characteristic.offset, characteristic.sigma),
            characteristic.decimals,
        )

    def measure(self, part, step):
        values = {}
        for code, definition in self.line.definitions.get(step.name, {}).items():
            characteristic = self.line.characteristics[step.name][code]
            if characteristic.is_attribute:
                values[str(definition.pk)] = "pass" if self.rng.random() > 0.03 else "fail"
            else:
                values[str(definition.pk)] = self.value(characteristic)
        return services.record_at_station(part, self.people.operator, values, equipment=self.people.gauge)

    def run(self, part, steps_to_go, then_start=False, sign_off=True):
        """Take ``part`` through up to ``steps_to_go`` steps; stops early when it fails. With
        ``then_start`` the part is left in progress at its next step; without ``sign_off`` a part
        that needs QA is left awaiting it. Returns True when the part is still moving."""
        for _ in range(steps_to_go):
            if part.status not in PartStatusChoices.STARTABLE:
                return part.status != PartStatusChoices.QUARANTINED
            step = part.current_step
            decision = services.start_at_station(part, self.people.operator)
            if step.name in self.line.definitions and (decision is None or decision.must_inspect):
                report = self.measure(part, step)
                if report.status == "fail":
                    part.refresh_from_db()
                    return False
            services.complete_and_advance(part, self.people.operator)
            if part.status == PartStatusChoices.AWAITING_QA:
                if not sign_off:
                    return True
                actions.SignOffStep(part, self.people.inspector).execute()
                services.advance(part, self.people.inspector)
            if part.status == PartStatusChoices.COMPLETED:
                return True
        if then_start and part.status in PartStatusChoices.STARTABLE:
            services.start_at_station(part, self.people.operator)
        return True


@dataclass
class People:
    operator: object
    inspector: object
    qa: object
    board: object
    planner: object
    gauge: object = None


def demo_people():
    User = get_user_model()

    def of(role):
        return User.objects.filter(groups__name=role, is_active=True).order_by("pk").first()

    return People(
        operator=of("Production Operator"),
        inspector=of("QA Inspector"),
        qa=of("QA Manager"),
        board=of("Production Manager"),
        planner=of("Admin"),
    )


def sampling_rules(line):
    """Inspect bore: the first 5 parts, then every 3rd; after 2 defective parts in 10 inspected,
    every part for the next 20 parts."""
    step = line.steps["Inspect bore"]
    tight = SamplingRuleSet.objects.create(
        name="VB-100 bore: tightened (100%)", part_type=line.part_type, step=step, priority=900
    )
    SamplingRule.objects.create(rule_set=tight, kind=SamplingRuleKindChoices.ALL)
    normal = SamplingRuleSet.objects.create(
        name="VB-100 bore: first 5, then every 3rd",
        part_type=line.part_type,
        process=line.process,
        step=step,
        priority=10,
        fallback=tight,
        fallback_threshold=2,
        fallback_window=10,
        fallback_parts=20,
    )
    SamplingRule.objects.create(rule_set=normal, kind=SamplingRuleKindChoices.FIRST_N_THEN_EVERY_M, n=5, m=3)


def settle_ncrs(people, rng):
    """Move the demo NCRs into every state: left open, under review, rework carried out and closed,
    scrapped and closed, use as is waiting for the review board, and one cancelled. Returns the
    (NCR, part) pairs sent to rework, for the line to rework them."""
    sent_to_rework = []
    ncrs = list(NonConformance.objects.order_by("pk"))
    plan = ["open", "review", "rework", "scrap", "use_as_is", "rework", "cancel", "rework", "scrap", "open"]
    for index, ncr in enumerate(ncrs):
        target = plan[index % len(plan)]
        if target == "open":
            continue
        if target == "cancel":
            ncr_actions.CancelNonConformance(ncr, people.qa).execute(
                reason="Raised in error: gauge not zeroed"
            )
            if ncr.part_id:
                actions.ReleasePart(ncr.part, people.qa).execute(reason=f"{ncr.number} raised in error")
            continue
        ncr_actions.StartReview(ncr, people.qa).execute()
        if target == "review":
            continue
        if target == "use_as_is":
            ncr_actions.DecideDisposition(ncr, people.qa).execute(
                disposition="use_as_is",
                notes="Deviation within the functional limit agreed with design.",
                concession_reference="NWA-CON-0042",
            )
            continue
        disposition = "scrap" if target == "scrap" else "rework"
        step = ncr_actions.default_rework_step(ncr) if disposition == "rework" else None
        ncr_actions.DecideDisposition(ncr, people.qa).execute(
            disposition=disposition,
            rework_step=step,
            notes="Re-machine to nominal." if disposition == "rework" else "Beyond repair.",
        )
        ncr_actions.ImplementDisposition(ncr, people.qa).execute()
        ncr.refresh_from_db()
        if disposition == "rework":
            ncr.part.refresh_from_db()
            sent_to_rework.append((ncr, ncr.part))
        else:
            ncr_actions.CloseNonConformance(ncr, people.qa).execute(resolution="Scrapped and logged.")
    return sent_to_rework


def spread_over_time(rng, now=None):
    """The simulation ran in seconds; spread its times over the past weeks so that ageing, trends
    and charts look like a running line (audited updates, reason "demo data")."""
    now = now or timezone.now()
    parts = list(Part.objects.filter(status__in=PartStatusChoices.WIP))
    for part in parts:
        part.step_entered_at = now - datetime.timedelta(minutes=rng.randint(5, 72 * 60))
    Part.objects.bulk_update(parts, ["step_entered_at"])
    reports = list(QualityReport.objects.order_by("pk"))
    span = datetime.timedelta(days=20).total_seconds()
    for index, report in enumerate(reports):
        report.inspected_at = now - datetime.timedelta(seconds=span * (1 - index / max(len(reports), 1)))
    QualityReport.objects.bulk_update(reports, ["inspected_at"])
    times = {report.pk: report.inspected_at for report in reports}
    results = list(MeasurementResult.objects.all())
    for result in results:
        result.recorded_at = times[result.report_id]
    MeasurementResult.objects.bulk_update(results, ["recorded_at"])
    ncrs = list(NonConformance.objects.select_related("quality_report"))
    for ncr in ncrs:
        opened = (
            ncr.quality_report.inspected_at if ncr.quality_report_id else now - datetime.timedelta(days=30)
        )
        ncr.created = opened
        if ncr.closed_at is not None:
            ncr.closed_at = opened + datetime.timedelta(hours=rng.randint(4, 96))
    NonConformance.objects.bulk_update(ncrs, ["created", "closed_at"])


def seed(stdout=None):
    """Create the demo line once (idempotent: nothing happens when VB-100 exists)."""
    if PartType.objects.filter(part_number=VALVE.part_number).exists():
        return False
    people = demo_people()
    if people.operator is None or people.inspector is None:
        return False
    with transaction.atomic(), change_context(reason="demo data", user=people.planner):
        seed_review_board_template()
        centers = {
            code: WorkCenter.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in WORK_CENTERS
        }
        people.gauge = Equipment.objects.get_or_create(
            identifier="AG-0007",
            defaults={
                "name": "Air gauge 25 mm",
                "kind": "gauge",
                "location": "QC bench 1",
                "work_center": centers["QC"],
            },
        )[0]
        for identifier, name, kind, center in (
            ("MIC-0012", "Micrometer 0–25 mm", "micrometer", "QC"),
            ("CNC-1-01", "Lathe DMG CTX 310", "machine", "CNC-1"),
            ("CNC-2-01", "Machining centre DMU 50", "machine", "CNC-2"),
            ("GR-01", "Studer S33 grinder", "machine", "GRIND"),
        ):
            Equipment.objects.get_or_create(
                identifier=identifier, defaults={"name": name, "kind": kind, "work_center": centers[center]}
            )
        customer = Company.objects.filter(name="Northwind Automotive").first()
        valve = build_line(VALVE, people.planner, customer=customer, work_centers=centers)
        shaft = build_line(SHAFT, people.planner, work_centers=centers)
        sampling_rules(valve)
        order = CustomerOrder.objects.create(
            customer=customer or Company.objects.order_by("pk").first(),
            customer_reference="NWA-PO-88412",
            erp_id="SO-88412",
            due_date=timezone.localdate() + datetime.timedelta(days=10),
        )
        line = CustomerOrderLine.objects.create(
            order=order, line_number=1, part_type=valve.part_type, quantity=120
        )
        today = timezone.localdate()
        plans = [
            (
                valve,
                120,
                {
                    "order_line": line,
                    "erp_id": "ERP-WO-5501",
                    "due_date": today + datetime.timedelta(days=7),
                    "priority": "2",
                },
                0.7,
            ),
            (shaft, 90, {"erp_id": "ERP-WO-5502", "due_date": today + datetime.timedelta(days=3)}, 0.35),
            (
                valve,
                40,
                {"erp_id": "ERP-WO-5503", "due_date": today + datetime.timedelta(days=21), "priority": "4"},
                0.0,
            ),
        ]
        rng = random.Random(7)
        for built, quantity, fields, share in plans:
            work_order = services.create_work_order(built.part_type, built.process, quantity, **fields)
            actions.ReleaseWorkOrder(work_order, people.planner).execute()
            simulator = Simulator(built, people, seed=quantity)
            for index, part in enumerate(work_order.parts.order_by("serial_number")):
                if index < quantity * share:
                    simulator.run(part, 12, sign_off=index % 15 != 0)
                elif share and index < quantity * (share + 0.2):
                    simulator.run(part, rng.randint(1, 5), then_start=rng.random() < 0.5)
        for index, (ncr, part) in enumerate(settle_ncrs(people, rng)):
            if index == 0:
                continue  # left in rework: its NCR stays at "disposition done"
            built = valve if part.part_type_id == valve.part_type.pk else shaft
            Simulator(built, people, seed=part.pk).run(part, 12)
            ncr.refresh_from_db()
            if not ncr.rework_attempts.filter(outcome="pending").exists():
                ncr_actions.CloseNonConformance(ncr, people.qa).execute(
                    resolution="Reworked and re-inspected within tolerance."
                )
        if stdout is not None:
            stdout.write(
                f"Demo line: {PartType.objects.count()} part types, {NonConformance.objects.count()} NCRs."
            )
    return True
