"""The equipment API through the generic API tests, and its state machine's endpoint."""

from qualitas.equipment.models import Equipment
from qualitas.production.tests.factories import make_equipment
from qualitas.testing.api import APITests, assert_error
from qualitas.testing.records import WriteCheck


class TestEquipmentAPI(APITests):
    model = Equipment
    create_data = {
        "identifier": "CAL-0042",
        "name": "Digital caliper 150 mm",
        "kind": "caliper",
        "location": "QC lab",
        "manufacturer": "Mitutoyo",
        "model_number": "500-196",
        "serial_number": "A1234567",
    }
    update_data = {"location": "Cell 3", "notes": "Battery changed"}

    def make_object(self, company=None):
        return make_equipment()

    def test_the_status_changes_through_actions_only(self):
        equipment = make_equipment()
        self.login("view", "change")
        response = self.client.patch(self.detail_url(equipment), {"status": "retired"}, format="json")
        assert response.status_code == 200
        equipment.refresh_from_db()
        assert equipment.status == "in_service"
        response = self.client.post(
            self.url("run-action", equipment.pk, "take-out-of-service"),
            {"reason": "Jaws worn"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "out_of_service"

    def test_an_action_needs_its_reason(self):
        equipment = make_equipment()
        self.login("view", "change")
        check = WriteCheck(Equipment, equipment)
        assert_error(self.client.post(self.url("run-action", equipment.pk, "retire"), {}, format="json"), 409)
        check.assert_nothing_written()
