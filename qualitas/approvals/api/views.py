from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from qualitas.approvals import services
from qualitas.approvals.api.serializers import (
    ApprovalRequestSerializer,
    ApprovalTemplateSerializer,
    CancelSerializer,
    DelegationSerializer,
    InboxStepSerializer,
    RespondSerializer,
)
from qualitas.approvals.filtersets import (
    ApprovalRequestFilterSet,
    ApprovalTemplateFilterSet,
    DelegationFilterSet,
)
from qualitas.approvals.models import ApprovalRequest, ApprovalTemplate, Delegation, StepInstance
from qualitas.framework.api.viewsets import BaseRecordViewSet, RecordViewSet
from qualitas.framework.records import get_record_for_type


class ApprovalTemplateViewSet(RecordViewSet):
    """Approval templates with their steps (``steps`` is written as a whole, matched by order)."""

    queryset = ApprovalTemplate.objects.prefetch_related(
        "record_types", "steps__approver_roles", "steps__approver_users", "steps__escalate_to"
    )
    serializer_class = ApprovalTemplateSerializer
    filterset_class = ApprovalTemplateFilterSet
    ordering_fields = ("name", "code", "created")


class ApprovalRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseRecordViewSet):
    """Approval requests on the records you may see.

    ``POST /approval-requests/`` with ``record_type``, ``object_id``, ``template`` (its code) and
    ``note`` starts one (you must be allowed to change the record). ``POST .../<id>/respond/``
    approves or rejects its open step, signed; ``POST .../<id>/cancel/`` withdraws it. Requests
    are never edited or deleted.
    """

    queryset = services.with_history(ApprovalRequest.objects.all())
    serializer_class = ApprovalRequestSerializer
    filterset_class = ApprovalRequestFilterSet
    ordering_fields = ("number", "created", "completed_at", "status")
    http_method_names = ["get", "head", "options", "post"]
    restrict_action = {
        **BaseRecordViewSet.restrict_action,
        "create": "view",
        "respond": "view",
        "cancel": "view",
    }
    # Starting needs the right to change the record, answering needs a place on the step: the
    # services decide. Seeing requests needs approvals.view_approvalrequest.
    action_permissions = {
        **BaseRecordViewSet.action_permissions,
        "create": "view",
        "respond": "view",
        "cancel": "view",
    }

    def initial(self, request, *args, **kwargs):
        if request.method == "POST" and self.action not in ("create", "respond", "cancel"):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # 404 unless the user may see the record; the service checks that they may change it.
        record = get_record_for_type(request.user, data["content_type"], data["object_id"])
        approval = services.start_approval(
            record, data["template"], requested_by=request.user, note=data.get("note", "")
        )
        return Response(self.get_serializer(self._reloaded(approval)).data, status=201)

    @extend_schema(request=RespondSerializer, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """Approve or reject the open step, signed with your password (and e-mail and TOTP code
        when required). 400 with field errors for a wrong password; 403 when you are not an
        approver on the step."""
        approval = self.get_object()
        data = _validated(RespondSerializer, request)
        services.respond(approval, request.user, http_request=request, **data)
        return Response(self.get_serializer(self._reloaded(approval)).data)

    @extend_schema(request=CancelSerializer, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw the request (its requester, or someone with approvals.change_approvalrequest)."""
        approval = self.get_object()
        reason = _validated(CancelSerializer, request)["reason"]
        services.cancel_approval(approval, request.user, reason)
        return Response(self.get_serializer(self._reloaded(approval)).data)

    def _reloaded(self, approval):
        return services.load_requests([approval.pk]).get()


class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Needs my approval: the open steps you can answer now, as yourself or for an approver who
    delegated to you. Answer them with ``POST /approval-requests/<id>/respond/``."""

    serializer_class = InboxStepSerializer
    permission_classes = [IsAuthenticated]
    queryset = StepInstance.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return self.queryset
        return services.inbox(self.request.user).select_related("request__content_type")


class DelegationViewSet(RecordViewSet):
    """Delegations of approvals. Anyone who may delegate records their own (``delegator`` left
    out); ``approvals.change_delegation`` manages everyone's. ``POST .../<id>/withdraw/`` ends your
    own delegation (archive ends anyone's, with that permission)."""

    queryset = Delegation.objects.select_related("delegator", "delegate")
    serializer_class = DelegationSerializer
    filterset_class = DelegationFilterSet
    ordering_fields = ("starts", "ends", "created")
    restrict_action = {**RecordViewSet.restrict_action, "withdraw": "view"}
    action_permissions = {**RecordViewSet.action_permissions, "withdraw": "view"}

    def perform_create(self, serializer):
        # The service saves (and checks) in its own transaction.
        serializer.save()

    @extend_schema(request=CancelSerializer, responses=DelegationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        delegation = self.get_object()
        reason = _validated(CancelSerializer, request)["reason"]
        services.withdraw_delegation(delegation, request.user, reason)
        delegation.refresh_from_db()
        return Response(self.get_serializer(delegation).data)


def _validated(serializer_class, request):
    """The request's data checked by ``serializer_class`` (400 with field errors if wrong)."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data
