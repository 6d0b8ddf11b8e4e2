from qualitas.framework.forms import RecordForm
from qualitas.production.forms import keep_current
from qualitas.production.models import WorkCenter

from .models import Equipment


class EquipmentForm(RecordForm):
    """The register entry. The status changes through the actions (put in service, calibration,
    maintenance, retire)."""

    class Meta:
        model = Equipment
        fields = (
            "identifier",
            "name",
            "kind",
            "work_center",
            "location",
            "manufacturer",
            "model_number",
            "serial_number",
            "notes",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        work_centers = WorkCenter.objects.filter(is_archived=False)
        self.fields["work_center"].queryset = keep_current(work_centers, self.instance, "work_center")
