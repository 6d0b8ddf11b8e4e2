"""MES-lite: customer orders, part types, routings as graphs of steps, work orders and serialized
parts with their step log.

A routing (``Process``) is a versioned, acyclic graph: ``Step`` nodes and ``StepEdge`` arrows.
Decision steps route on the inspection result (pass / fail edges); rework loops are explicit
rework steps, so the graph stays acyclic (``production.routing`` validates it). A part moves only
along an edge of its work order's routing, except when an NCR disposition sends it to a rework
step, which is recorded as such.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from qualitas.core.models import AppendOnlyModel
from qualitas.framework.models import (
    ChoiceSetField,
    NumberedModel,
    PrimaryModel,
    VersionedModel,
    VersionedNumberedModel,
)

from . import routing
from .actions import (
    CustomerOrderStateMachine,
    PartStateMachine,
    ProcessStateMachine,
    WorkOrderStateMachine,
)
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


class WorkCenter(PrimaryModel):
    """A machine group or cell where steps are carried out (e.g. "CNC-2", "Final inspection")."""

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    record_services = False  # shop-floor configuration, not a quality record

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CustomerOrder(NumberedModel, PrimaryModel):
    """A customer's order, usually mirrored from the ERP; its lines are fulfilled by work orders."""

    customer = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="orders")
    erp_id = models.CharField("ERP id", max_length=100, blank=True, db_index=True)
    customer_reference = models.CharField(
        max_length=100, blank=True, help_text="The customer's purchase-order number."
    )
    order_date = models.DateField(default=timezone.localdate)
    due_date = models.DateField(null=True, blank=True)
    status = ChoiceSetField(choice_set=CustomerOrderStatusChoices, default=CustomerOrderStatusChoices.DRAFT)
    notes = models.TextField(blank=True)

    number_pattern = "SO-{year}-{seq:04d}"
    customer_scope = "customer"
    state_machine = CustomerOrderStateMachine
    evidence_for = ("iso9001:8.2.3.1",)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"{self.number} {self.customer}"


class PartType(VersionedModel, PrimaryModel):
    """A product design. Each design revision is a version (``revision`` is its label, e.g. "C");
    every version of one part type shares the serial-number prefix."""

    part_number = models.CharField(max_length=60, db_index=True)
    name = models.CharField(max_length=200)
    revision = models.CharField(max_length=20, default="A", help_text="The design revision, e.g. A, B, C.")
    serial_prefix = models.CharField(
        max_length=20,
        help_text="Serial numbers are made from it: prefix VB- gives VB-000001, VB-000002, ...",
    )
    serial_digits = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(3)], help_text="Digits after the prefix."
    )
    customer = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="part_types",
        help_text="For a customer's part.",
    )
    max_rework_attempts = models.PositiveSmallIntegerField(
        default=2, help_text="Rework attempts allowed per step before an NCR must be escalated."
    )
    description = models.TextField(blank=True)

    customer_scope = "customer"
    evidence_for = ("iso9001:8.3.6",)

    class Meta:
        ordering = ["part_number", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["part_number", "version"], name="production_parttype_number_version"
            ),
        ]

    def __str__(self):
        return f"{self.part_number} rev {self.revision} {self.name}"


class Process(VersionedNumberedModel, PrimaryModel):
    """A routing: the graph of steps a part type goes through. Released versions are frozen; a new
    version is made by revising (``production.services.revise_process``)."""

    name = models.CharField(max_length=200)
    part_type = models.ForeignKey(PartType, on_delete=models.PROTECT, related_name="processes")
    description = models.TextField(blank=True)
    status = ChoiceSetField(choice_set=ProcessStatusChoices, default=ProcessStatusChoices.DRAFT)
    released_at = models.DateTimeField(null=True, blank=True, editable=False)

    number_pattern = "RT-{seq:05d}"
    customer_scope = "part_type__customer"
    state_machine = ProcessStateMachine
    version_reset_fields = ("status", "released_at")
    evidence_for = ("iso9001:8.5.1",)

    class Meta(VersionedNumberedModel.Meta):
        ordering = ["number", "version"]
        verbose_name_plural = "processes"

    def __str__(self):
        return f"{self.number} v{self.version} {self.name}"

    @property
    def is_editable(self):
        return self.status == ProcessStatusChoices.DRAFT

    def start_step(self):
        """The one step without incoming edges (None while the graph is being drawn)."""
        targets = self.edges.values("target_id")
        starts = list(self.steps.exclude(pk__in=targets)[:2])
        return starts[0] if len(starts) == 1 else None


