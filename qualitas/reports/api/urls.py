from qualitas.framework.api.router import router
from qualitas.reports.api.views import InspectionPackViewSet

router.register("inspection-packs", InspectionPackViewSet, basename="inspection-pack")
