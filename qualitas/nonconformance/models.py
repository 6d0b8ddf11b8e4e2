"""Nonconformances (NCR) with their disposition, and the rework attempts they cause.

An NCR found at inspection names the part, the failed report and the step; its disposition sends
the part to rework or repair (at a chosen step, attempts counted), scraps it, accepts it as is, or
returns it to the supplier. Repair and use-as-is need the material review board's approval with
signatures (``qualitas.approvals``).
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from qualitas.approvals import services as approvals
from qualitas.approvals.choices import RequestStatusChoices
from qualitas.core.choices import ChangeActionChoices
from qualitas.framework.models import AuditedModel, ChoiceSetField, NumberedModel, PrimaryModel

from .actions import NonConformanceStateMachine
from .choices import (
    DispositionChoices,
    NonConformanceSourceChoices,
    NonConformanceStatusChoices,
    ReworkOutcomeChoices,
    SeverityChoices,
)


class NonConformance(NumberedModel, PrimaryModel):
    title = models.CharField(max_length=300)
    source = ChoiceSetField(
        choice_set=NonConformanceSourceChoices, default=NonConformanceSourceChoices.INSPECTION
    )
    severity = ChoiceSetField(choice_set=SeverityChoices, default=SeverityChoices.MAJOR)
    description = models.TextField(blank=True)
    status = ChoiceSetField(
        choice_set=NonConformanceStatusChoices, default=NonConformanceStatusChoices.OPEN, db_index=True
    )
    part = models.ForeignKey(
        "production.Part", null=True, blank=True, on_delete=models.PROTECT, related_name="nonconformances"
    )
    quality_report = models.ForeignKey(
        "inspections.QualityReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nonconformances",
    )
    part_type = models.ForeignKey(
        "production.PartType", null=True, blank=True, on_delete=models.PROTECT, related_name="nonconformances"
    )
    work_order = models.ForeignKey(
        "production.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nonconformances",
    )
    step = models.ForeignKey(
        "production.Step",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nonconformances",
        help_text="Where it was found.",
    )
    supplier = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier_nonconformances",
    )
    customer = models.ForeignKey(
        "accounts.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customer_nonconformances",
    )
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_nonconformances",
    )
    # --- Disposition (decided through the "decide" action) ---
    disposition = ChoiceSetField(
        choice_set=DispositionChoices, blank=True, default=DispositionChoices.NONE, editable=False
    )
    rework_step = models.ForeignKey(
        "production.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    disposition_notes = models.TextField(blank=True, editable=False)
    disposition_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    disposition_decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    concession_reference = models.CharField(
        "customer concession",
        max_length=100,
        blank=True,
        editable=False,
        help_text="The customer's concession or deviation number, for use as is or repair.",
    )
    # --- Escalation and closure ---
    is_escalated = models.BooleanField(default=False, editable=False)
    escalation_reason = models.TextField(blank=True, editable=False)
    resolution = models.TextField(blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    number_pattern = "NCR-{year}-{seq:04d}"
    customer_scope = "customer"
    state_machine = NonConformanceStateMachine
    evidence_for = ("iso9001:8.7.1", "iso9001:8.7.2", "iso22000:8.9.4.3", "as9100d:8.7.1")

    class Meta:
        ordering = ["-number"]
        verbose_name = "nonconformance"
        permissions = [("approve_nonconformance", "Can sit on the material review board")]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def needs_review_board(self):
        return self.disposition in DispositionChoices.NEEDS_REVIEW_BOARD

    def disposition_blockers(self):
        """Why the decided disposition cannot be carried out yet (empty when it can): repair and
        use as is wait for the material review board's approval."""
        if not self.needs_review_board:
            return []
        state = approvals.outcome(self)
        if state == RequestStatusChoices.APPROVED:
            return []
        if state == RequestStatusChoices.PENDING:
            return ["the material review board has not approved the disposition yet"]
        return ["the disposition needs the material review board's approval"]

    # --- Approval hooks (qualitas.approvals) -------------------------------------------------

    def on_approval_approved(self, request):
        """The material review board approved the disposition: nothing moves by itself; the
        disposition can now be carried out."""

    def on_approval_rejected(self, request, comments):
        """The board rejected the disposition: the NCR goes back to review, disposition cleared."""
        if self.status == NonConformanceStatusChoices.DISPOSITION_DECIDED:
            self.status = NonConformanceStatusChoices.UNDER_REVIEW
            self.disposition = DispositionChoices.NONE
            self.disposition_decided_at = None
            self.disposition_decided_by = None
            self.save(audit_action=ChangeActionChoices.TRANSITION)


class ReworkAttempt(AuditedModel):
    """One rework (or repair) of a part at a step, sent by an NCR. Attempts are counted per part and
    step; past the part type's maximum the NCR must be escalated."""

    part = models.ForeignKey("production.Part", on_delete=models.PROTECT, related_name="rework_attempts")
    step = models.ForeignKey("production.Step", on_delete=models.PROTECT, related_name="rework_attempts")
    nonconformance = models.ForeignKey(
        NonConformance, on_delete=models.PROTECT, related_name="rework_attempts"
    )
    attempt = models.PositiveSmallIntegerField()
    outcome = ChoiceSetField(choice_set=ReworkOutcomeChoices, default=ReworkOutcomeChoices.PENDING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    customer_scope = "nonconformance__customer"
    record_services = False

    class Meta:
        ordering = ["part", "step", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["part", "step", "attempt"], name="nonconformance_rework_unique"),
        ]

    def __str__(self):
        return f"{self.part} at {self.step}: attempt {self.attempt}"
