"""The production FilterSets through the generic filterset tests (qualitas/testing/filtersets.py)."""

import datetime

from django.utils import timezone

from qualitas.production.choices import ProcessStatusChoices
from qualitas.production.filtersets import (
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
from qualitas.production.models import Step, StepEdge
from qualitas.production.services import revise_part_type, revise_process
from qualitas.production.tests.factories import (
    make_customer_order,
    make_equipment,
    make_order_line,
    make_part,
    make_part_type,
    make_process,
    make_released_process,
    make_transition,
    make_work_center,
    make_work_order,
)
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.filtersets import FilterSetTests

TODAY = timezone.localdate()
YESTERDAY = (TODAY - datetime.timedelta(days=1)).isoformat()
TOMORROW = (TODAY + datetime.timedelta(days=1)).isoformat()


def at(day, hour=12):
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour))
    )


class TestWorkCenterFilterSet(FilterSetTests):
    filterset = WorkCenterFilterSet

    def make_records(self):
        return {
            "cnc": make_work_center(code="CNC-2", name="CNC cell 2", description="Five-axis mills"),
            "qc": make_work_center(code="QC-1", name="Final inspection"),
        }

    def cases(self, records):
        return [
            ({"q": "five-axis"}, ["cnc"]),
            ({"q": "qc-"}, ["qc"]),
            ({"code": "CNC-2"}, ["cnc"]),
            ({"name": "Final inspection"}, ["qc"]),
            ({"code": "nothing"}, []),
        ]


class TestCustomerOrderFilterSet(FilterSetTests):
    filterset = CustomerOrderFilterSet

    def make_records(self):
        self.acme = make_company(name="Acme Valves", kind="customer")
        self.bolt = make_company(name="Bolt Pumps", kind="customer")
        return {
            "acme": make_customer_order(
                customer=self.acme,
                erp_id="SO-1",
                customer_reference="PO-4711",
                order_date=datetime.date(2026, 3, 2),
                due_date=datetime.date(2026, 4, 30),
                notes="Two lots",
            ),
            "bolt": make_customer_order(
                customer=self.bolt,
                erp_id="SO-2",
                customer_reference="PO-9",
                order_date=datetime.date(2026, 3, 20),
                due_date=datetime.date(2026, 6, 1),
                status="confirmed",
            ),
        }

    def cases(self, records):
        return [
            ({"q": "two lots"}, ["acme"]),
            ({"q": "bolt pumps"}, ["bolt"]),
            ({"q": records["bolt"].number}, ["bolt"]),
            ({"number": records["acme"].number}, ["acme"]),
            ({"customer": [self.acme.pk]}, ["acme"]),
            ({"customer": [self.acme.pk, self.bolt.pk]}, ["acme", "bolt"]),
            ({"erp_id": "SO-2"}, ["bolt"]),
            ({"customer_reference": "PO-4711"}, ["acme"]),
            ({"status": ["confirmed"]}, ["bolt"]),
            ({"status": ["draft", "confirmed"]}, ["acme", "bolt"]),
            ({"order_date_after": "2026-03-10"}, ["bolt"]),
            ({"order_date_before": "2026-03-02"}, ["acme"]),
            ({"due_after": "2026-05-01"}, ["bolt"]),
            ({"due_before": "2026-05-01"}, ["acme"]),
        ]


class TestCustomerOrderLineFilterSet(FilterSetTests):
    filterset = CustomerOrderLineFilterSet

    def make_records(self):
        self.acme = make_company(name="Acme Valves", kind="customer")
        self.order = make_customer_order(customer=self.acme, customer_reference="PO-4711")
        self.valve = make_part_type(part_number="VB-100")
        self.pump = make_part_type(part_number="PU-200")
        return {
            "valves": make_order_line(
                order=self.order, part_type=self.valve, quantity=10, due_date=datetime.date(2026, 4, 30)
            ),
            "pumps": make_order_line(
                order=self.order, part_type=self.pump, quantity=50, due_date=datetime.date(2026, 6, 1)
            ),
            "other": make_order_line(part_type=self.valve, quantity=1),
        }

    def cases(self, records):
        return [
            ({"q": "PO-4711"}, ["pumps", "valves"]),
            ({"q": "pu-200"}, ["pumps"]),
            ({"order": [self.order.pk]}, ["pumps", "valves"]),
            ({"order_number": self.order.number.lower()}, ["pumps", "valves"]),
            ({"customer": [self.acme.pk]}, ["pumps", "valves"]),
            ({"part_type": [self.valve.pk]}, ["other", "valves"]),
            ({"line_number": 2}, ["pumps"]),
            ({"quantity_min": 10}, ["pumps", "valves"]),
            ({"quantity_max": 10}, ["other", "valves"]),
            ({"due_after": "2026-05-01"}, ["pumps"]),
            ({"due_before": "2026-05-01"}, ["valves"]),
        ]


