"""Approval workflows for any record.

A template (``ApprovalTemplate``) is an ordered list of steps (``ApprovalStep``): who approves
(roles and/or named people), how many of them must approve (the quorum), how long they have and
whom to escalate to when they are late. Starting an approval on a record copies the template into
an ``ApprovalRequest`` with one ``StepInstance`` per step, so that later edits of the template
never change a running or finished request. Approvers answer with an ``ApprovalResponse``, each
signed electronically. A ``Delegation`` lets a delegate answer for an approver who is away.

The logic (who may answer, the quorum, escalation) lives in ``services.py``.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qualitas.approvals.choices import (
    DecisionChoices,
    QuorumChoices,
    RequestStatusChoices,
    StepStatusChoices,
)
from qualitas.core.models import AppendOnlyError
from qualitas.framework.models import (
    AuditedModel,
    AuditedQuerySet,
    ChoiceSetField,
    NumberedModel,
    PrimaryModel,
)
from qualitas.framework.records import takes_record_services
from qualitas.framework.registry import get_entry, registered_models


def is_approvable(model):
    """Whether approvals can be requested on records of ``model``: the quality records that take
    record services (``framework.records.takes_record_services``) and have pages people edit. A
    model may say so itself with ``approvals_enabled = True/False``."""
    explicit = getattr(model, "approvals_enabled", None)
    if explicit is not None:
        return bool(explicit)
    if model._meta.app_label == "approvals" or not takes_record_services(model):
        return False
    entry = get_entry(model)
    views = entry.views if entry else None
    return bool(views is not None and views.can_edit and views.form is not None)


def duration_label(delta):
    """ "3 days", "1 day 4 hours", "8 hours", "30 minutes": a due time in words."""
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    for amount, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")):
        if amount:
            parts.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
    return " ".join(parts) or "0 minutes"


def quorum_label(quorum, required, total=None):
    """ "Any one of 3", "All 2", "2 of 3": the quorum in words."""
    of = f" of {total}" if total is not None else ""
    if quorum == QuorumChoices.ANY:
        return f"Any one{of}"
    if quorum == QuorumChoices.ALL:
        return f"All {total}" if total is not None else "All"
    return f"{required}{of}"


# --- Templates ----------------------------------------------------------------------------------


class ApprovalTemplate(PrimaryModel):
    code = models.SlugField(
        max_length=50,
        unique=True,
        help_text="A short fixed name that modules and the API use, e.g. standard-release.",
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    record_types = models.ManyToManyField(
        ContentType,
        blank=True,
        related_name="+",
        verbose_name="record types",
        help_text="The record types this template is offered for. Leave empty for every record type.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Only active templates can start new approvals."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def applies_to(self, model):
        types = list(self.record_types.all())
        return not types or ContentType.objects.get_for_model(model) in types


class ApprovalStep(AuditedModel):
    template = models.ForeignKey(ApprovalTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1)], help_text="Steps run one after the other, lowest first."
    )
    name = models.CharField(max_length=200)
    instructions = models.TextField(blank=True, help_text="What the approvers check before approving.")
    approver_roles = models.ManyToManyField(
        Group, blank=True, related_name="+", verbose_name="approver roles"
    )
    approver_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="named approvers"
    )
    quorum = ChoiceSetField(choice_set=QuorumChoices, default=QuorumChoices.ANY)
    required_approvals = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        verbose_name="approvals needed",
        help_text="For “a number of the approvers”: how many must approve.",
    )
    due_within = models.DurationField(
        null=True,
        blank=True,
        help_text="How long the approvers have once the step is reached, e.g. 2 days or 04:00:00. "
        "Empty: no due time.",
    )
    escalate_to = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="escalate to",
        help_text="The role told when the step is overdue (default: the installation's escalation role).",
    )

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="approvals_step_template_order"),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"

    def get_absolute_url(self):
        return self.template.get_absolute_url()

    @property
    def due_within_display(self):
        return duration_label(self.due_within)

    def clean(self):
        super().clean()
        if self.quorum == QuorumChoices.N_OF_M and not self.required_approvals:
            raise ValidationError({"required_approvals": "Say how many approvals the step needs."})
        if self.quorum != QuorumChoices.N_OF_M:
            self.required_approvals = None
        if self.due_within is not None and self.due_within.total_seconds() <= 0:
            raise ValidationError({"due_within": "The due time must be after the step starts."})


# --- Requests -----------------------------------------------------------------------------------


class ApprovalRequest(NumberedModel, AuditedModel):
    """One run of a template on one record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField("record", max_length=200)
    template = models.ForeignKey(ApprovalTemplate, on_delete=models.PROTECT, related_name="requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_requests"
    )
    note = models.TextField(blank=True, help_text="A note for the approvers.")
    status = ChoiceSetField(choice_set=RequestStatusChoices, default=RequestStatusChoices.PENDING)
    current_step = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The order of the step awaiting approval."
    )
    content_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the record's content when approval was requested."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)

    number_pattern = "APR-{year}-{seq:04d}"

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="approvals_request_record")]
        constraints = [
            # One open approval per record, even under concurrent requests.
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=Q(status="pending"),
                name="approvals_one_pending_per_record",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.object_repr}"

    @classmethod
    def scope_queryset(cls, queryset, user, action):
        """Requests on records the user may see: the record's own permission and scoping decide.
        Customers never see approval requests (they are internal)."""
        if getattr(user, "is_customer", False):
            return queryset.none()
        return queryset.filter(visible_records_condition(user))

    def get_status_color(self):
        return RequestStatusChoices.color(self.status)

    @property
    def record_model(self):
        return self.content_type.model_class()

    @property
    def record(self):
        """The record, unscoped (for the engine). Views reach it through ``get_record_for_type``."""
        if not hasattr(self, "_record"):
            model = self.record_model
            self._record = model._base_manager.filter(pk=self.object_id).first() if model else None
        return self._record

    @property
    def record_url(self):
        """The record's page (without fetching the record), or ""."""
        content_type = ContentType.objects.get_for_id(self.content_type_id)
        try:
            return reverse(f"{content_type.app_label}:{content_type.model}_detail", args=[self.object_id])
        except NoReverseMatch:
            return ""

    @property
    def is_open(self):
        return self.status == RequestStatusChoices.PENDING

    def active_step(self):
        return next((step for step in self.steps.all() if step.status == StepStatusChoices.ACTIVE), None)


