from qualitas.core.api.views import (
    AccessLogViewSet,
    AuditVerificationViewSet,
    DomainEventViewSet,
    ObjectChangeViewSet,
)
from qualitas.framework.api.router import router

router.register("audit/changes", ObjectChangeViewSet)
router.register("audit/events", DomainEventViewSet)
router.register("audit/access", AccessLogViewSet)
router.register("audit/verify", AuditVerificationViewSet, basename="audit-verify")
