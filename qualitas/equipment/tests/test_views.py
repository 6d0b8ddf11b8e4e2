"""The equipment pages through the generic view tests, and an action page."""

from qualitas.equipment.models import Equipment
from qualitas.production.tests.factories import make_equipment, make_work_center
from qualitas.testing.views import ModelViewTests


class TestEquipmentViews(ModelViewTests):
    model = Equipment
    update_form_data = {"location": "Cell 3", "notes": "Battery changed"}

    def get_form_data(self):
        return {
            "identifier": "CAL-0042",
            "name": "Digital caliper 150 mm",
            "kind": "caliper",
            "work_center": str(make_work_center().pk),
            "location": "QC lab",
            "manufacturer": "Mitutoyo",
            "model_number": "500-196",
            "serial_number": "A1234567",
        }

    def make_object(self, company=None):
        return make_equipment()

    def test_the_form_has_no_status(self):
        self.login("view", "add")
        assert "status" not in self.client.get(self.url("add")).context["form"].fields

    def test_send_to_calibration(self):
        equipment = make_equipment()
        self.login("view", "change")
        url = f"{equipment.get_absolute_url()}actions/send-to-calibration/"
        assert self.client.get(url).status_code == 200
        response = self.client.post(url)
        assert response.status_code == 302
        equipment.refresh_from_db()
        assert equipment.status == "in_calibration" and not equipment.is_usable