class TestPartTypeFilterSet(FilterSetTests):
    filterset = PartTypeFilterSet

    def make_records(self):
        self.acme = make_company(name="Acme Valves", kind="customer")
        valve_a = make_part_type(
            part_number="VB-100",
            name="Valve body",
            revision="A",
            serial_prefix="VB-",
            customer=self.acme,
            description="316L bar",
        )
        valve_b = revise_part_type(valve_a, "B")
        valve_a.refresh_from_db()
        return {
            "valve_a": valve_a,
            "valve_b": valve_b,
            "pump": make_part_type(
                part_number="PU-200",
                name="Pump housing",
                serial_prefix="PU-",
                serial_digits=8,
                max_rework_attempts=0,
            ),
        }

    def cases(self, records):
        return [
            ({"q": "316l"}, ["valve_a", "valve_b"]),
            ({"q": "pump"}, ["pump"]),
            ({"part_number": "VB-100"}, ["valve_a", "valve_b"]),
            ({"name": "Pump housing"}, ["pump"]),
            ({"revision": "B"}, ["valve_b"]),
            ({"serial_prefix": "PU-"}, ["pump"]),
            ({"serial_digits": 8}, ["pump"]),
            ({"customer": [self.acme.pk]}, ["valve_a", "valve_b"]),
            ({"max_rework_attempts": 0}, ["pump"]),
            ({"version": 2}, ["valve_b"]),
            ({"is_current": "true"}, ["pump", "valve_b"]),
            ({"is_current": "false"}, ["valve_a"]),
            ({"lineage": str(records["valve_a"].lineage)}, ["valve_a", "valve_b"]),
            ({"previous_version": [records["valve_a"].pk]}, ["valve_b"]),
        ]


class TestProcessFilterSet(FilterSetTests):
    filterset = ProcessFilterSet

    def make_records(self):
        self.acme = make_company(name="Acme Valves", kind="customer")
        self.valve = make_part_type(part_number="VB-100", name="Valve body", customer=self.acme)
        self.pump = make_part_type(part_number="PU-200", name="Pump housing")
        released = make_released_process(part_type=self.valve, name="Valve routing", description="Five-axis")
        draft = revise_process(released)
        released.refresh_from_db()
        return {
            "released": released,
            "draft": draft,
            "pump": make_process(part_type=self.pump, name="Pump routing"),
        }

    def cases(self, records):
        return [
            ({"q": "five-axis"}, ["draft", "released"]),
            ({"q": "pu-200"}, ["pump"]),
            ({"number": records["released"].number}, ["draft", "released"]),
            ({"name": "Pump routing"}, ["pump"]),
            ({"version": 2}, ["draft"]),
            ({"part_type": [self.pump.pk]}, ["pump"]),
            ({"customer": [self.acme.pk]}, ["draft", "released"]),
            ({"status": [ProcessStatusChoices.RELEASED]}, ["released"]),
            ({"status": [ProcessStatusChoices.DRAFT]}, ["draft", "pump"]),
            ({"is_current": "true"}, ["pump", "released"]),
            ({"is_current": "false"}, ["draft"]),
            ({"lineage": str(records["released"].lineage)}, ["draft", "released"]),
            ({"previous_version": [records["released"].pk]}, ["draft"]),
            ({"released_after": TODAY.isoformat()}, ["released"]),
            ({"released_before": YESTERDAY}, []),
        ]


