from django.db.models import Count, prefetch_related_objects
from django.utils import timezone
from django.utils.html import format_html

from qualitas.framework.tables import BooleanColumn, ChoiceColumn, Column, Table
from qualitas.framework.ui.panels import EMPTY

from . import services
from .choices import PartStatusChoices
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


class WorkCenterTable(Table):
    code = Column(linkify=True)
    name = Column()
    created = Column()

    class Meta:
        model = WorkCenter
        default_order = ("code",)


class CustomerOrderTable(Table):
    number = Column(linkify=True)
    customer = Column(accessor="customer.name", verbose_name="Customer")
    customer_reference = Column(verbose_name="Customer PO")
    erp_id = Column()
    order_date = Column()
    due_date = Column()
    status = ChoiceColumn()

    class Meta:
        model = CustomerOrder
        default_order = ("-number",)


class CustomerOrderLineTable(Table):
    order = Column(accessor="order.number", verbose_name="Order", linkify=True)
    line_number = Column(verbose_name="Line")
    customer = Column(accessor="order.customer.name", verbose_name="Customer")
    part_type = Column(accessor="part_type.part_number", verbose_name="Part number")
    quantity = Column()
    due_date = Column()

    class Meta:
        model = CustomerOrderLine
        default_order = ("order", "line_number")


class PartTypeTable(Table):
    part_number = Column(linkify=True)
    revision = Column()
    name = Column()
    version = Column()
    is_current = BooleanColumn(verbose_name="Current")
    customer = Column(accessor="customer.name", verbose_name="Customer")
    serial_prefix = Column()

    class Meta:
        model = PartType
        default_order = ("part_number", "version")


class ProcessTable(Table):
    number = Column(linkify=True)
    version = Column()
    name = Column()
    part_type = Column(accessor="part_type.part_number", verbose_name="Part number")
    status = ChoiceColumn()
    is_current = BooleanColumn(verbose_name="Current")
    released_at = Column(verbose_name="Released")

    class Meta:
        model = Process
        default_order = ("number", "version")


class StepTable(Table):
    name = Column(linkify=True)
    process = Column(accessor="process", verbose_name="Routing")
    sequence = Column()
    kind = ChoiceColumn()
    work_center = Column(accessor="work_center.code", verbose_name="Work centre")
    requires_qa = BooleanColumn(verbose_name="QA sign-off")
    estimated_duration = Column(verbose_name="Run time")

    class Meta:
        model = Step
        default_order = ("process", "sequence", "pk")


class StepEdgeTable(Table):
    source = Column(accessor="source.name", verbose_name="From", linkify=True)
    target = Column(accessor="target.name", verbose_name="To")
    condition = ChoiceColumn()
    process = Column(accessor="process", verbose_name="Routing")

    class Meta:
        model = StepEdge
        default_order = ("process", "source__sequence", "target__sequence")


class AtRiskColumn(Column):
    """Whether an open work order's due date is at risk (``services.progress``), from the progress
    the table reads for the whole page at once (``WorkOrderTable.with_progress``)."""

    def __init__(self, **kwargs):
        super().__init__(orderable=False, **kwargs)

    def value(self, record):
        progress = getattr(record, "table_progress", None)
        if progress is None or progress.expected_percent is None:
            return None
        return progress.at_risk

    def render(self, record):
        value = self.value(record)
        if value is None:
            return EMPTY
        if value:
            reasons = "; ".join(record.table_progress.reasons)
            return format_html('<span class="badge text-bg-danger" title="{}">At risk</span>', reasons)
        return format_html('<span class="badge text-bg-success">On track</span>')


class WorkOrderTable(Table):
    number = Column(linkify=True)
    part_type = Column(accessor="part_type.part_number", verbose_name="Part number")
    process = Column(accessor="process", verbose_name="Routing")
    customer = Column(accessor="order_line.order.customer.name", verbose_name="Customer")
    quantity = Column()
    priority = ChoiceColumn()
    status = ChoiceColumn()
    due_date = Column()
    at_risk = AtRiskColumn(verbose_name="At risk")

    class Meta:
        model = WorkOrder
        default_order = ("-number",)

    @staticmethod
    def with_progress(work_orders):
        """Attach ``table_progress`` to each work order: two queries for any number of them (the
        parts counted by status, and the routing steps' run times)."""
        counts = {work_order.pk: dict.fromkeys(PartStatusChoices.values(), 0) for work_order in work_orders}
        rows = (
            Part.objects.filter(work_order__in=list(counts))
            .values("work_order", "status")
            .annotate(number=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[row["work_order"]][row["status"]] = row["number"]
        prefetch_related_objects(work_orders, "process__steps")
        now = timezone.now()
        for work_order in work_orders:
            work_order.table_progress = services.progress_from_counts(work_order, counts[work_order.pk], now)
        return work_orders

    def rows(self, records):
        return super().rows(self.with_progress(list(records)))

    def export_rows(self, chunk_size=2000):
        columns = self.export_columns()
        chunk = []
        for record in self.queryset.iterator(chunk_size=chunk_size):
            chunk.append(record)
            if len(chunk) == chunk_size:
                yield from ([column.export(row) for column in columns] for row in self.with_progress(chunk))
                chunk = []
        if chunk:
            yield from ([column.export(row) for column in columns] for row in self.with_progress(chunk))


class PartTable(Table):
    serial_number = Column(linkify=True)
    work_order = Column(accessor="work_order.number", verbose_name="Work order")
    part_type = Column(accessor="part_type.part_number", verbose_name="Part number")
    current_step = Column(accessor="current_step.name", verbose_name="Current step")
    status = ChoiceColumn()
    step_entered_at = Column(verbose_name="At the step since")

    class Meta:
        model = Part
        default_order = ("serial_number",)


class StepTransitionTable(Table):
    time = Column(linkify=True)
    part = Column(accessor="part.serial_number", verbose_name="Part")
    kind = ChoiceColumn()
    from_step = Column(accessor="from_step.name", verbose_name="From step")
    to_step = Column(accessor="to_step.name", verbose_name="To step")
    outcome = ChoiceColumn()
    operator = Column(accessor="operator.full_name", verbose_name="Operator")
    equipment = Column(accessor="equipment.identifier", verbose_name="Equipment")
    note = Column()

    class Meta:
        model = StepTransition
        default_order = ("-time", "-pk")
