"""The production pages through the generic view tests (qualitas/testing/views.py), and what is
particular to them: work orders made by the service, frozen routings and their revision, the part
and work order detail panels, the list defaults."""

import datetime

import pytest
from django.test import Client
from django.urls import NoReverseMatch
from django.utils import timezone

from qualitas.framework.ui.navigation import menu_for
from qualitas.production.choices import ProcessStatusChoices
from qualitas.production.forms import ProcessForm
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
from qualitas.production.services import revise_process
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
    shared_process,
)
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import WriteCheck, permission
from qualitas.testing.views import (
    ArchiveViewTests,
    DetailViewTests,
    EditViewTests,
    ExportViewTests,
    HistoryViewTests,
    ListViewTests,
    ModelViewTests,
    ReadOnlyPagesTests,
)


class TestWorkCenterViews(ModelViewTests):
    model = WorkCenter
    form_data = {"code": "CNC-2", "name": "CNC cell 2", "description": "Two five-axis mills"}
    update_form_data = {"name": "CNC cell two"}

    def make_object(self, company=None):
        return make_work_center()


class TestCustomerOrderViews(ModelViewTests):
    model = CustomerOrder
    update_form_data = {"customer_reference": "PO-4712", "due_date": "2026-05-15"}

    def get_form_data(self):
        return {
            "customer": str(make_company(kind="customer").pk),
            "customer_reference": "PO-4711",
            "erp_id": "SO-100234",
            "order_date": "2026-03-02",
            "due_date": "2026-04-30",
            "notes": "Ship in two lots",
        }

    def make_object(self, company=None):
        return make_customer_order(customer=company)


class TestCustomerOrderLineViews(ModelViewTests):
    model = CustomerOrderLine
    update_form_data = {"quantity": 12, "due_date": "2026-05-01"}

    def get_form_data(self):
        return {
            "order": str(make_customer_order().pk),
            "line_number": "1",
            "part_type": str(make_part_type().pk),
            "quantity": "10",
            "due_date": "2026-04-30",
        }

    def make_object(self, company=None):
        return make_order_line(customer=company)


class TestPartTypeViews(ModelViewTests):
    model = PartType
    form_data = {
        "part_number": "VB-100",
        "name": "Valve body",
        "revision": "A",
        "serial_prefix": "VB-",
        "serial_digits": 6,
        "max_rework_attempts": 2,
        "description": "Machined from 316L bar",
    }
    update_form_data = {"name": "Valve body, machined", "max_rework_attempts": 3}

    def make_object(self, company=None):
        return make_part_type(customer=company)

    def test_the_revision_is_not_edited(self):
        part_type = make_part_type(revision="B")
        self.login("view", "change")
        response = self.client.post(
            self.url("edit", part_type), self.edit_data(part_type, {"revision": "Z", "name": "Renamed"})
        )
        assert response.status_code == 302
        part_type.refresh_from_db()
        assert part_type.revision == "B" and part_type.name == "Renamed"

    def test_new_revision(self):
        part_type = make_part_type(revision="B")
        self.login("view", "add")
        url = f"{part_type.get_absolute_url()}revise/"
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, {"revision": "C"})
        new = PartType.objects.get(lineage=part_type.lineage, revision="C")
        assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
        assert new.is_current and new.version == 2
        part_type.refresh_from_db()
        assert not part_type.is_current

    def test_new_revision_that_exists_is_refused(self):
        part_type = make_part_type(revision="B")
        self.login("view", "add")
        check = WriteCheck(PartType)
        response = self.client.post(f"{part_type.get_absolute_url()}revise/", {"revision": "B"})
        self.assert_shows_error(response, "Revision B of")
        check.assert_nothing_written()

    def test_new_revision_needs_the_add_permission(self):
        part_type = make_part_type()
        self.login("view", "change")
        check = WriteCheck(PartType)
        url = f"{part_type.get_absolute_url()}revise/"
        assert self.client.get(url).status_code == 403
        assert self.client.post(url, {"revision": "B"}).status_code == 403
        check.assert_nothing_written()

    def test_the_list_shows_current_revisions_unless_asked(self):
        old = make_part_type(revision="A")
        self.login("view", "add")
        self.client.post(f"{old.get_absolute_url()}revise/", {"revision": "B"})
        new = PartType.objects.get(lineage=old.lineage, revision="B")
        self.login("view")
        assert self.shown(self.list()) == [new.pk]
        assert sorted(self.shown(self.list(is_current=""))) == sorted([old.pk, new.pk])
        assert self.shown(self.list(is_current="false")) == [old.pk]


