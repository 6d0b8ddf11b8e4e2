"""EquipmentFilterSet through the generic filterset tests."""

from qualitas.equipment.filtersets import EquipmentFilterSet
from qualitas.production.tests.factories import make_equipment, make_work_center
from qualitas.testing.filtersets import FilterSetTests


class TestEquipmentFilterSet(FilterSetTests):
    filterset = EquipmentFilterSet

    def make_records(self):
        self.cell = make_work_center(code="CNC-2")
        return {
            "caliper": make_equipment(
                identifier="CAL-0042",
                name="Digital caliper",
                kind="caliper",
                location="QC lab",
                manufacturer="Mitutoyo",
                model_number="500-196",
                serial_number="A1234567",
                notes="Battery changed in March",
            ),
            "mill": make_equipment(
                identifier="MC-7",
                name="Five-axis mill",
                kind="machine",
                work_center=self.cell,
                status="in_maintenance",
            ),
        }

    def cases(self, records):
        return [
            ({"q": "battery"}, ["caliper"]),
            ({"q": "five-axis"}, ["mill"]),
            ({"identifier": "MC-7"}, ["mill"]),
            ({"name": "Digital caliper"}, ["caliper"]),
            ({"kind": ["caliper", "gauge"]}, ["caliper"]),
            ({"status": ["in_maintenance"]}, ["mill"]),
            ({"work_center": [self.cell.pk]}, ["mill"]),
            ({"location": "QC lab"}, ["caliper"]),
            ({"manufacturer": "Mitutoyo"}, ["caliper"]),
            ({"model_number": "500-196"}, ["caliper"]),
            ({"serial_number": "A1234567"}, ["caliper"]),
            ({"is_measuring": "true"}, ["caliper"]),
            ({"is_measuring": "false"}, ["mill"]),
        ]
