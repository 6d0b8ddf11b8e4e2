from qualitas.framework.api.viewsets import ReadOnlyRecordViewSet, RecordViewSet
from qualitas.nonconformance.api.serializers import NonConformanceSerializer, ReworkAttemptSerializer
from qualitas.nonconformance.filtersets import NonConformanceFilterSet, ReworkAttemptFilterSet
from qualitas.nonconformance.models import NonConformance, ReworkAttempt


class NonConformanceViewSet(RecordViewSet):
    """NCRs: raised by hand here, and by failed quality reports. The workflow is the actions
    ``review``, ``decide`` (disposition, rework step, notes, concession), ``implement``, ``close``
    (resolution), ``cancel`` and ``escalate`` (with a reason)."""

    queryset = NonConformance.objects.all()
    serializer_class = NonConformanceSerializer
    filterset_class = NonConformanceFilterSet
    ordering_fields = ("number", "created", "severity", "status", "closed_at")


class ReworkAttemptViewSet(ReadOnlyRecordViewSet):
    """Rework attempts, made when an NCR's rework is carried out."""

    queryset = ReworkAttempt.objects.select_related("part", "step")
    serializer_class = ReworkAttemptSerializer
    filterset_class = ReworkAttemptFilterSet
    ordering_fields = ("started_at", "attempt", "created")
