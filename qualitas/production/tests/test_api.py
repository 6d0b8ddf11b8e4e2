"""The production API through the generic API tests (qualitas/testing/api.py), and what is
particular to it: work orders made by the service, routings frozen once released, revisions, parts
that are never created here."""

from qualitas.production.choices import ProcessStatusChoices
from qualitas.production.models import (
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
from qualitas.production.tests.factories import (
    make_customer_order,
    make_order_line,
    make_part,
    make_part_type,
    make_process,
    make_released_process,
    make_transition,
    make_work_center,
    make_work_order,
    shared_process,
)
from qualitas.testing.api import (
    APITests,
    ArchiveObjectTests,
    ExportTests,
    GetObjectTests,
    ListObjectsTests,
    ReadOnlyAPITests,
    UpdateObjectTests,
    assert_error,
)
from qualitas.testing.factories import make_company
from qualitas.testing.records import WriteCheck


class TestWorkCenterAPI(APITests):
    model = WorkCenter
    create_data = {"code": "CNC-2", "name": "CNC cell 2", "description": "Two five-axis mills"}
    update_data = {"name": "CNC cell two", "description": "Three five-axis mills"}

    def make_object(self, company=None):
        return make_work_center()


class TestCustomerOrderAPI(APITests):
    model = CustomerOrder
    update_data = {"customer_reference": "PO-4712", "due_date": "2026-05-15"}

    def get_create_data(self):
        return {
            "customer": make_company(kind="customer").pk,
            "customer_reference": "PO-4711",
            "erp_id": "SO-100234",
            "order_date": "2026-03-02",
            "due_date": "2026-04-30",
            "notes": "Ship in two lots",
        }

    def make_object(self, company=None):
        return make_customer_order(customer=company)


class TestCustomerOrderLineAPI(APITests):
    model = CustomerOrderLine
    update_data = {"quantity": 12, "due_date": "2026-05-01"}

    def get_create_data(self):
        return {
            "order": make_customer_order().pk,
            "line_number": 1,
            "part_type": make_part_type().pk,
            "quantity": 10,
            "due_date": "2026-04-30",
        }

    def make_object(self, company=None):
        return make_order_line(customer=company)

    def test_the_order_of_a_line_is_fixed(self):
        line = make_order_line()
        other = make_customer_order()
        self.login("view", "change")
        response = self.client.patch(self.detail_url(line), {"order": other.pk}, format="json")
        assert response.status_code == 200
        line.refresh_from_db()
        assert line.order_id != other.pk


class TestPartTypeAPI(APITests):
    model = PartType
    create_data = {
        "part_number": "VB-100",
        "name": "Valve body",
        "revision": "A",
        "serial_prefix": "VB-",
        "serial_digits": 6,
        "max_rework_attempts": 2,
        "description": "Machined from 316L bar",
    }
    update_data = {"name": "Valve body, machined", "max_rework_attempts": 3}

    def make_object(self, company=None):
        return make_part_type(customer=company)

    def test_revise_makes_the_current_revision(self):
        part_type = make_part_type(revision="B")
        self.login("view", "add")
        response = self.client.post(self.url("revise", part_type.pk), {"revision": "C"}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["revision"] == "C" and body["version"] == 2 and body["is_current"] is True
        assert body["lineage"] == str(part_type.lineage)
        part_type.refresh_from_db()
        assert part_type.is_current is False

    def test_revise_refuses_a_revision_that_exists(self):
        part_type = make_part_type(revision="B")
        self.login("view", "add")
        check = WriteCheck(PartType)
        body = assert_error(
            self.client.post(self.url("revise", part_type.pk), {"revision": "B"}, format="json"), 400
        )
        assert "revision" in body["errors"]
        check.assert_nothing_written()

    def test_revise_needs_the_add_permission(self):
        part_type = make_part_type()
        self.login("view", "change")
        check = WriteCheck(PartType)
        assert_error(
            self.client.post(self.url("revise", part_type.pk), {"revision": "B"}, format="json"), 403
        )
        check.assert_nothing_written()


class TestProcessAPI(APITests):
    model = Process
    update_data = {"name": "Valve body, five-axis", "description": "One set-up"}

    def get_create_data(self):
        return {
            "name": "Valve body routing",
            "part_type": make_part_type().pk,
            "description": "Mill, inspect",
        }

    def make_object(self, company=None):
        return make_process(customer=company)

    def test_a_released_routing_cannot_be_changed(self):
        process = make_released_process()
        self.login("view", "change")
        check = WriteCheck(Process, process)
        body = assert_error(
            self.client.patch(self.detail_url(process), {"name": "Changed"}, format="json"), 400
        )
        assert "revise it" in str(body["errors"])
        check.assert_nothing_written()

    def test_revise_makes_a_draft_with_copies_of_the_steps(self):
        process = make_released_process()
        self.login("view", "add")
        response = self.client.post(self.url("revise", process.pk), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == ProcessStatusChoices.DRAFT and body["version"] == 2
        new = Process.objects.get(pk=body["id"])
        assert [step.name for step in new.steps.all()] == [step.name for step in process.steps.all()]
        assert new.edges.count() == process.edges.count()

    def test_revise_refuses_a_draft(self):
        process = make_process()
        self.login("view", "add")
        check = WriteCheck(Process)
        assert_error(self.client.post(self.url("revise", process.pk), format="json"), 400)
        check.assert_nothing_written()

    def test_revise_needs_the_add_permission(self):
        process = make_released_process()
        self.login("view", "change")
        check = WriteCheck(Process)
        assert_error(self.client.post(self.url("revise", process.pk), format="json"), 403)
        check.assert_nothing_written()

    def test_release_action(self):
        process = make_process()
        self.login("view", "change")
        response = self.client.post(self.url("run-action", process.pk, "release"), format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == ProcessStatusChoices.RELEASED
        assert response.json()["released_at"] is not None


class TestStepAPI(APITests):
    model = Step
    update_data = {"name": "Deburr edges", "requires_qa": True, "estimated_duration": "00:04:00"}

    def get_create_data(self):
        return {
            "process": make_process(steps=()).pk,
            "name": "Deburr",
            "kind": "operation",
            "sequence": 40,
            "requires_qa": True,
            "estimated_duration": "00:05:00",
            "instructions": "Break every edge 0.2 × 45°",
        }

    def make_object(self, company=None):
        return make_process(customer=company, steps=("Deburr",)).steps.get()

    def test_no_step_is_added_to_a_released_routing(self):
        process = make_released_process()
        data = {**self.get_create_data(), "process": process.pk}
        self.login("view", "add")
        check = WriteCheck(Step)
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert "revise it" in str(body["errors"]["process"])
        check.assert_nothing_written()

    def test_a_step_of_a_released_routing_cannot_be_changed(self):
        step = make_released_process().steps.first()
        self.login("view", "change")
        check = WriteCheck(Step, step)
        body = assert_error(self.client.patch(self.detail_url(step), {"name": "Changed"}, format="json"), 400)
        assert "process" in body["errors"]
        check.assert_nothing_written()


class TestStepEdgeAPI(APITests):
    model = StepEdge
    update_data = {"condition": "pass"}

    def get_create_data(self):
        process = make_process(steps=("Machine", "Inspect", "Pack"), edges=False)
        first, _second, last = process.steps.all()
        return {"process": process.pk, "source": first.pk, "target": last.pk, "condition": "always"}

    def make_object(self, company=None):
        return make_process(customer=company, steps=("Machine", "Inspect")).edges.get()

    def test_a_cycle_is_refused(self):
        process = make_process(steps=("Machine", "Inspect", "Pack"))
        first, _second, last = process.steps.all()
        self.login("view", "add")
        check = WriteCheck(StepEdge)
        data = {"process": process.pk, "source": last.pk, "target": first.pk}
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert "cycle" in str(body["errors"]["target"])
        check.assert_nothing_written()

    def test_no_edge_is_added_to_a_released_routing(self):
        process = make_released_process(steps=("Machine", "Inspect", "Pack"))
        first, _second, last = process.steps.all()
        self.login("view", "add")
        check = WriteCheck(StepEdge)
        data = {"process": process.pk, "source": first.pk, "target": last.pk}
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert "revise it" in str(body["errors"]["process"])
        check.assert_nothing_written()


class TestWorkOrderAPI(APITests):
    model = WorkOrder
    update_data = {"priority": "1", "due_date": "2026-06-01", "erp_id": "PRD-88", "notes": "Rush"}

    def get_create_data(self):
        process = shared_process()
        return {
            "part_type": process.part_type_id,
            "process": process.pk,
            "quantity": 3,
            "priority": "2",
            "due_date": "2026-06-30",
            "erp_id": "PRD-87",
            "notes": "First article on the first part",
        }

    def make_object(self, company=None):
        return make_work_order(customer=company)

    def test_create_generates_the_parts(self):
        self.login("view", "add")
        response = self.client.post(self.list_url(), self.get_create_data(), format="json")
        assert response.status_code == 201, response.json()
        work_order = WorkOrder.objects.get(pk=response.json()["id"])
        parts = list(work_order.parts.all())
        assert len(parts) == 3
        start = work_order.process.start_step()
        assert {part.current_step_id for part in parts} == {start.pk}
        assert {part.status for part in parts} == {"pending"}

    def test_a_draft_routing_is_refused(self):
        process = make_process()
        data = {**self.get_create_data(), "part_type": process.part_type_id, "process": process.pk}
        self.login("view", "add")
        check = WriteCheck(WorkOrder)
        parts = Part.objects.count()
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert "only released routings" in str(body["errors"]["process"])
        check.assert_nothing_written()
        assert Part.objects.count() == parts

    def test_a_routing_of_another_part_type_is_refused(self):
        data = {**self.get_create_data(), "part_type": make_part_type().pk}
        self.login("view", "add")
        check = WriteCheck(WorkOrder)
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert "is a routing of" in str(body["errors"]["process"])
        check.assert_nothing_written()

    def test_quantity_and_routing_are_fixed_after_creation(self):
        work_order = make_work_order(quantity=2)
        other = make_released_process()
        self.login("view", "change")
        response = self.client.patch(
            self.detail_url(work_order), {"quantity": 50, "process": other.pk, "notes": "x"}, format="json"
        )
        assert response.status_code == 200
        work_order.refresh_from_db()
        assert work_order.quantity == 2 and work_order.process_id != other.pk and work_order.notes == "x"
        assert work_order.parts.count() == 2


class TestPartAPI(GetObjectTests, ListObjectsTests, UpdateObjectTests, ArchiveObjectTests, ExportTests):
    """Parts are read and move through their actions; they are made by their work order."""

    model = Part
    update_data = {"erp_id": "ERP-SN-0001"}

    def make_object(self, company=None):
        return make_part(customer=company)

    def test_parts_are_not_created_here(self):
        work_order = make_work_order()
        self.login("view", "add", "change")
        check = WriteCheck(Part)
        data = {"serial_number": "X-1", "work_order": work_order.pk, "part_type": work_order.part_type_id}
        assert_error(self.client.post(self.list_url(), data, format="json"), 405)
        check.assert_nothing_written()

    def test_only_the_erp_id_is_written(self):
        part = make_part()
        self.login("view", "change")
        response = self.client.patch(
            self.detail_url(part),
            {"serial_number": "CHANGED", "status": "completed", "erp_id": "E-1"},
            format="json",
        )
        assert response.status_code == 200
        part.refresh_from_db()
        assert part.serial_number != "CHANGED" and part.status == "pending" and part.erp_id == "E-1"

    def test_actions_are_reachable(self):
        part = make_part()
        self.login("view", "change")
        response = self.client.post(
            self.url("run-action", part.pk, "quarantine"), {"reason": "Dropped on the floor"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "quarantined"
        assert part.transitions.get().kind == "quarantined"


class TestStepTransitionAPI(ReadOnlyAPITests):
    model = StepTransition

    def make_object(self, company=None):
        return make_transition(customer=company)

    def test_writes_are_not_allowed(self):
        # The step log has only a view permission (there is no add, change or delete to hold):
        # not even a superuser writes it through the API.
        obj = self.make_object()
        self.login(is_superuser=True)
        for method, url in (
            ("post", self.list_url()),
            ("put", self.detail_url(obj)),
            ("patch", self.detail_url(obj)),
            ("delete", self.detail_url(obj)),
        ):
            check = WriteCheck(self.model, obj)
            assert_error(getattr(self.client, method)(url, {}, format="json"), 405)
            check.assert_nothing_written()

    def test_customers_do_not_read_the_step_log(self):
        company = make_company(kind="customer")
        make_transition(customer=company)
        self.login_customer(company, "view")
        response = self.client.get(self.list_url())
        assert response.status_code == 200 and response.json()["count"] == 0