class Step(PrimaryModel):
    """One node of a routing."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=200)
    kind = ChoiceSetField(choice_set=StepKindChoices, default=StepKindChoices.OPERATION)
    sequence = models.PositiveIntegerField(default=10, help_text="Display order in lists.")
    instructions = models.TextField(blank=True, help_text="What the operator does at this step.")
    estimated_duration = models.DurationField(null=True, blank=True, help_text="Run time per part.")
    setup_duration = models.DurationField(null=True, blank=True, help_text="Set-up time per batch.")
    work_center = models.ForeignKey(
        WorkCenter, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    requires_qa = models.BooleanField(
        default=False, help_text="A QA inspector signs off each part before it moves on (Awaiting QA)."
    )
    position_x = models.FloatField(default=0, editable=False)
    position_y = models.FloatField(default=0, editable=False)

    customer_scope = "process__part_type__customer"
    audit_ignore_fields = ("position_x", "position_y")

    class Meta:
        ordering = ["process", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["process", "name"], name="production_step_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def routes_on_result(self):
        return self.kind in StepKindChoices.ROUTES_ON_RESULT

    def clean(self):
        if self.process_id and not self.process.is_editable:
            raise ValidationError(
                {
                    "process": f"{self.process} is {self.process.get_status_display().lower()}: revise it to change it."
                }
            )

    def archive(self, reason):
        self.clean()
        super().archive(reason)


class StepEdge(PrimaryModel):
    """An arrow of the routing graph: from ``source`` to ``target`` when ``condition`` holds."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="edges")
    source = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="incoming")
    condition = ChoiceSetField(choice_set=EdgeConditionChoices, default=EdgeConditionChoices.ALWAYS)

    customer_scope = "process__part_type__customer"
    record_services = False

    class Meta:
        ordering = ["process", "source__sequence", "target__sequence"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="production_stepedge_unique"),
        ]

    def __str__(self):
        return f"{self.source} → {self.target}"

    def archive(self, reason):
        if not self.process.is_editable:
            raise ValidationError(
                f"{self.process} is {self.process.get_status_display().lower()}: revise it to change it."
            )
        super().archive(reason)

    def clean(self):
        errors = {}
        if self.source_id and self.target_id and self.source_id == self.target_id:
            errors["target"] = "A step cannot lead to itself: model a rework loop with a rework step."
        for name in ("source", "target"):
            step = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if step is not None and self.process_id and step.process_id != self.process_id:
                errors[name] = f"{step} belongs to another routing."
        if not errors and self.source_id and self.target_id and self.process_id:
            nodes, arrows = routing.graph_of(
                self.process,
                extra_arrow=routing.Arrow(self.source_id, self.target_id, self.condition),
                without_arrow=self.pk,
            )
            cycle = routing.find_cycle([node.id for node in nodes], arrows)
            if cycle is not None:
                names = {node.id: node.name for node in nodes}
                errors["target"] = (
                    "This edge would make a cycle: "
                    + " → ".join(f"“{names[i]}”" for i in cycle)
                    + ". Model rework loops with a rework step."
                )
        if not errors and self.process_id and not self.process.is_editable:
            errors["process"] = (
                f"{self.process} is {self.process.get_status_display().lower()}: revise it to change it."
            )
        if errors:
            raise ValidationError(errors)


