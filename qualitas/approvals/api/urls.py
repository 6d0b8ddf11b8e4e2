from qualitas.approvals.api.views import (
    ApprovalRequestViewSet,
    ApprovalTemplateViewSet,
    DelegationViewSet,
    InboxViewSet,
)
from qualitas.framework.api.router import router

router.register("approval-templates", ApprovalTemplateViewSet)
router.register("approval-requests", ApprovalRequestViewSet)
router.register("delegations", DelegationViewSet)
router.register("approvals/inbox", InboxViewSet, basename="approval-inbox")