class TestProcessViews(ModelViewTests):
    model = Process
    update_form_data = {"name": "Valve body, five-axis", "description": "One set-up"}

    def get_form_data(self):
        return {
            "name": "Valve body routing",
            "part_type": str(make_part_type().pk),
            "description": "Mill, inspect",
        }

    def make_object(self, company=None):
        return make_process(customer=company)

    def test_a_released_routing_cannot_be_edited(self):
        process = make_released_process()
        self.login("view", "change")
        check = WriteCheck(Process, process)
        response = self.client.post(self.url("edit", process), self.edit_data(process, {"name": "Changed"}))
        self.assert_shows_error(response, "is released: revise it to change it.")
        check.assert_nothing_written()

    def test_detail_shows_steps_edges_and_the_revise_button(self):
        process = make_released_process(steps=("Machine", "Inspect"))
        user = self.login("view", "add")
        user.user_permissions.add(*permissions("production.view_step", "production.view_stepedge"))
        html = self.client.get(self.url("detail", process)).content.decode()
        assert "Machine" in html and "Inspect" in html and "Edges" in html
        assert f'action="{process.get_absolute_url()}revise/"' in html
        assert "csrfmiddlewaretoken" in html

    def test_revise(self):
        process = make_released_process()
        self.login("view", "add")
        response = self.client.post(f"{process.get_absolute_url()}revise/")
        new = Process.objects.get(lineage=process.lineage, version=2)
        assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
        assert new.status == ProcessStatusChoices.DRAFT and new.steps.count() == process.steps.count()

    def test_revise_is_post_only(self):
        process = make_released_process()
        self.login("view", "add")
        check = WriteCheck(Process)
        assert self.client.get(f"{process.get_absolute_url()}revise/").status_code == 405
        check.assert_nothing_written()

    def test_revise_a_draft_shows_a_message(self):
        process = make_process()
        self.login("view", "add")
        check = WriteCheck(Process)
        response = self.client.post(f"{process.get_absolute_url()}revise/", follow=True)
        assert response.redirect_chain[-1][0] == process.get_absolute_url()
        assert "This routing is a draft: edit it directly." in response.content.decode()
        check.assert_nothing_written()

    def test_revise_needs_the_add_permission(self):
        process = make_released_process()
        self.login("view", "change")
        check = WriteCheck(Process)
        assert self.client.post(f"{process.get_absolute_url()}revise/").status_code == 403
        check.assert_nothing_written()

    def test_revise_needs_the_csrf_token(self):
        process = make_released_process()
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.login("view", "add"))
        check = WriteCheck(Process)
        assert client.post(f"{process.get_absolute_url()}revise/").status_code == 403
        check.assert_nothing_written()

    def test_the_list_hides_obsolete_versions_unless_asked(self):
        process = make_released_process()
        self.login("view", "add")
        self.client.post(f"{process.get_absolute_url()}revise/")
        draft = Process.objects.get(lineage=process.lineage, version=2)
        obsolete = make_released_process()
        obsolete.status = ProcessStatusChoices.OBSOLETE
        obsolete.save()
        self.login("view")
        assert sorted(self.shown(self.list())) == sorted([process.pk, draft.pk])
        assert obsolete.pk in self.shown(self.list(q=""))
        assert self.shown(self.list(is_current="true", status="released")) == [process.pk]


