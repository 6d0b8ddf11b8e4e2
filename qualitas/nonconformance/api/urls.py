from qualitas.framework.api.router import router
from qualitas.nonconformance.api.views import NonConformanceViewSet, ReworkAttemptViewSet

router.register("non-conformances", NonConformanceViewSet)
router.register("rework-attempts", ReworkAttemptViewSet)
