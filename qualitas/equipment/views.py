"""The equipment register's pages."""

from qualitas.framework.ui.panels import FieldsPanel, RelatedPanel, TextPanel
from qualitas.framework.views.generic import ModelViews

from .filtersets import EquipmentFilterSet
from .forms import EquipmentForm
from .models import Equipment
from .tables import EquipmentTable


class EquipmentViews(ModelViews):
    model = Equipment
    table = EquipmentTable
    filterset = EquipmentFilterSet
    form = EquipmentForm
    panels = (
        FieldsPanel(
            "Equipment",
            (
                "identifier",
                "name",
                "kind",
                "status",
                "work_center",
                "location",
                "manufacturer",
                "model_number",
                "serial_number",
            ),
        ),
        TextPanel("Notes", "notes"),
        RelatedPanel("Used at steps", "usages", columns=("time", "part", "kind", "to_step", "operator")),
        RelatedPanel(
            "Quality reports", "quality_reports", columns=("number", "part", "step", "inspected_at")
        ),
    )
