from qualitas.equipment.models import Equipment
from qualitas.framework.api.serializers import RecordSerializer


class EquipmentSerializer(RecordSerializer):
    class Meta:
        model = Equipment
        fields = (
            *RecordSerializer.record_fields,
            "identifier",
            "name",
            "kind",
            "status",
            "work_center",
            "location",
            "manufacturer",
            "model_number",
            "serial_number",
            "notes",
            *RecordSerializer.archive_fields,
        )
