from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from qualitas.equipment.models import Equipment
from qualitas.framework.api.viewsets import ReadOnlyRecordViewSet, RecordViewSet
from qualitas.inspections import services
from qualitas.inspections.api.serializers import (
    BulkRequestSerializer,
    BulkResponseSerializer,
    ErrorTypeSerializer,
    MeasurementDefinitionSerializer,
    MeasurementResultSerializer,
    QualityReportSerializer,
    ReportDefectSerializer,
    SamplingDecisionSerializer,
    SamplingRuleSerializer,
    SamplingRuleSetSerializer,
    SamplingStateSerializer,
)
from qualitas.inspections.filtersets import (
    ErrorTypeFilterSet,
    MeasurementDefinitionFilterSet,
    MeasurementResultFilterSet,
    QualityReportFilterSet,
    ReportDefectFilterSet,
    SamplingDecisionFilterSet,
    SamplingRuleFilterSet,
    SamplingRuleSetFilterSet,
    SamplingStateFilterSet,
)
from qualitas.inspections.models import (
    ErrorType,
    MeasurementDefinition,
    MeasurementResult,
    QualityReport,
    ReportDefect,
    SamplingDecision,
    SamplingRule,
    SamplingRuleSet,
    SamplingState,
)
from qualitas.nonconformance.models import NonConformance
from qualitas.production.models import Part, Step


class MeasurementDefinitionViewSet(RecordViewSet):
    queryset = MeasurementDefinition.objects.all()
    serializer_class = MeasurementDefinitionSerializer
    filterset_class = MeasurementDefinitionFilterSet
    ordering_fields = ("name", "code", "sequence", "kind", "classification", "created")


class ErrorTypeViewSet(RecordViewSet):
    queryset = ErrorType.objects.all()
    serializer_class = ErrorTypeSerializer
    filterset_class = ErrorTypeFilterSet
    ordering_fields = ("code", "name", "classification", "created")


class QualityReportViewSet(RecordViewSet):
    """Quality reports are read here, and their notes changed. They are recorded one at a time at
    the operator station and in batches through ``POST /quality-reports/bulk/``."""

    queryset = QualityReport.objects.all()
    can_create = False
    serializer_class = QualityReportSerializer
    filterset_class = QualityReportFilterSet
    ordering_fields = ("number", "inspected_at", "status", "created")

    @extend_schema(request=BulkRequestSerializer, responses={201: BulkResponseSerializer})
    @action(detail=False, methods=["post"], url_path="bulk", url_name="bulk")
    def bulk(self, request):
        """Record many quality reports at once (``inspections.services.record_reports``). Each
        report names its part by ``part`` (id) or ``serial_number``. Every report is checked
        before anything is written: when one is wrong, the answer is 400 with ``errors.reports``,
        one entry per report sent (``{}`` for the good ones), and nothing is recorded. A failed
        report opens an NCR and quarantines the part; its number is in the answer."""
        items, parse_errors = parse_bulk(request.data, request.user)
        try:
            reports = services.record_reports(items, request.user, request=request)
        except services.BulkValidationError as error:
            errors = [parsed or found for parsed, found in zip(parse_errors, error.item_errors, strict=True)]
            raise exceptions.ValidationError({"reports": errors})
        opened = dict(
            NonConformance.objects.filter(quality_report__in=reports)
            .order_by("pk")
            .values_list("quality_report_id", "number")
        )
        body = {
            "reports": [
                {
                    "id": report.pk,
                    "number": report.number,
                    "status": report.status,
                    "part": report.part_id,
                    "step": report.step_id,
                    "nonconformance": opened.get(report.pk),
                }
                for report in reports
            ]
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- Parsing the bulk body ----------------------------------------------------------------------


def _ids(values):
    found = set()
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool):
            found.add(value)
        elif isinstance(value, str) and value.strip().isdigit():
            found.add(int(value))
    return found


def _id(value):
    ids = _ids([value])
    return next(iter(ids)) if ids else None


