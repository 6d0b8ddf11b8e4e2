from qualitas.equipment.api.serializers import EquipmentSerializer
from qualitas.equipment.filtersets import EquipmentFilterSet
from qualitas.equipment.models import Equipment
from qualitas.framework.api.viewsets import RecordViewSet


class EquipmentViewSet(RecordViewSet):
    """The equipment register; its status changes through ``POST /equipment/<id>/actions/<name>/``."""

    queryset = Equipment.objects.all()
    serializer_class = EquipmentSerializer
    filterset_class = EquipmentFilterSet
    ordering_fields = ("identifier", "name", "kind", "status", "created")