def visible_records_condition(user):
    """A Q on ApprovalRequest (or ``prefix``-ed relations) that keeps requests on records ``user``
    may view, through each record type's own ``restrict()``. One subquery per record type in use."""
    return _visible_condition(user, "")


def _visible_condition(user, prefix):
    condition = Q(pk__in=[])
    # Every record type approvals can be requested on, plus any other type in use (a module may
    # start approvals on records without pages), so that a queryset built before a type's first
    # request still sees its requests later.
    approvable = [entry.model for entry in registered_models() if is_approvable(entry.model)]
    type_ids = {content_type.pk for content_type in ContentType.objects.get_for_models(*approvable).values()}
    type_ids.update(
        ApprovalRequest._base_manager.order_by().values_list("content_type_id", flat=True).distinct()
    )
    for content_type_id in sorted(type_ids):
        content_type = ContentType.objects.get_for_id(content_type_id)
        model = content_type.model_class()
        if model is None or get_entry(model) is None or not hasattr(model.objects, "restrict"):
            continue
        visible_ids = (
            model.objects.restrict(user, "view")
            .order_by()
            .annotate(_approval_object_id=Cast("pk", models.CharField(max_length=64)))
            .values("_approval_object_id")
        )
        condition |= Q(**{f"{prefix}content_type_id": content_type_id, f"{prefix}object_id__in": visible_ids})
    return condition