class TestStepViews(ModelViewTests):
    model = Step
    update_form_data = {"name": "Deburr edges", "requires_qa": True, "estimated_duration": "00:04:00"}

    def get_form_data(self):
        return {
            "process": str(make_process(steps=()).pk),
            "name": "Deburr",
            "kind": "operation",
            "sequence": "40",
            "work_center": str(make_work_center().pk),
            "requires_qa": "on",
            "estimated_duration": "00:05:00",
            "instructions": "Break every edge",
        }

    def make_object(self, company=None):
        return make_process(customer=company, steps=("Deburr",)).steps.get()

    def test_no_step_is_added_to_a_released_routing(self):
        data = {**self.get_form_data(), "process": str(make_released_process().pk)}
        self.login("view", "add")
        check = WriteCheck(Step)
        self.assert_shows_error(self.client.post(self.url("add"), data), "Select a valid choice")
        check.assert_nothing_written()

    def test_a_step_of_a_released_routing_cannot_be_edited(self):
        step = make_released_process().steps.first()
        self.login("view", "change")
        check = WriteCheck(Step, step)
        response = self.client.post(self.url("edit", step), self.edit_data(step, {"name": "Changed"}))
        self.assert_shows_error(response, "is released: revise it to change it.")
        check.assert_nothing_written()


class TestStepEdgeViews(ModelViewTests):
    model = StepEdge
    update_form_data = {"condition": "pass"}

    def get_form_data(self):
        first, _second, last = make_process(steps=("Machine", "Inspect", "Pack"), edges=False).steps.all()
        return {
            "process": str(first.process_id),
            "source": str(first.pk),
            "target": str(last.pk),
            "condition": "always",
        }

    def make_object(self, company=None):
        return make_process(customer=company, steps=("Machine", "Inspect")).edges.get()

    def test_a_cycle_is_refused(self):
        first, _second, last = make_process(steps=("Machine", "Inspect", "Pack")).steps.all()
        data = {
            "process": str(first.process_id),
            "source": str(last.pk),
            "target": str(first.pk),
            "condition": "always",
        }
        self.login("view", "add")
        check = WriteCheck(StepEdge)
        self.assert_shows_error(self.client.post(self.url("add"), data), "This edge would make a cycle")
        check.assert_nothing_written()

    def test_an_edge_of_a_released_routing_cannot_be_edited(self):
        edge = make_released_process(steps=("Machine", "Inspect")).edges.get()
        self.login("view", "change")
        check = WriteCheck(StepEdge, edge)
        response = self.client.post(self.url("edit", edge), self.edit_data(edge, {"condition": "pass"}))
        self.assert_shows_error(response, "is released: revise it to change it.")
        check.assert_nothing_written()