class CustomerOrderLine(PrimaryModel):
    order = models.ForeignKey(CustomerOrder, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(default=1)
    part_type = models.ForeignKey(PartType, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    due_date = models.DateField(null=True, blank=True)

    customer_scope = "order__customer"
    record_services = False

    class Meta:
        ordering = ["order", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="production_orderline_unique"),
        ]

    def __str__(self):
        return f"{self.order.number}/{self.line_number} {self.part_type.part_number} × {self.quantity}"


class WorkOrder(NumberedModel, PrimaryModel):
    """A batch of one part type made along one routing version. Creating it generates its parts
    (``production.services.create_work_order``)."""

    part_type = models.ForeignKey(PartType, on_delete=models.PROTECT, related_name="work_orders")
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="work_orders")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    priority = ChoiceSetField(choice_set=PriorityChoices, default=PriorityChoices.NORMAL)
    due_date = models.DateField(null=True, blank=True)
    erp_id = models.CharField("ERP id", max_length=100, blank=True, db_index=True)
    order_line = models.ForeignKey(
        CustomerOrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders"
    )
    status = ChoiceSetField(choice_set=WorkOrderStatusChoices, default=WorkOrderStatusChoices.PLANNED)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    notes = models.TextField(blank=True)

    number_pattern = "WO-{year}-{seq:05d}"
    customer_scope = "order_line__order__customer"
    state_machine = WorkOrderStateMachine
    evidence_for = ("iso9001:8.5.1",)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return self.number


class Part(PrimaryModel):
    """One serialized part of a work order, at a step of its routing."""

    serial_number = models.CharField(max_length=80, unique=True)
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="parts")
    part_type = models.ForeignKey(PartType, on_delete=models.PROTECT, related_name="parts")
    current_step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.PROTECT, related_name="parts", editable=False
    )
    status = ChoiceSetField(choice_set=PartStatusChoices, default=PartStatusChoices.PENDING, db_index=True)
    step_entered_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the part reached its current step (WIP ageing).",
    )
    erp_id = models.CharField("ERP id", max_length=100, blank=True)

    customer_scope = "work_order__order_line__order__customer"
    state_machine = PartStateMachine
    evidence_for = ("iso9001:8.5.2",)

    class Meta:
        ordering = ["serial_number"]
        indexes = [
            models.Index(fields=["work_order", "status"], name="production_part_wo_status"),
            models.Index(fields=["current_step", "status"], name="production_part_step_status"),
            # The parts on the shop floor (a few percent of all parts) by step and arrival: the WIP
            # page's counts and median ages are index-only scans of it on PostgreSQL.
            models.Index(
                fields=["current_step", "step_entered_at"],
                include=["status"],
                condition=models.Q(status__in=PartStatusChoices.WIP),
                name="production_part_wip_age",
            ),
        ]

    def __str__(self):
        return self.serial_number


class StepTransition(AppendOnlyModel):
    """The step log: what happened to a part at a step, who did it, when, and with what. Written in
    the transaction of the part's audited status change and never changed afterwards."""

    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="transitions")
    kind = ChoiceSetField(choice_set=TransitionKindChoices)
    from_step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.PROTECT, related_name="transitions_from"
    )
    to_step = models.ForeignKey(
        Step, null=True, blank=True, on_delete=models.PROTECT, related_name="transitions_to"
    )
    status_before = ChoiceSetField(choice_set=PartStatusChoices, blank=True)
    status_after = ChoiceSetField(choice_set=PartStatusChoices, blank=True)
    outcome = ChoiceSetField(choice_set=StepOutcomeChoices, blank=True, default=StepOutcomeChoices.NONE)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    equipment = models.ForeignKey(
        "equipment.Equipment", null=True, blank=True, on_delete=models.PROTECT, related_name="usages"
    )
    time = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-time", "-pk"]
        indexes = [models.Index(fields=["part", "time"], name="production_transition_part")]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.part}: {self.get_kind_display()}"

    def get_absolute_url(self):
        # The part's page, without loading the part (lists of log rows link every row).
        return reverse("production:part_detail", args=[self.part_id])
