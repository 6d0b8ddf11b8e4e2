import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from qualitas.compliance import services
from qualitas.compliance.api.serializers import (
    ClauseSerializer,
    CoverageSerializer,
    EvidenceSerializer,
    StandardSerializer,
)
from qualitas.compliance.filtersets import ClauseFilterSet, StandardFilterSet
from qualitas.compliance.models import Clause, Standard
from qualitas.framework.api.viewsets import ReadOnlyRecordViewSet


def _as_datetime(value):
    """Dates as the start of the day, so that every ``latest`` in the API is a date-time."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))
    return value


class LookupByFieldMixin:
    """Detail URLs accept the id or the stable text key (``iso9001`` / ``iso9001:7.1.5``)."""

    lookup_text_field = None

    def get_object(self):
        queryset = self.get_queryset()
        value = self.kwargs["pk"]
        lookup = {"pk": value} if value.isdigit() and len(value) < 19 else {self.lookup_text_field: value}
        obj = get_object_or_404(queryset, **lookup)
        self.check_object_permissions(self.request, obj)
        return obj


class StandardViewSet(LookupByFieldMixin, ReadOnlyRecordViewSet):
    """The supported standards. ``/standards/<id or code>/coverage/`` gives the clause tree with
    the evidence status of each clause, counted over the records you may see."""

    queryset = Standard.objects.select_related("base")
    serializer_class = StandardSerializer
    filterset_class = StandardFilterSet
    ordering_fields = ("name", "code", "edition")
    lookup_text_field = "code"
    action_permissions = {**ReadOnlyRecordViewSet.action_permissions, "coverage": "view"}

    @extend_schema(responses=CoverageSerializer, filters=False)
    @action(detail=True, methods=["get"])
    def coverage(self, request, pk=None):
        standard = self.get_object()
        coverage = services.standard_coverage(standard, request.user)
        data = {
            "standard": standard.code,
            "covered": coverage.covered,
            "total": coverage.total,
            "percent": coverage.percent,
            "clauses": [
                {
                    "key": node.clause.key,
                    "number": node.clause.number,
                    "title": node.clause.title,
                    "level": node.clause.level,
                    "is_heading": node.clause.is_heading,
                    "status": node.status,
                    "record_types": len(node.record_types),
                    "count": node.count,
                    "latest": _as_datetime(node.latest),
                    "covered": node.covered,
                    "total": node.total,
                }
                for node in coverage.nodes
            ],
        }
        return Response(CoverageSerializer(data).data)


class ClauseViewSet(LookupByFieldMixin, ReadOnlyRecordViewSet):
    """The clauses of every standard. Filter by ``standard`` (code), ``parent`` (id or key),
    ``has_evidence``, ``within`` (a clause number and its sub-clauses) and more.
    ``/clauses/<id or key>/evidence/`` lists the record types giving evidence for the clause."""

    queryset = Clause.objects.select_related("standard", "parent", "base_clause")
    serializer_class = ClauseSerializer
    filterset_class = ClauseFilterSet
    ordering_fields = ("sort_key", "number", "key", "level", "title")
    lookup_text_field = "key"
    # Keys contain dots and colons: iso9001:7.1.5.
    lookup_value_regex = r"[^/]+"
    action_permissions = {**ReadOnlyRecordViewSet.action_permissions, "evidence": "view"}

    @extend_schema(responses=EvidenceSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        clause = self.get_object()
        rows = services.clause_evidence(clause, request.user)
        data = [
            {
                "record_type": row.source.label,
                "name": row.source.name,
                "count": row.count,
                "latest": _as_datetime(row.latest),
                "declared_on": row.via,
                "tagged": row.tagged,
                "permitted": row.permitted,
                "list_url": request.build_absolute_uri(row.list_url) if row.list_url else "",
                "records": [
                    {
                        "id": str(record.pk),
                        "display": str(record),
                        "url": request.build_absolute_uri(record.get_absolute_url())
                        if record.get_absolute_url()
                        else "",
                        "date": _as_datetime(date),
                    }
                    for record, date in row.records
                ],
            }
            for row in rows
        ]
        return Response(EvidenceSerializer(data, many=True).data)