class TestStepFilterSet(FilterSetTests):
    filterset = StepFilterSet

    def make_records(self):
        self.cell = make_work_center(code="CNC-2")
        self.process = make_process(steps=())
        self.other = make_process(steps=(), name="Pump routing")

        def step(process, name, **fields):
            return Step.objects.create(process=process, name=name, **fields)

        return {
            "mill": step(
                self.process,
                "Mill",
                sequence=10,
                work_center=self.cell,
                estimated_duration=datetime.timedelta(minutes=5),
                setup_duration=datetime.timedelta(hours=1),
                instructions="Clamp on the datum faces",
            ),
            "inspect": step(self.process, "Inspect", sequence=20, kind="inspection", requires_qa=True),
            "pack": step(self.other, "Pack", sequence=10),
        }

    def cases(self, records):
        return [
            ({"q": "datum"}, ["mill"]),
            ({"q": "pump routing"}, ["pack"]),
            ({"name": "Inspect"}, ["inspect"]),
            ({"process": [self.process.pk]}, ["inspect", "mill"]),
            ({"kind": ["inspection"]}, ["inspect"]),
            ({"kind": ["operation"]}, ["mill", "pack"]),
            ({"sequence": 10}, ["mill", "pack"]),
            ({"work_center": [self.cell.pk]}, ["mill"]),
            ({"requires_qa": "true"}, ["inspect"]),
            ({"has_run_time": "true"}, ["mill"]),
            ({"has_run_time": "false"}, ["inspect", "pack"]),
            ({"has_setup_time": "true"}, ["mill"]),
        ]


class TestStepEdgeFilterSet(FilterSetTests):
    filterset = StepEdgeFilterSet

    def make_records(self):
        self.process = make_process(steps=("Machine", "Decide", "Pack", "Rework"), edges=False)
        self.machine, self.decide, self.pack, self.rework = self.process.steps.all()
        self.decide.kind = "decision"
        self.decide.save()
        other = make_process(steps=("Cut", "Weld"), name="Frame routing")

        def edge(source, target, condition="always"):
            return StepEdge.objects.create(
                process=source.process, source=source, target=target, condition=condition
            )

        return {
            "machine_decide": edge(self.machine, self.decide),
            "decide_pack": edge(self.decide, self.pack, "pass"),
            "decide_rework": edge(self.decide, self.rework, "fail"),
            "cut_weld": other.edges.get(),
        }

    def cases(self, records):
        return [
            ({"q": "rework"}, ["decide_rework"]),
            ({"q": "weld"}, ["cut_weld"]),
            ({"process": [self.process.pk]}, ["decide_pack", "decide_rework", "machine_decide"]),
            ({"source": [self.decide.pk]}, ["decide_pack", "decide_rework"]),
            ({"target": [self.decide.pk]}, ["machine_decide"]),
            ({"condition": ["pass", "fail"]}, ["decide_pack", "decide_rework"]),
        ]


class TestWorkOrderFilterSet(FilterSetTests):
    filterset = WorkOrderFilterSet

    def make_records(self):
        self.acme = make_company(name="Acme Valves", kind="customer")
        self.valve_routing = make_released_process(part_type=make_part_type(part_number="VB-100"))
        self.pump_routing = make_released_process(part_type=make_part_type(part_number="PU-200"))
        self.line = make_order_line(customer=self.acme, part_type=self.valve_routing.part_type)
        late = make_work_order(
            process=self.valve_routing,
            quantity=5,
            order_line=self.line,
            priority="1",
            due_date=datetime.date(2026, 4, 30),
            erp_id="PRD-1",
            notes="Rush for the trade fair",
        )
        late.status = "in_progress"
        late.started_at = at("2026-03-02")
        late.save()
        done = make_work_order(
            process=self.pump_routing, quantity=2, due_date=datetime.date(2026, 6, 1), erp_id="PRD-2"
        )
        done.status = "completed"
        done.started_at = at("2026-03-20")
        done.completed_at = at("2026-03-25")
        done.save()
        return {
            "late": late,
            "done": done,
            "planned": make_work_order(process=self.pump_routing, quantity=50),
        }

    def cases(self, records):
        return [
            ({"q": "trade fair"}, ["late"]),
            ({"q": "pu-200"}, ["done", "planned"]),
            ({"number": records["late"].number}, ["late"]),
            ({"erp_id": "PRD-2"}, ["done"]),
            ({"part_type": [self.valve_routing.part_type_id]}, ["late"]),
            ({"process": [self.pump_routing.pk]}, ["done", "planned"]),
            ({"customer": [self.acme.pk]}, ["late"]),
            ({"order_line": [self.line.pk]}, ["late"]),
            ({"status": ["in_progress", "planned"]}, ["late", "planned"]),
            ({"priority": ["1"]}, ["late"]),
            ({"priority": ["3"]}, ["done", "planned"]),
            ({"quantity_min": 5}, ["late", "planned"]),
            ({"quantity_max": 5}, ["done", "late"]),
            ({"due_after": "2026-05-01"}, ["done"]),
            ({"due_before": "2026-05-01"}, ["late"]),
            ({"started_after": "2026-03-10"}, ["done"]),
            ({"started_before": "2026-03-10"}, ["late"]),
            ({"completed_after": "2026-03-25"}, ["done"]),
            ({"completed_before": "2026-03-24"}, []),
        ]


