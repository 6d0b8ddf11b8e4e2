from qualitas.framework.api.router import router
from qualitas.production.api.views import (
    CustomerOrderLineViewSet,
    CustomerOrderViewSet,
    PartTypeViewSet,
    PartViewSet,
    ProcessViewSet,
    StepEdgeViewSet,
    StepTransitionViewSet,
    StepViewSet,
    WorkCenterViewSet,
    WorkOrderViewSet,
)

router.register("work-centers", WorkCenterViewSet)
router.register("customer-orders", CustomerOrderViewSet)
router.register("customer-order-lines", CustomerOrderLineViewSet)
router.register("part-types", PartTypeViewSet)
router.register("processes", ProcessViewSet)
router.register("steps", StepViewSet)
router.register("step-edges", StepEdgeViewSet)
router.register("work-orders", WorkOrderViewSet)
router.register("parts", PartViewSet)
router.register("step-transitions", StepTransitionViewSet)
