"""One FilterSet per production record type, for the list pages and the API alike.

Foreign keys with few rows (work centres, part types, routings, customers) are selects. Keys to
records that run into thousands (work orders, parts, steps, order lines) are filtered by id with
a hidden widget, so that links and API clients can use them without the list page rendering every
row as an option; people filter those by number or serial instead.
"""

import django_filters
from django import forms
from django.db.models import Q

from qualitas.accounts.models import Company, User
from qualitas.equipment.models import Equipment
from qualitas.framework.filtersets import ModelChoiceFilter, ModelMultipleChoiceFilter, RecordFilterSet

from .choices import (
    CustomerOrderStatusChoices,
    EdgeConditionChoices,
    PartStatusChoices,
    PriorityChoices,
    ProcessStatusChoices,
    StepKindChoices,
    StepOutcomeChoices,
    TransitionKindChoices,
    WorkOrderStatusChoices,
)
from .models import (
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

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def date_range(field_name, label):
    """``<field>_after`` and ``<field>_before`` filters on the date of ``field_name``, inclusive."""
    lookup = "date__" if field_name.endswith("_at") or field_name == "time" else ""
    return (
        django_filters.DateFilter(
            field_name=field_name, lookup_expr=f"{lookup}gte", label=f"{label} from", **DATE
        ),
        django_filters.DateFilter(
            field_name=field_name, lookup_expr=f"{lookup}lte", label=f"{label} to", **DATE
        ),
    )


def by_id(queryset, help_text):
    """A filter by id for links and the API; not shown as a select on the list page."""
    return ModelMultipleChoiceFilter(
        queryset=queryset, widget=forms.MultipleHiddenInput, label="", help_text=help_text
    )


def customers():
    return Company.objects.all()


class WorkCenterFilterSet(RecordFilterSet):
    search_fields = ("code", "name", "description")

    class Meta:
        model = WorkCenter
        fields = ("code", "name")


class CustomerOrderFilterSet(RecordFilterSet):
    search_fields = ("number", "erp_id", "customer_reference", "customer__name", "notes")
    customer = ModelMultipleChoiceFilter(queryset=customers())
    status = django_filters.MultipleChoiceFilter(choices=CustomerOrderStatusChoices.choices())
    order_date_after, order_date_before = date_range("order_date", "Ordered")
    due_after, due_before = date_range("due_date", "Due")

    class Meta:
        model = CustomerOrder
        fields = ("number", "customer", "erp_id", "customer_reference", "status")


class CustomerOrderLineFilterSet(RecordFilterSet):
    search_fields = ("order__number", "order__customer_reference", "part_type__part_number")
    order = by_id(CustomerOrder.objects.all(), "Customer order ids.")
    order_number = django_filters.CharFilter(
        field_name="order__number", lookup_expr="iexact", label="Order number"
    )
    customer = ModelMultipleChoiceFilter(field_name="order__customer", queryset=customers())
    part_type = ModelMultipleChoiceFilter(queryset=PartType.objects.all())
    quantity_min = django_filters.NumberFilter(
        field_name="quantity", lookup_expr="gte", label="Quantity from"
    )
    quantity_max = django_filters.NumberFilter(field_name="quantity", lookup_expr="lte", label="Quantity to")
    due_after, due_before = date_range("due_date", "Due")

    class Meta:
        model = CustomerOrderLine
        fields = ("line_number",)


class VersionedRecordFilterSet(RecordFilterSet):
    """Adds the fields every versioned record has (``version`` itself goes in ``Meta.fields``)."""

    is_current = django_filters.BooleanFilter(label="Current version")
    lineage = django_filters.UUIDFilter(
        label="", widget=forms.HiddenInput, help_text="All versions of one record."
    )


class PartTypeFilterSet(VersionedRecordFilterSet):
    search_fields = ("part_number", "name", "serial_prefix", "description")
    customer = ModelMultipleChoiceFilter(queryset=customers())
    previous_version = by_id(PartType.objects.all(), "The versions made from these part types.")

    class Meta:
        model = PartType
        fields = (
            "part_number",
            "name",
            "revision",
            "serial_prefix",
            "serial_digits",
            "customer",
            "max_rework_attempts",
            "version",
        )


class ProcessFilterSet(VersionedRecordFilterSet):
    search_fields = ("number", "name", "description", "part_type__part_number", "part_type__name")
    part_type = ModelMultipleChoiceFilter(queryset=PartType.objects.all())
    customer = ModelMultipleChoiceFilter(field_name="part_type__customer", queryset=customers())
    status = django_filters.MultipleChoiceFilter(choices=ProcessStatusChoices.choices())
    released_after, released_before = date_range("released_at", "Released")
    previous_version = by_id(Process.objects.all(), "The versions made from these routings.")

    class Meta:
        model = Process
        fields = ("number", "name", "version")


class StepFilterSet(RecordFilterSet):
    search_fields = ("name", "instructions", "process__number", "process__name")
    process = ModelMultipleChoiceFilter(queryset=Process.objects.all())
    kind = django_filters.MultipleChoiceFilter(choices=StepKindChoices.choices())
    work_center = ModelMultipleChoiceFilter(queryset=WorkCenter.objects.all())
    has_run_time = django_filters.BooleanFilter(
        field_name="estimated_duration", lookup_expr="isnull", exclude=True, label="Has a run time"
    )
    has_setup_time = django_filters.BooleanFilter(
        field_name="setup_duration", lookup_expr="isnull", exclude=True, label="Has a set-up time"
    )

    class Meta:
        model = Step
        fields = ("name", "sequence", "requires_qa")


class StepEdgeFilterSet(RecordFilterSet):
    search_fields = ("source__name", "target__name", "process__number")
    process = ModelMultipleChoiceFilter(queryset=Process.objects.all())
    source = by_id(Step.objects.all(), "Edges leaving these steps.")
    target = by_id(Step.objects.all(), "Edges reaching these steps.")
    condition = django_filters.MultipleChoiceFilter(choices=EdgeConditionChoices.choices())

    class Meta:
        model = StepEdge
        fields = ()


class WorkOrderFilterSet(RecordFilterSet):
    search_fields = ("number", "erp_id", "part_type__part_number", "part_type__name", "notes")
    part_type = ModelMultipleChoiceFilter(queryset=PartType.objects.all())
    process = ModelMultipleChoiceFilter(queryset=Process.objects.all())
    customer = ModelMultipleChoiceFilter(field_name="order_line__order__customer", queryset=customers())
    order_line = by_id(CustomerOrderLine.objects.all(), "Work orders of these order lines.")
    status = django_filters.MultipleChoiceFilter(choices=WorkOrderStatusChoices.choices())
    priority = django_filters.MultipleChoiceFilter(choices=PriorityChoices.choices())
    quantity_min = django_filters.NumberFilter(
        field_name="quantity", lookup_expr="gte", label="Quantity from"
    )
    quantity_max = django_filters.NumberFilter(field_name="quantity", lookup_expr="lte", label="Quantity to")
    due_after, due_before = date_range("due_date", "Due")
    started_after, started_before = date_range("started_at", "Started")
    completed_after, completed_before = date_range("completed_at", "Completed")

    class Meta:
        model = WorkOrder
        fields = ("number", "erp_id")


class PartFilterSet(RecordFilterSet):
    search_fields = ("serial_number", "erp_id", "work_order__number")
    work_order = by_id(WorkOrder.objects.all(), "Parts of these work orders.")
    work_order_number = django_filters.CharFilter(
        field_name="work_order__number", lookup_expr="iexact", label="Work order number"
    )
    part_type = ModelMultipleChoiceFilter(queryset=PartType.objects.all())
    current_step = by_id(Step.objects.all(), "Parts at these steps.")
    step_name = django_filters.CharFilter(
        field_name="current_step__name", lookup_expr="icontains", label="Current step"
    )
    status = django_filters.MultipleChoiceFilter(choices=PartStatusChoices.choices())
    step_entered_after, step_entered_before = date_range("step_entered_at", "At the step since")

    class Meta:
        model = Part
        fields = ("serial_number", "erp_id")


class StepTransitionFilterSet(django_filters.FilterSet):
    """The step log is append-only: no archive or created-date filters, ``time`` instead."""

    q = django_filters.CharFilter(method="search", label="Search")
    part = by_id(Part.objects.all(), "The log of these parts.")
    serial_number = django_filters.CharFilter(
        field_name="part__serial_number", lookup_expr="iexact", label="Serial number"
    )
    kind = django_filters.MultipleChoiceFilter(choices=TransitionKindChoices.choices())
    from_step = by_id(Step.objects.all(), "Transitions leaving these steps.")
    to_step = by_id(Step.objects.all(), "Transitions reaching these steps.")
    status_before = django_filters.MultipleChoiceFilter(choices=PartStatusChoices.choices())
    status_after = django_filters.MultipleChoiceFilter(choices=PartStatusChoices.choices())
    outcome = django_filters.MultipleChoiceFilter(choices=StepOutcomeChoices.choices())
    operator = ModelChoiceFilter(queryset=User.objects.all())
    equipment = ModelMultipleChoiceFilter(queryset=Equipment.objects.all())
    time_after, time_before = date_range("time", "Time")

    class Meta:
        model = StepTransition
        # Every field has a filter above; ``note`` is searched by ``q``.
        fields = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(part__serial_number__icontains=value) | Q(note__icontains=value))
