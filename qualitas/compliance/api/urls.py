from qualitas.compliance.api.views import ClauseViewSet, StandardViewSet
from qualitas.framework.api.router import router

router.register("standards", StandardViewSet)
router.register("clauses", ClauseViewSet)
