from qualitas.equipment.api.views import EquipmentViewSet
from qualitas.framework.api.router import router

router.register("equipment", EquipmentViewSet)
