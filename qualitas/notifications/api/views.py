from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from qualitas.framework.api.serializers import ReasonSerializer
from qualitas.framework.api.viewsets import ReadOnlyRecordViewSet
from qualitas.notifications import services
from qualitas.notifications.api.serializers import (
    DeliverySerializer,
    NotificationSerializer,
    PreferenceSerializer,
)
from qualitas.notifications.filtersets import DeliveryFilterSet, NotificationFilterSet
from qualitas.notifications.models import Delivery, Notification

COUNT = inline_serializer("NotificationCount", {"unread": serializers.IntegerField()})
MARKED = inline_serializer("NotificationsMarked", {"marked": serializers.IntegerField()})


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your own notifications, newest first (``?unread=true`` for the unread ones). Nobody reads
    another person's notifications here, whatever their role."""

    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = NotificationFilterSet
    ordering_fields = ("created", "id")

    def get_queryset(self):
        return (
            Notification.objects.filter(recipient=self.request.user)
            .select_related("content_type")
            .order_by("-created", "-id")
        )

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark it read."""
        notification = self.get_object()
        services.mark_read(request.user, [notification])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def unread(self, request, pk=None):
        """Mark it unread again."""
        notification = self.get_object()
        services.mark_unread(request.user, [notification])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=MARKED, filters=False)
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        """Mark all your notifications read."""
        return Response({"marked": services.mark_read(request.user)})

    @extend_schema(responses=COUNT, filters=False)
    @action(detail=False, methods=["get"], url_path="unread-count", url_name="unread-count")
    def unread_count(self, request):
        return Response({"unread": services.unread_count(request.user)})


class PreferenceViewSet(viewsets.ViewSet):
    """Your e-mail preference per notification kind: ``GET`` lists every kind with your mode,
    ``PATCH /notification-preferences/<kind>/`` with ``{"mode": "daily"}`` changes one
    (``immediate``, ``daily``, ``weekly`` or ``off``; ``off`` is refused for mandatory kinds)."""

    permission_classes = [IsAuthenticated]
    lookup_field = "kind"
    lookup_value_regex = r"[^/]+"
    serializer_class = PreferenceSerializer

    def _preference(self, kind):
        for preference in services.preferences_for(self.request.user):
            if preference.kind.code == kind:
                return preference
        raise NotFound(f"No notification kind {kind!r}.")

    @extend_schema(responses=PreferenceSerializer(many=True))
    def list(self, request):
        return Response([PreferenceSerializer.represent(p) for p in services.preferences_for(request.user)])

    @extend_schema(
        responses=PreferenceSerializer, parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH)]
    )
    def retrieve(self, request, kind=None):
        return Response(PreferenceSerializer.represent(self._preference(kind)))

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def update(self, request, kind=None):
        self._preference(kind)
        data = PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.set_preferences(request.user, {kind: data.validated_data["mode"]})
        except DjangoValidationError as error:
            raise ValidationError({"mode": error.message_dict.get(kind, error.messages)})
        return Response(PreferenceSerializer.represent(self._preference(kind)))

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def partial_update(self, request, kind=None):
        return self.update(request, kind=kind)


class DeliveryViewSet(ReadOnlyRecordViewSet):
    """The e-mail outbox (administrators and auditors): every delivery and its state. An
    administrator cancels one (``POST .../actions/cancel/`` with a reason) or retries it
    (``.../actions/retry/``); both are audited."""

    queryset = Delivery.objects.select_related("recipient")
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    ordering_fields = ("created", "next_attempt_at", "attempts", "status", "sent_at")
    http_method_names = ["get", "head", "options", "post"]
    restrict_action = {**ReadOnlyRecordViewSet.restrict_action, "run_action": "view"}
    action_permissions = {**ReadOnlyRecordViewSet.action_permissions, "run_action": "view"}

    @extend_schema(
        request=ReasonSerializer, parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)]
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[\w-]+)")
    def run_action(self, request, pk=None, name=None):
        obj = self.get_object()
        action_class = Delivery.state_machine.get_action(name)
        if action_class is None:
            raise NotFound(f"No action {name!r} on e-mail deliveries.")
        data = request.data if hasattr(request.data, "get") else {}
        reason = data.get("reason", "")
        if not isinstance(reason, str):
            raise ValidationError({"reason": ["Send the reason as text."]})
        action_class(obj, request.user, request=request).execute(reason=reason)
        return Response(self.get_serializer(obj).data)
