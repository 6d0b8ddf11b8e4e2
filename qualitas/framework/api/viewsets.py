"""The base API viewset: scoped querysets, filters, ordering, export, archive, restore, actions."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from qualitas.core import access
from qualitas.framework.api.serializers import ReasonSerializer
from qualitas.framework.exports import FORMATS, export
from qualitas.framework.registry import get_entry, register_model


class RecordViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Records are never deleted through the API: they are archived with a reason."""

    model = None
    restrict_action = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "update": "change",
        "partial_update": "change",
        "archive": "change",
        "restore": "change",
        "export": "view",
        "run_action": "view",
    }

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.queryset is not None:
            cls.model = cls.queryset.model
            register_model(cls.model, serializer=cls.serializer_class, api_viewset=cls)

    @property
    def permission_action(self):
        return {"archive": "change", "restore": "change", "export": "view", "run_action": "view"}.get(
            self.action
        )

    def get_queryset(self):
        action_name = self.restrict_action.get(self.action, "view")
        return (
            self.queryset.model.objects.restrict(self.request.user, action_name).order_by(
                *(self.queryset.query.order_by or self.queryset.model._meta.ordering or ["pk"])
            )
            if self.queryset is not None
            else None
        )

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        if getattr(serializer.instance, "is_archived", False):
            raise ValidationError(
                {"non_field_errors": ["Archived records cannot be changed; restore it first."]}
            )
        with transaction.atomic():
            serializer.save()

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._archive_or_restore("archive")

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        return self._archive_or_restore("restore")

    def _archive_or_restore(self, operation):
        obj = self.get_object()
        if not hasattr(obj, operation):
            raise NotFound()
        data = ReasonSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        getattr(obj, operation)(data.validated_data["reason"])
        return Response(self.get_serializer(obj).data)

    @extend_schema(
        request=ReasonSerializer, parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)]
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<name>[\w-]+)")
    def run_action(self, request, pk=None, name=None):
        obj = self.get_object()
        machine = getattr(self.queryset.model, "state_machine", None)
        action_class = machine.get_action(name) if machine else None
        if action_class is None:
            raise NotFound(f"No action {name!r} on {self.queryset.model._meta.verbose_name}.")
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        params = (
            {k: v for k, v in request.data.items() if k != "reason"} if hasattr(request.data, "items") else {}
        )
        action_class(obj, request.user).execute(reason=reason, **params)
        return Response(self.get_serializer(obj).data)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=FORMATS, description="csv or xlsx")],
        responses={(200, "text/csv"): bytes},
    )
    @action(detail=False, methods=["get"], url_path="export", url_name="export")
    def export(self, request):
        entry = get_entry(self.queryset.model)
        if entry is None or entry.table is None:
            raise NotFound("This record type has no export.")
        fmt = request.query_params.get("format", "csv")
        if fmt not in FORMATS:
            raise ValidationError({"format": [f"Choose one of: {', '.join(FORMATS)}."]})
        queryset = self.filter_queryset(self.get_queryset())
        access.record_export(self.queryset.model, detail=request.query_params.urlencode()[:300])
        return export(entry.table(queryset, order=request.query_params.get("sort")), fmt)

    def get_object(self):
        queryset = self.filter_queryset_for_object(self.get_queryset())
        obj = get_object_or_404(queryset, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def filter_queryset_for_object(self, queryset):
        # Detail lookups ignore list filters (e.g. "active only") but keep scoping.
        return queryset
