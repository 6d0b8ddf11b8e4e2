from qualitas.core.api.views import (
    AccessLogViewSet,
    AttachmentViewSet,
    AuditVerificationViewSet,
    CommentViewSet,
    DomainEventViewSet,
    JobViewSet,
    ObjectChangeViewSet,
)
from qualitas.framework.api.router import router

router.register("audit/changes", ObjectChangeViewSet)
router.register("audit/events", DomainEventViewSet)
router.register("audit/access", AccessLogViewSet)
router.register("audit/verify", AuditVerificationViewSet, basename="audit-verify")
router.register("jobs", JobViewSet)
router.register("attachments", AttachmentViewSet)
router.register("comments", CommentViewSet)