class StepInstance(AuditedModel):
    """One step of one request: a copy of the template's step, its approvers as they were when
    approval was requested, and where it stands."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(
        ApprovalStep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="instances",
        help_text="The template step this was copied from.",
    )
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    instructions = models.TextField(blank=True)
    quorum = ChoiceSetField(choice_set=QuorumChoices, default=QuorumChoices.ANY)
    required_approvals = models.PositiveSmallIntegerField(
        help_text="How many approvals complete the step (1 for any, every approver for all)."
    )
    approver_roles = models.ManyToManyField(Group, blank=True, related_name="+")
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="approval_steps",
        help_text="The people who may approve, fixed when approval was requested.",
    )
    due_within = models.DurationField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    escalate_to = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = ChoiceSetField(choice_set=StepStatusChoices, default=StepStatusChoices.WAITING)
    activated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "order"]
        constraints = [
            models.UniqueConstraint(fields=["request", "order"], name="approvals_stepinstance_request_order"),
        ]

    def __str__(self):
        return f"{self.request.number} step {self.order}: {self.name}"

    def get_absolute_url(self):
        return self.request.get_absolute_url()

    def get_status_color(self):
        return StepStatusChoices.color(self.status)

    @property
    def is_overdue(self):
        return (
            self.status == StepStatusChoices.ACTIVE
            and self.due_at is not None
            and self.due_at < timezone.now()
        )

    @property
    def quorum_display(self):
        return quorum_label(self.quorum, self.required_approvals, len(self.approvers.all()))

    def approvals_counted(self):
        """The approvers whose approval is recorded (by themselves or a delegate)."""
        return {
            response.counts_for_id
            for response in self.responses.all()
            if response.decision == DecisionChoices.APPROVE
        }


# --- Responses ----------------------------------------------------------------------------------


class ResponseQuerySet(AuditedQuerySet):
    """Responses are never changed or removed once recorded."""

    def update(self, **kwargs):
        raise AppendOnlyError("Approval responses are never changed once recorded.")

    update.queryset_only = True  # type: ignore[attr-defined]

    def delete(self):
        raise AppendOnlyError("Approval responses are never removed.")

    delete.queryset_only = True  # type: ignore[attr-defined]

    def bulk_update(self, objs, fields, *args, **kwargs):
        raise AppendOnlyError("Approval responses are never changed once recorded.")

    def counting_for(self, user):
        """Responses that count for ``user``: given by them, or by a delegate on their behalf."""
        return self.filter(Q(on_behalf_of=user) | Q(on_behalf_of__isnull=True, approver=user))


class ApprovalResponse(AuditedModel):
    """One approver's signed decision on one step. Recorded once, never changed."""

    step = models.ForeignKey(StepInstance, on_delete=models.PROTECT, related_name="responses")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The person who responded and signed.",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The approver the responder stood in for, under a delegation.",
    )
    delegation = models.ForeignKey(
        "Delegation", null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    decision = ChoiceSetField(choice_set=DecisionChoices)
    comment = models.TextField(blank=True)
    signature = models.ForeignKey(
        "signatures.Signature", on_delete=models.PROTECT, related_name="approval_responses"
    )
    responded_at = models.DateTimeField(default=timezone.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["step", "responded_at", "id"]
        constraints = [
            # One response per person per step: a delegate who is also an approver cannot make
            # one person's signature count twice on the same step.
            models.UniqueConstraint(fields=["step", "approver"], name="approvals_response_one_per_person"),
            # ... and one response counts for each approver at most once.
            models.UniqueConstraint(
                F("step"),
                Coalesce(F("on_behalf_of"), F("approver")),
                name="approvals_response_one_per_approver",
            ),
        ]

    def __str__(self):
        who = self.approver if self.on_behalf_of_id is None else f"{self.approver} for {self.on_behalf_of}"
        return f"{who}: {self.get_decision_display()}"

    def get_decision_color(self):
        return DecisionChoices.color(self.decision)

    @property
    def counts_for_id(self):
        return self.on_behalf_of_id or self.approver_id

    @property
    def counts_for(self):
        return self.on_behalf_of or self.approver

    def get_absolute_url(self):
        return self.step.request.get_absolute_url()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Approval responses are never changed once recorded.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Approval responses are never removed.")


# --- Delegation ---------------------------------------------------------------------------------


class DelegationQuerySet(AuditedQuerySet):
    def active(self, on=None):
        """Delegations in force on ``on`` (a date; today by default) and not withdrawn."""
        on = on or timezone.localdate()
        return self.filter(is_archived=False, starts__lte=on, ends__gte=on)


class Delegation(PrimaryModel):
    """While the delegator is away (``starts`` to ``ends``, both included), the delegate may answer
    approval steps in the delegator's place. Withdrawing a delegation archives it."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_given",
        help_text="The approver who is away.",
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="delegations_received",
        help_text="Who approves in their place.",
    )
    starts = models.DateField("from")
    ends = models.DateField("until", help_text="The last day of the absence (included).")
    reason = models.CharField(max_length=300, blank=True, help_text="E.g. annual leave.")

    objects = DelegationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts", "-id"]

    def __str__(self):
        return f"{self.delegator} → {self.delegate} ({self.starts:%Y-%m-%d} to {self.ends:%Y-%m-%d})"

    @property
    def is_in_force(self):
        today = timezone.localdate()
        return not self.is_archived and self.starts <= today <= self.ends

    def clean(self):
        super().clean()
        errors = {}
        if self.delegator_id and self.delegate_id and self.delegator_id == self.delegate_id:
            errors["delegate"] = "Choose someone else: you cannot delegate to yourself."
        if self.starts and self.ends and self.ends < self.starts:
            errors["ends"] = "The end date is before the start date."
        if errors:
            raise ValidationError(errors)


def responded_for(step_ref, user_ref):
    """Exists: a response on ``step_ref`` counts for ``user_ref`` (both OuterRef expressions)."""
    return Exists(
        ApprovalResponse.objects.filter(step=step_ref).filter(
            Q(on_behalf_of=user_ref) | Q(on_behalf_of__isnull=True, approver=user_ref)
        )
    )


def open_steps_for(user, on=None):
    """Active steps of pending requests that ``user`` can answer now, as themselves or for an
    approver who delegated to them: the "needs my approval" inbox, as one query.

    Left out: requests ``user`` made (nobody approves their own request), and steps ``user`` has
    already answered.
    """
    on = on or timezone.localdate()
    approver_links = StepInstance.approvers.through.objects
    delegators = Delegation.objects.active(on).filter(delegate=user).values("delegator_id")
    as_self = Exists(approver_links.filter(stepinstance_id=OuterRef("pk"), user_id=user.pk)) & ~responded_for(
        OuterRef("pk"), user.pk
    )
    for_delegator = Exists(
        approver_links.filter(stepinstance_id=OuterRef("pk"), user_id__in=delegators).exclude(
            responded_for(OuterRef("stepinstance_id"), OuterRef("user_id"))
        )
    )
    answered = Exists(ApprovalResponse.objects.filter(step=OuterRef("pk"), approver_id=user.pk))
    return (
        StepInstance.objects.filter(
            status=StepStatusChoices.ACTIVE, request__status=RequestStatusChoices.PENDING
        )
        .exclude(request__requested_by_id=user.pk)
        .filter(as_self | for_delegator)
        .exclude(answered)
    )
