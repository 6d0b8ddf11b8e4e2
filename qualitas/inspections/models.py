"""Inspections: measurement definitions per step, quality reports with their results and defects,
error types, and the sampling engine's rule sets, state and decision log.

A report's status is computed from its results against the definitions
(``inspections.services``), never typed in.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from qualitas.core.models import AppendOnlyModel
from qualitas.framework.models import AuditedModel, ChoiceSetField, NumberedModel, PrimaryModel

from .choices import (
    CharacteristicClassChoices,
    MeasurementKindChoices,
    ReportStatusChoices,
    SamplingRuleKindChoices,
)


class MeasurementDefinition(PrimaryModel):
    """A characteristic measured at a step: numeric with nominal and tolerances (or limits) and a
    unit, or an attribute checked pass / fail."""

    step = models.ForeignKey("production.Step", on_delete=models.CASCADE, related_name="measurements")
    name = models.CharField(max_length=200)
    code = models.CharField(
        max_length=40, blank=True, help_text="The balloon or characteristic number, e.g. C12."
    )
    kind = ChoiceSetField(choice_set=MeasurementKindChoices, default=MeasurementKindChoices.NUMERIC)
    classification = ChoiceSetField(
        choice_set=CharacteristicClassChoices, default=CharacteristicClassChoices.MAJOR
    )
    unit = models.CharField(max_length=20, blank=True, help_text="mm, µm, N·m, °C, ... (numeric only)")
    nominal = models.FloatField(null=True, blank=True)
    lower_tolerance = models.FloatField(
        null=True, blank=True, help_text="Below nominal, as a negative number (e.g. -0.05)."
    )
    upper_tolerance = models.FloatField(null=True, blank=True, help_text="Above nominal (e.g. +0.05).")
    lower_limit = models.FloatField(
        "lower specification limit", null=True, blank=True, help_text="Left empty: nominal + lower tolerance."
    )
    upper_limit = models.FloatField(
        "upper specification limit", null=True, blank=True, help_text="Left empty: nominal + upper tolerance."
    )
    decimals = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(9)])
    is_required = models.BooleanField(default=True, help_text="Must be recorded when the part is inspected.")
    sequence = models.PositiveIntegerField(default=10)
    method = models.TextField(blank=True, help_text="How to measure: gauge, fixture, points.")

    customer_scope = "step__process__part_type__customer"
    record_services = False

    class Meta:
        ordering = ["step", "sequence", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["step", "name"], name="inspections_definition_unique_name"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    @property
    def lsl(self):
        if self.lower_limit is not None:
            return self.lower_limit
        if self.nominal is not None and self.lower_tolerance is not None:
            return self.nominal + self.lower_tolerance
        return None

    @property
    def usl(self):
        if self.upper_limit is not None:
            return self.upper_limit
        if self.nominal is not None and self.upper_tolerance is not None:
            return self.nominal + self.upper_tolerance
        return None

    @property
    def is_numeric(self):
        return self.kind == MeasurementKindChoices.NUMERIC


class ErrorType(PrimaryModel):
    """A defect that can be found on a part type (or on any part type when left empty), with a
    description and example photos (attachments)."""

    part_type = models.ForeignKey(
        "production.PartType", null=True, blank=True, on_delete=models.PROTECT, related_name="error_types"
    )
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    classification = ChoiceSetField(
        choice_set=CharacteristicClassChoices, default=CharacteristicClassChoices.MAJOR
    )

    customer_scope = "part_type__customer"

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["part_type", "code"], name="inspections_errortype_unique_code"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class QualityReport(NumberedModel, PrimaryModel):
    """The inspection of one part at one step: who, with what, the results and the defects. The
    status is computed (``inspections.services.evaluate``)."""

    part = models.ForeignKey("production.Part", on_delete=models.PROTECT, related_name="quality_reports")
    step = models.ForeignKey("production.Step", on_delete=models.PROTECT, related_name="quality_reports")
    work_order = models.ForeignKey(
        "production.WorkOrder", on_delete=models.PROTECT, related_name="quality_reports", editable=False
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    equipment = models.ForeignKey(
        "equipment.Equipment", null=True, blank=True, on_delete=models.PROTECT, related_name="quality_reports"
    )
    status = ChoiceSetField(
        choice_set=ReportStatusChoices, default=ReportStatusChoices.PENDING, editable=False, db_index=True
    )
    inspected_at = models.DateTimeField(default=timezone.now, db_index=True)
    notes = models.TextField(blank=True)

    number_pattern = "QR-{year}-{seq:06d}"
    customer_scope = "part__work_order__order_line__order__customer"
    evidence_for = ("iso9001:8.6", "iatf16949:8.6.2", "as9100d:8.6")

    class Meta:
        ordering = ["-inspected_at", "-pk"]
        indexes = [
            models.Index(fields=["part", "step"], name="inspections_report_part_step"),
            models.Index(fields=["step", "inspected_at"], name="inspections_report_step_time"),
        ]

    def __str__(self):
        return self.number


class MeasurementResult(AuditedModel):
    """One recorded value against its definition; ``is_pass`` is computed."""

    report = models.ForeignKey(QualityReport, on_delete=models.CASCADE, related_name="results")
    definition = models.ForeignKey(MeasurementDefinition, on_delete=models.PROTECT, related_name="results")
    value = models.FloatField(null=True, blank=True)
    attribute_ok = models.BooleanField(null=True, blank=True, help_text="Attribute checks: passed or not.")
    is_pass = models.BooleanField(editable=False)
    recorded_at = models.DateTimeField(default=timezone.now)

    customer_scope = "report__part__work_order__order_line__order__customer"
    record_services = False

    class Meta:
        ordering = ["report", "definition__sequence", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "definition"], name="inspections_result_unique"),
        ]
        indexes = [models.Index(fields=["definition", "recorded_at"], name="inspections_result_series")]

    def __str__(self):
        if self.value is not None:
            return f"{self.definition.name} = {self.value:g} {self.definition.unit}".strip()
        return f"{self.definition.name}: {'OK' if self.attribute_ok else 'not OK'}"


class ReportDefect(AuditedModel):
    """A defect named by a failed report."""

    report = models.ForeignKey(QualityReport, on_delete=models.CASCADE, related_name="defects")
    error_type = models.ForeignKey(ErrorType, on_delete=models.PROTECT, related_name="occurrences")
    quantity = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    location = models.CharField(max_length=200, blank=True, help_text="Where on the part.")
    note = models.TextField(blank=True)

    customer_scope = "report__part__work_order__order_line__order__customer"
    record_services = False

    class Meta:
        ordering = ["report", "pk"]

    def __str__(self):
        return f"{self.error_type} × {self.quantity}"


class SamplingRuleSet(PrimaryModel):
    """The rules that decide which parts are inspected at a step. The active rule set with the
    lowest priority number applies; when defects exceed the fallback threshold it switches to the
    stricter fallback set for a number of parts or hours, then back."""

    name = models.CharField(max_length=200)
    part_type = models.ForeignKey(
        "production.PartType", on_delete=models.PROTECT, related_name="sampling_rule_sets"
    )
    process = models.ForeignKey(
        "production.Process",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sampling_rule_sets",
        help_text="Left empty: every routing of the part type.",
    )
    step = models.ForeignKey("production.Step", on_delete=models.PROTECT, related_name="sampling_rule_sets")
    priority = models.PositiveIntegerField(default=100, help_text="Lower numbers are tried first.")
    is_active = models.BooleanField(default=True)
    fallback = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fallback_for",
        help_text="The stricter rule set used after too many defects.",
    )
    fallback_threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text="Defective parts that switch to the fallback ..."
    )
    fallback_window = models.PositiveIntegerField(
        default=50, validators=[MinValueValidator(1)], help_text="... within this many inspected parts."
    )
    fallback_parts = models.PositiveIntegerField(
        null=True, blank=True, help_text="Stay on the fallback for this many parts ..."
    )
    fallback_hours = models.PositiveIntegerField(null=True, blank=True, help_text="... or this many hours.")
    description = models.TextField(blank=True)

    customer_scope = "part_type__customer"
    record_services = False

    class Meta:
        ordering = ["step", "priority", "pk"]

    def __str__(self):
        return self.name


def ordinal(number) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st, ..."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def describe_rule(rule) -> str:
    """The rule in a few words, as the sampling reasons name it: "every 5th part", "random 10%"."""
    kind, n, m = rule.kind, rule.n, rule.m
    Kind = SamplingRuleKindChoices
    if kind == Kind.ALL:
        return "every part"
    if kind == Kind.EVERY_NTH:
        return "every part" if n == 1 else f"every {ordinal(n) if n else 'Nth'} part"
    if kind == Kind.PERCENTAGE:
        return f"random {rule.percentage:g}%" if rule.percentage is not None else "random X%"
    first = "first part" if n == 1 else f"first {n if n is not None else 'N'} parts"
    if kind == Kind.FIRST_N_THEN_EVERY_M:
        every = ("every part" if m == 1 else f"every {ordinal(m)}") if m else "every Mth"
        return f"{first}, then {every}"
    if kind == Kind.FIRST_N:
        return first
    return f"unknown rule kind {kind!r}"


class SamplingRule(PrimaryModel):
    """One rule of a rule set. A part is inspected when any rule of the set says so."""

    rule_set = models.ForeignKey(SamplingRuleSet, on_delete=models.CASCADE, related_name="rules")
    kind = ChoiceSetField(choice_set=SamplingRuleKindChoices, default=SamplingRuleKindChoices.EVERY_NTH)
    n = models.PositiveIntegerField("N", null=True, blank=True, validators=[MinValueValidator(1)])
    m = models.PositiveIntegerField("M", null=True, blank=True, validators=[MinValueValidator(1)])
    percentage = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    sequence = models.PositiveIntegerField(default=10)

    customer_scope = "rule_set__part_type__customer"
    record_services = False

    class Meta:
        ordering = ["rule_set", "sequence", "pk"]

    def __str__(self):
        text = describe_rule(self)
        return text[:1].upper() + text[1:]


class SamplingState(AuditedModel):
    """The sampling engine's state for one work order at one step. The counters change with every
    part and are left out of the audit trail; switching to and from the fallback is audited."""

    work_order = models.ForeignKey(
        "production.WorkOrder", on_delete=models.CASCADE, related_name="sampling_states"
    )
    step = models.ForeignKey("production.Step", on_delete=models.CASCADE, related_name="sampling_states")
    rule_set = models.ForeignKey(SamplingRuleSet, on_delete=models.PROTECT, related_name="states")
    active_rule_set = models.ForeignKey(
        SamplingRuleSet, on_delete=models.PROTECT, related_name="active_states"
    )
    parts_seen = models.PositiveIntegerField(default=0)
    parts_seen_in_set = models.PositiveIntegerField(default=0)
    inspections_required = models.PositiveIntegerField(default=0)
    inspections_done = models.PositiveIntegerField(default=0)
    defects_found = models.PositiveIntegerField(default=0)
    recent_results = models.CharField(
        max_length=1000, blank=True, help_text="The last inspected parts, 1 = defective, newest last."
    )
    in_fallback = models.BooleanField(default=False)
    fallback_started_at = models.DateTimeField(null=True, blank=True)
    fallback_parts_left = models.PositiveIntegerField(null=True, blank=True)
    fallback_until = models.DateTimeField(null=True, blank=True)

    customer_scope = "work_order__order_line__order__customer"
    record_services = False
    audit_ignore_fields = (
        "parts_seen",
        "parts_seen_in_set",
        "inspections_required",
        "inspections_done",
        "defects_found",
        "recent_results",
        "fallback_parts_left",
    )

    class Meta:
        ordering = ["work_order", "step"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "step"], name="inspections_samplingstate_unique"),
        ]

    def __str__(self):
        return f"{self.work_order} at {self.step}"


class SamplingDecision(AppendOnlyModel):
    """The decision log: one row per part per visit of a sampled step, with its reason. Written once
    and never changed (append-only, like the access log)."""

    part = models.ForeignKey("production.Part", on_delete=models.CASCADE, related_name="sampling_decisions")
    step = models.ForeignKey("production.Step", on_delete=models.CASCADE, related_name="sampling_decisions")
    work_order = models.ForeignKey(
        "production.WorkOrder", on_delete=models.CASCADE, related_name="sampling_decisions"
    )
    rule_set = models.ForeignKey(SamplingRuleSet, on_delete=models.PROTECT, related_name="decisions")
    rule = models.ForeignKey(
        SamplingRule, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    sequence = models.PositiveIntegerField(help_text="The part's place among the parts seen at the step.")
    must_inspect = models.BooleanField()
    in_fallback = models.BooleanField(default=False)
    reason = models.CharField(max_length=300)
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["part", "step"], name="inspections_decision_part")]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.part} at {self.step}: {'inspect' if self.must_inspect else 'skip'}"

    def get_absolute_url(self):
        # The part's page, without loading the part (lists of log rows link every row).
        return reverse("production:part_detail", args=[self.part_id])