class TestPartFilterSet(FilterSetTests):
    filterset = PartFilterSet

    def make_records(self):
        first = make_work_order(quantity=2, erp_id="PRD-1")
        self.work_order = first
        one, two = first.parts.all()
        one.erp_id = "ERP-SN-1"
        one.step_entered_at = at("2026-03-02")
        one.save()
        two.status = "quarantined"
        two.save()
        self.start = one.current_step
        other = make_part(process=make_released_process(part_type=make_part_type(), steps=("Weld", "Pack")))
        return {"one": one, "two": two, "other": other}

    def cases(self, records):
        return [
            ({"q": records["one"].serial_number}, ["one"]),
            ({"q": self.work_order.number}, ["one", "two"]),
            ({"serial_number": records["two"].serial_number}, ["two"]),
            ({"erp_id": "ERP-SN-1"}, ["one"]),
            ({"work_order": [self.work_order.pk]}, ["one", "two"]),
            ({"work_order_number": self.work_order.number.lower()}, ["one", "two"]),
            ({"part_type": [records["other"].part_type_id]}, ["other"]),
            ({"current_step": [self.start.pk]}, ["one", "two"]),
            ({"step_name": "wel"}, ["other"]),
            ({"status": ["quarantined"]}, ["two"]),
            ({"step_entered_before": "2026-03-02"}, ["one"]),
            ({"step_entered_after": TODAY.isoformat()}, ["other", "two"]),
        ]


class TestStepTransitionFilterSet(FilterSetTests):
    filterset = StepTransitionFilterSet

    def make_records(self):
        self.part = make_part()
        self.other_part = make_part()
        self.operator = make_user(full_name="Olga Operator")
        self.gauge = make_equipment(name="Height gauge")
        start = self.part.current_step
        self.next_step = start.outgoing.get().target
        return {
            "started": make_transition(
                part=self.part, operator=self.operator, equipment=self.gauge, time=at("2026-03-02", 8)
            ),
            "completed": make_transition(
                part=self.part,
                kind="completed_step",
                status_before="in_progress",
                status_after="passed_step",
                outcome="pass",
                note="Bore within tolerance",
                time=at("2026-03-02", 9),
            ),
            "moved": make_transition(
                part=self.part,
                kind="moved",
                to_step=self.next_step,
                status_before="passed_step",
                status_after="pending",
                time=at("2026-03-03", 9),
            ),
            "elsewhere": make_transition(part=self.other_part, time=at("2026-03-05")),
        }

    def cases(self, records):
        return [
            ({"q": "tolerance"}, ["completed"]),
            ({"q": self.other_part.serial_number}, ["elsewhere"]),
            ({"part": [self.part.pk]}, ["completed", "moved", "started"]),
            ({"serial_number": self.other_part.serial_number.lower()}, ["elsewhere"]),
            ({"kind": ["moved", "completed_step"]}, ["completed", "moved"]),
            ({"from_step": [self.part.current_step_id]}, ["completed", "elsewhere", "moved", "started"]),
            ({"to_step": [self.next_step.pk]}, ["moved"]),
            ({"status_before": ["in_progress"]}, ["completed"]),
            ({"status_after": ["pending"]}, ["moved"]),
            ({"outcome": ["pass"]}, ["completed"]),
            ({"operator": self.operator.pk}, ["started"]),
            ({"equipment": [self.gauge.pk]}, ["started"]),
            ({"time_after": "2026-03-03"}, ["elsewhere", "moved"]),
            ({"time_before": "2026-03-02"}, ["completed", "started"]),
        ]