def parse_bulk(data, user):
    """The body of ``POST /quality-reports/bulk/`` as ``record_reports`` takes it: one item per
    report with its part and step as records (read in one query each, through the user's scope),
    and the errors found while reading each item (``{}`` when there were none).

    An item with errors is passed on without its part, so that the service refuses the batch
    whatever else it finds; its errors here are the ones reported."""
    reports = data.get("reports") if hasattr(data, "get") else None
    if not isinstance(reports, list):
        raise exceptions.ValidationError({"reports": ["Send the reports as a list."]})
    if not reports:
        raise exceptions.ValidationError({"reports": ["Send at least one report."]})
    limit = settings.QUALITAS_INSPECTION_BULK_LIMIT
    if len(reports) > limit:
        raise exceptions.ValidationError(
            {"reports": [f"At most {limit} reports per request; {len(reports)} were sent."]}
        )
    entries = [entry if isinstance(entry, dict) else None for entry in reports]
    given = [entry for entry in entries if entry is not None]
    parts = Part.objects.restrict(user, "view").select_related("work_order", "part_type")
    by_id = {part.pk: part for part in parts.filter(pk__in=_ids(entry.get("part") for entry in given))}
    serials = {str(entry["serial_number"]).strip() for entry in given if entry.get("serial_number")}
    by_serial = (
        {part.serial_number: part for part in parts.filter(serial_number__in=serials)} if serials else {}
    )
    step_ids = _ids(entry.get("step") for entry in given)
    steps = {step.pk: step for step in Step.objects.restrict(user, "view").filter(pk__in=step_ids)}
    equipment_ids = _ids(entry.get("equipment") for entry in given)
    equipment = (
        {item.pk: item for item in Equipment.objects.filter(pk__in=equipment_ids)} if equipment_ids else {}
    )

    items, errors = [], []
    for entry in entries:
        if entry is None:
            items.append({"part": None, "step": None})
            errors.append({"non_field_errors": ["Send each report as an object."]})
            continue
        problems = {}
        part = _part(entry, by_id, by_serial, problems)
        step = steps.get(_id(entry.get("step")))
        if step is None:
            problems["step"] = [f"No step with id {entry.get('step')!r}."]
        inspected_at = _time(entry.get("inspected_at"), problems)
        for name in ("results", "defects"):
            value = entry.get(name)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(item, dict) for item in value)
            ):
                problems[name] = [f"Send the {name} as a list of objects."]
        notes = entry.get("notes")
        if notes is not None and not isinstance(notes, str):
            problems["notes"] = ["Send the notes as text."]
        raw_equipment = entry.get("equipment")
        errors.append(problems)
        items.append(
            {
                "part": None if problems else part,
                "step": None if problems else step,
                "equipment": equipment.get(_id(raw_equipment), raw_equipment),
                "notes": notes or "",
                "inspected_at": inspected_at,
                "results": entry.get("results") or [],
                "defects": entry.get("defects") or [],
            }
        )
    return items, errors


def _part(entry, by_id, by_serial, problems):
    if entry.get("part") not in (None, ""):
        part = by_id.get(_id(entry["part"]))
        if part is None:
            problems["part"] = [f"No part with id {entry['part']!r}."]
        return part
    if entry.get("serial_number"):
        part = by_serial.get(str(entry["serial_number"]).strip())
        if part is None:
            problems["serial_number"] = [f"No part with serial number {entry['serial_number']!r}."]
        return part
    problems["part"] = ["Name the part: its id (part) or its serial number (serial_number)."]
    return None


def _time(value, problems):
    if value in (None, ""):
        return None
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        problems["inspected_at"] = ["Give the time as ISO 8601, e.g. 2026-03-01T14:30:00+01:00."]
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# --- Read-only record types ---------------------------------------------------------------------


class MeasurementResultViewSet(ReadOnlyRecordViewSet):
    queryset = MeasurementResult.objects.select_related("definition")
    serializer_class = MeasurementResultSerializer
    filterset_class = MeasurementResultFilterSet
    ordering_fields = ("recorded_at", "value", "created")


class ReportDefectViewSet(ReadOnlyRecordViewSet):
    queryset = ReportDefect.objects.select_related("error_type")
    serializer_class = ReportDefectSerializer
    filterset_class = ReportDefectFilterSet
    ordering_fields = ("created", "quantity")


class SamplingRuleSetViewSet(RecordViewSet):
    queryset = SamplingRuleSet.objects.all()
    serializer_class = SamplingRuleSetSerializer
    filterset_class = SamplingRuleSetFilterSet
    ordering_fields = ("name", "priority", "created")


class SamplingRuleViewSet(RecordViewSet):
    queryset = SamplingRule.objects.all()
    serializer_class = SamplingRuleSerializer
    filterset_class = SamplingRuleFilterSet
    ordering_fields = ("sequence", "kind", "created")


class SamplingStateViewSet(ReadOnlyRecordViewSet):
    """The sampling engine's counters, written by the engine only."""

    queryset = SamplingState.objects.select_related("work_order", "step")
    serializer_class = SamplingStateSerializer
    filterset_class = SamplingStateFilterSet
    ordering_fields = ("created", "parts_seen", "inspections_done")


class SamplingDecisionViewSet(ReadOnlyRecordViewSet):
    """The sampling decision log, append-only."""

    queryset = SamplingDecision.objects.select_related("part", "step")
    serializer_class = SamplingDecisionSerializer
    filterset_class = SamplingDecisionFilterSet
    ordering_fields = ("decided_at", "id", "sequence")