class TestWorkOrderViews(ModelViewTests):
    model = WorkOrder
    update_form_data = {"priority": "1", "erp_id": "PRD-88", "notes": "Rush"}

    def get_form_data(self):
        process = shared_process()
        return {
            "part_type": str(process.part_type_id),
            "process": str(process.pk),
            "quantity": "3",
            "priority": "2",
            "due_date": "2026-06-30",
            "erp_id": "PRD-87",
            "notes": "First article on the first part",
        }

    def make_object(self, company=None):
        return make_work_order(customer=company)

    def test_add_generates_the_parts(self):
        data = self.get_form_data()
        self.login("view", "add")
        response = self.client.post(self.url("add"), data)
        assert response.status_code == 302
        work_order = WorkOrder.objects.get(erp_id="PRD-87")
        assert work_order.parts.count() == 3

    def test_the_service_errors_are_shown_on_their_fields(self):
        other = make_part_type()
        data = {**self.get_form_data(), "part_type": str(other.pk)}
        self.login("view", "add")
        check = WriteCheck(WorkOrder)
        response = self.client.post(self.url("add"), data)
        self.assert_shows_error(response, f"not of {other.part_number}")
        assert "process" in response.context["form"].errors
        check.assert_nothing_written()

    def test_only_released_routings_are_offered(self):
        draft = make_process()
        released = shared_process()
        self.login("view", "add")
        choices = response_choices(self.client.get(self.url("add")), "process")
        assert released.pk in choices and draft.pk not in choices

    def test_quantity_and_routing_are_fixed_on_edit(self):
        work_order = make_work_order(quantity=2)
        self.login("view", "change")
        response = self.client.post(
            self.url("edit", work_order), self.edit_data(work_order, {"quantity": "9"})
        )
        assert response.status_code == 302
        work_order.refresh_from_db()
        assert work_order.quantity == 2 and work_order.parts.count() == 2

    def test_detail_shows_progress_and_parts(self):
        work_order = make_work_order(quantity=2, due_date=timezone.localdate() - datetime.timedelta(days=1))
        self.login("view")
        html = self.client.get(self.url("detail", work_order)).content.decode()
        assert "Progress" in html and "0% done" in html
        assert all(part.serial_number not in html for part in work_order.parts.all())  # no part permission

    def test_the_list_shows_when_a_work_order_is_at_risk(self):
        late = make_work_order(quantity=2, due_date=timezone.localdate() - datetime.timedelta(days=1))
        late.status = "in_progress"
        late.save()
        make_work_order()
        self.login("view")
        html = self.list().content.decode()
        assert html.count(">At risk</span>") == 1 and "past its due date" in html


def response_choices(response, name):
    return {int(value.value) for value, _label in response.context["form"].fields[name].choices if value}


class TestPartViews(
    ListViewTests, DetailViewTests, EditViewTests, ArchiveViewTests, HistoryViewTests, ExportViewTests
):
    """Parts come from their work order: no add page; only the ERP id is edited."""

    model = Part
    update_form_data = {"erp_id": "ERP-SN-0001"}
    invalid_form_data = {"erp_id": "x" * 101}
    invalid_form_error = "Ensure this value has at most 100 characters"

    def make_object(self, company=None):
        return make_part(customer=company)

    def test_no_add_page(self):
        with pytest.raises(NoReverseMatch):
            self.views.url("add")

    def test_detail_shows_the_step_log(self):
        part = make_part()
        equipment = make_equipment(name="Height gauge")
        make_transition(part=part, equipment=equipment, note="Set-up checked")
        user = self.login("view")
        user.user_permissions.add(*permissions("production.view_steptransition", "equipment.view_equipment"))
        html = self.client.get(self.url("detail", part)).content.decode()
        assert "Step log" in html and "Set-up checked" in html and "Height gauge" in html
        assert "Quality reports" in html


def permissions(*names):
    return [permission(None, name) for name in names]


class TestStepTransitionViews(ListViewTests, DetailViewTests, ExportViewTests, ReadOnlyPagesTests):
    """The step log: read-only pages, never shown to customers, no history of its own."""

    model = StepTransition

    def make_object(self, company=None):
        return make_transition(customer=company)


class TestRevisionDrafts:
    """A revised routing's draft keeps its part type; its steps are edited as usual."""

    def test_the_part_type_of_a_revision_is_fixed(self, db):
        process = make_released_process()
        draft = revise_process(process)
        form = ProcessForm(instance=draft)
        assert form.fields["part_type"].disabled
        assert not ProcessForm(instance=make_process()).fields["part_type"].disabled


def test_the_production_menu(db):
    user = make_user(role="Production Manager")
    groups = {group.label: [item.label for item in group.items] for group in menu_for(user)}
    assert groups["Production"][:2] == ["Work orders", "Parts"]
    assert {"Customer orders", "Part types", "Routings", "Work centres"} <= set(groups["Production"])
    assert groups["Equipment"] == ["Equipment"]
    assert "Production" not in {group.label for group in menu_for(make_user())}
