"""The NCR API, through the generic API tests, and what it adds: an NCR raised by hand takes its
part's details and notifies; the disposition is set by the ``decide`` action only."""

from qualitas.inspections.tests import factories
from qualitas.nonconformance.choices import DispositionChoices, NonConformanceStatusChoices
from qualitas.nonconformance.models import NonConformance, ReworkAttempt
from qualitas.notifications.models import Notification
from qualitas.testing.api import APITests, ReadOnlyAPITests, assert_error
from qualitas.testing.factories import make_user
from qualitas.testing.records import WriteCheck, customer_company


class TestNonConformanceAPI(APITests):
    model = NonConformance
    create_data = {
        "title": "Burr on the flange",
        "source": "process",
        "severity": "minor",
        "description": "Found at deburring, 4 parts of the batch",
        "quantity": 4,
    }
    update_data = {"title": "Burr on the flange face", "severity": "critical", "quantity": 5}

    def make_object(self, company=None):
        return factories.make_ncr(company)

    def test_a_new_ncr_takes_its_parts_details_and_notifies(self):
        # Given a customer's part and a QA manager
        company = customer_company()
        part = factories.make_part(company)
        manager = make_user(role="QA Manager")
        self.login("view", "add")
        # When an NCR is raised on the part
        response = self.client.post(
            self.list_url(),
            {"title": "Dent on the housing", "source": "process", "part": part.pk},
            format="json",
        )
        # Then it names the part type, work order and customer of the part
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["part_type"], body["work_order"], body["customer"]) == (
            part.part_type_id,
            part.work_order_id,
            company.pk,
        )
        assert (body["status"], body["disposition"]) == ("open", "")
        # and the QA managers are told
        notification = Notification.objects.get(recipient=manager)
        assert notification.object_id == str(body["id"])
        assert notification.subject == f"{body['number']}: Dent on the housing"

    def test_the_assignee_is_told_instead(self):
        manager = make_user(role="QA Manager")
        engineer = make_user(role="QA Manager")
        self.login("view", "add")
        response = self.client.post(
            self.list_url(),
            {"title": "Wrong label", "source": "other", "assignee": engineer.pk},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert Notification.objects.filter(recipient=engineer).count() == 1
        assert not Notification.objects.filter(recipient=manager).exists()

    def test_the_part_and_work_order_must_agree(self):
        part = factories.make_part()
        other = factories.make_work_order()
        self.login("view", "add")
        check = WriteCheck(self.model)
        data = {"title": "Mixed up", "part": part.pk, "work_order": other.pk}
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert body["errors"] == {
            "work_order": [f"{part} belongs to work order {part.work_order}, not {other}."]
        }
        check.assert_nothing_written()

    def test_a_supplier_ncr_names_the_supplier(self):
        self.login("view", "add")
        check = WriteCheck(self.model)
        data = {"title": "Wrong material", "source": "supplier"}
        body = assert_error(self.client.post(self.list_url(), data, format="json"), 400)
        assert body["errors"] == {"supplier": ["Name the supplier of a supplier nonconformance."]}
        check.assert_nothing_written()

    def test_the_disposition_is_not_edited(self):
        ncr = self.make_object()
        self.login("view", "change")
        response = self.client.patch(
            self.detail_url(ncr),
            {"disposition": "scrap", "status": "closed", "resolution": "x"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        ncr.refresh_from_db()
        assert (ncr.disposition, ncr.status, ncr.resolution) == ("", "open", "")

    def test_the_decide_action_takes_the_disposition_form(self):
        # Given an NCR opened by a failed report, under review
        line = factories.shop()
        report = factories.make_report(diameter=25.2)
        ncr = report.nonconformances.get()
        user = self.login("view", "change")
        assert (
            self.client.post(self.url("run-action", ncr.pk, "review"), {}, format="json").status_code == 200
        )
        url = self.url("run-action", ncr.pk, "decide")
        # When the disposition comes without its notes, it is refused and nothing changes
        check = WriteCheck(self.model, ncr)
        body = assert_error(self.client.post(url, {"disposition": "rework"}, format="json"), 400)
        assert body["errors"] == {
            "notes": ["This field is required."],
            "rework_step": ["Choose the step where the part is reworked or repaired."],
        }
        check.assert_nothing_written()
        # When it is complete, it is recorded
        data = {"disposition": "rework", "rework_step": line.operation.pk, "notes": "Re-bore to size"}
        response = self.client.post(url, data, format="json")
        assert response.status_code == 200, response.json()
        ncr.refresh_from_db()
        assert ncr.status == NonConformanceStatusChoices.DISPOSITION_DECIDED
        assert (ncr.disposition, ncr.rework_step, ncr.disposition_notes) == (
            DispositionChoices.REWORK,
            line.operation,
            "Re-bore to size",
        )
        assert ncr.disposition_decided_by == user


class TestReworkAttemptAPI(ReadOnlyAPITests):
    model = ReworkAttempt

    def make_object(self, company=None):
        return factories.make_rework_attempt(company)
