import django_filters

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import Company, User
from qualitas.framework.filtersets import ModelChoiceFilter, ModelMultipleChoiceFilter, RecordFilterSet
from qualitas.inspections.filtersets import by_id, date_range, visible
from qualitas.inspections.models import QualityReport
from qualitas.production.models import Part, PartType, Step, WorkOrder

from .choices import (
    DispositionChoices,
    NonConformanceSourceChoices,
    NonConformanceStatusChoices,
    ReworkOutcomeChoices,
    SeverityChoices,
)
from .models import NonConformance, ReworkAttempt


def companies(kind):
    def queryset(request):
        return visible(Company)(request).filter(kind=kind)

    return queryset


class NonConformanceFilterSet(RecordFilterSet):
    search_fields = ("number", "title", "description", "part__serial_number")
    status = django_filters.MultipleChoiceFilter(choices=NonConformanceStatusChoices.choices())
    source = django_filters.MultipleChoiceFilter(choices=NonConformanceSourceChoices.choices())
    severity = django_filters.MultipleChoiceFilter(choices=SeverityChoices.choices())
    disposition = django_filters.MultipleChoiceFilter(choices=DispositionChoices.choices())
    assignee = ModelChoiceFilter(queryset=User.objects.all())
    part_type = ModelMultipleChoiceFilter(queryset=visible(PartType))
    work_order = ModelMultipleChoiceFilter(queryset=visible(WorkOrder))
    supplier = ModelMultipleChoiceFilter(queryset=companies(CompanyKindChoices.SUPPLIER))
    customer = ModelMultipleChoiceFilter(queryset=companies(CompanyKindChoices.CUSTOMER))
    part = by_id(Part, "Part (id)")
    serial_number = django_filters.CharFilter(
        field_name="part__serial_number", lookup_expr="iexact", label="Serial number"
    )
    quality_report = by_id(QualityReport, "Quality report (id)")
    step = by_id(Step, "Found at step (id)")
    rework_step = by_id(Step, "Rework step (id)")
    disposition_decided_by = ModelChoiceFilter(queryset=User.objects.all(), label="Disposition decided by")
    decided_after, decided_before = date_range("disposition_decided_at", "Disposition decided")
    closed_after, closed_before = date_range("closed_at", "Closed")

    class Meta:
        model = NonConformance
        fields = ("number", "title", "quantity", "is_escalated", "concession_reference")


class ReworkAttemptFilterSet(RecordFilterSet):
    search_fields = ("part__serial_number", "nonconformance__number", "nonconformance__title", "step__name")
    part = by_id(Part, "Part (id)")
    serial_number = django_filters.CharFilter(
        field_name="part__serial_number", lookup_expr="iexact", label="Serial number"
    )
    step = by_id(Step, "Step (id)")
    nonconformance = by_id(NonConformance, "NCR (id)")
    outcome = django_filters.MultipleChoiceFilter(choices=ReworkOutcomeChoices.choices())
    started_after, started_before = date_range("started_at", "Started")
    finished_after, finished_before = date_range("finished_at", "Finished")

    class Meta:
        model = ReworkAttempt
        fields = ("attempt",)
