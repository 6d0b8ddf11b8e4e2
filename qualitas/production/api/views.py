from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from qualitas.framework.api.viewsets import ReadOnlyRecordViewSet, RecordViewSet
from qualitas.production import services
from qualitas.production.api.serializers import (
    CustomerOrderLineSerializer,
    CustomerOrderSerializer,
    PartSerializer,
    PartTypeRevisionSerializer,
    PartTypeSerializer,
    ProcessSerializer,
    StepEdgeSerializer,
    StepSerializer,
    StepTransitionSerializer,
    WorkCenterSerializer,
    WorkOrderSerializer,
    as_drf_error,
)
from qualitas.production.filtersets import (
    CustomerOrderFilterSet,
    CustomerOrderLineFilterSet,
    PartFilterSet,
    PartTypeFilterSet,
    ProcessFilterSet,
    StepEdgeFilterSet,
    StepFilterSet,
    StepTransitionFilterSet,
    WorkCenterFilterSet,
    WorkOrderFilterSet,
)
from qualitas.production.models import (
    CustomerOrder,
    CustomerOrderLine,
    Part,
    PartType,
    Process,
    Step,
    StepEdge,
    StepTransition,
    WorkCenter,
    WorkOrder,
)


class ReviseMixin:
    """``POST <records>/<id>/revise/``: the record's next version, made by ``make_revision()`` (201)."""

    restrict_action = {**RecordViewSet.restrict_action, "revise": "view"}
    action_permissions = {**RecordViewSet.action_permissions, "revise": "add"}

    def make_revision(self, request, obj):
        raise NotImplementedError

    def _revise(self, request):
        obj = self.get_object()
        try:
            new = self.make_revision(request, obj)
        except DjangoValidationError as error:
            raise as_drf_error(error)
        serializer = self.get_serializer(new)
        return Response(serializer.data, status=status.HTTP_201_CREATED)


class WorkCenterViewSet(RecordViewSet):
    queryset = WorkCenter.objects.all()
    serializer_class = WorkCenterSerializer
    filterset_class = WorkCenterFilterSet
    ordering_fields = ("code", "name", "created")


class CustomerOrderViewSet(RecordViewSet):
    queryset = CustomerOrder.objects.select_related("customer")
    serializer_class = CustomerOrderSerializer
    filterset_class = CustomerOrderFilterSet
    ordering_fields = ("number", "order_date", "due_date", "status", "created")


class CustomerOrderLineViewSet(RecordViewSet):
    queryset = CustomerOrderLine.objects.select_related("order", "part_type")
    serializer_class = CustomerOrderLineSerializer
    filterset_class = CustomerOrderLineFilterSet
    ordering_fields = ("order", "line_number", "due_date", "quantity", "created")


class PartTypeViewSet(ReviseMixin, RecordViewSet):
    queryset = PartType.objects.all()
    serializer_class = PartTypeSerializer
    filterset_class = PartTypeFilterSet
    ordering_fields = ("part_number", "name", "revision", "version", "created")

    def make_revision(self, request, obj):
        data = PartTypeRevisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return services.revise_part_type(obj, data.validated_data["revision"])

    @extend_schema(request=PartTypeRevisionSerializer, responses={201: PartTypeSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new design revision (``revision`` is its label), made current at once."""
        return self._revise(request)


class ProcessViewSet(ReviseMixin, RecordViewSet):
    queryset = Process.objects.all()
    serializer_class = ProcessSerializer
    filterset_class = ProcessFilterSet
    ordering_fields = ("number", "version", "name", "status", "released_at", "created")

    def make_revision(self, request, obj):
        return services.revise_process(obj, request.user)

    @extend_schema(request=None, responses={201: ProcessSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """A new draft version of a released or obsolete routing, with copies of its steps and
        edges. 400 when the routing is a draft or a draft version exists already."""
        return self._revise(request)


class StepViewSet(RecordViewSet):
    queryset = Step.objects.all()
    serializer_class = StepSerializer
    filterset_class = StepFilterSet
    ordering_fields = ("process", "sequence", "name", "kind", "created")


class StepEdgeViewSet(RecordViewSet):
    queryset = StepEdge.objects.select_related("source", "target")
    serializer_class = StepEdgeSerializer
    filterset_class = StepEdgeFilterSet
    ordering_fields = ("process", "condition", "created")


class WorkOrderViewSet(RecordViewSet):
    """``POST`` makes the work order and its serialized parts (``services.create_work_order``)."""

    queryset = WorkOrder.objects.all()
    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilterSet
    ordering_fields = ("number", "priority", "due_date", "status", "created")


class PartViewSet(RecordViewSet):
    """Parts are read, their ERP id is written, and they move through
    ``POST /parts/<id>/actions/<name>/``; they are made by their work order, never here."""

    queryset = Part.objects.all()
    can_create = False
    serializer_class = PartSerializer
    filterset_class = PartFilterSet
    ordering_fields = ("serial_number", "status", "step_entered_at", "created")


class StepTransitionViewSet(ReadOnlyRecordViewSet):
    """The step log, newest first: written by the part actions only."""

    queryset = StepTransition.objects.select_related("part")
    serializer_class = StepTransitionSerializer
    filterset_class = StepTransitionFilterSet
    ordering_fields = ("time", "id", "kind")
