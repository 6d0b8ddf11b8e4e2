from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from qualitas.core import services
from qualitas.core.api.serializers import (
    AccessLogSerializer,
    DomainEventSerializer,
    ObjectChangeSerializer,
    VerificationSerializer,
)
from qualitas.core.filtersets import AccessLogFilterSet, DomainEventFilterSet, ObjectChangeFilterSet
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.framework.api.viewsets import ReadOnlyRecordViewSet

LOG_ORDERING = ("time", "id", "user_name", "object_repr")


class ObjectChangeViewSet(ReadOnlyRecordViewSet):
    queryset = ObjectChange.objects.select_related("content_type", "link")
    serializer_class = ObjectChangeSerializer
    filterset_class = ObjectChangeFilterSet
    ordering_fields = (*LOG_ORDERING, "action")


class DomainEventViewSet(ReadOnlyRecordViewSet):
    queryset = DomainEvent.objects.select_related("content_type")
    serializer_class = DomainEventSerializer
    filterset_class = DomainEventFilterSet
    ordering_fields = (*LOG_ORDERING, "name")


class AccessLogViewSet(ReadOnlyRecordViewSet):
    queryset = AccessLog.objects.select_related("content_type")
    serializer_class = AccessLogSerializer
    filterset_class = AccessLogFilterSet
    ordering_fields = (*LOG_ORDERING, "kind")


class CanViewAuditTrail(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("core.view_objectchange"))


class AuditVerificationViewSet(viewsets.ViewSet):
    """Verify the audit trail now: every entry's hash and the whole chain."""

    permission_classes = (CanViewAuditTrail,)

    @extend_schema(responses=VerificationSerializer, operation_id="audit_verify")
    def list(self, request):
        result, _event = services.verify_trail(source="api")
        return Response(result.as_dict())
