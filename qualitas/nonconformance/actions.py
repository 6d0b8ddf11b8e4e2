"""The NCR workflow: open → under review → disposition decided → disposition done → closed, and
cancelled with a reason.

Deciding a disposition takes its parameters through ``DispositionForm`` (page and API alike).
Repair and use as is start the material review board's approval
(``settings.QUALITAS_MRB_APPROVAL_TEMPLATE``); the disposition is carried out only once it is
approved. Carrying it out moves the part through the part's own actions (``production.actions``),
so the step log and the part's audit trail record it.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from qualitas.approvals import services as approvals
from qualitas.core.events import register_event
from qualitas.framework.actions import Action, StateMachine
from qualitas.framework.forms import ActionForm
from qualitas.notifications import services as notifications
from qualitas.production import actions as part_actions
from qualitas.production.choices import EdgeConditionChoices, PartStatusChoices
from qualitas.production.models import Step

from .choices import DispositionChoices, ReworkOutcomeChoices
from .choices import NonConformanceStatusChoices as Status

NCR_ASSIGNED = notifications.register_kind(
    "ncr.assigned", "NCR assigned to you", description="A nonconformance was opened or assigned to you."
)
NCR_ESCALATED = notifications.register_kind(
    "ncr.escalated",
    "NCR escalated",
    description="A nonconformance was escalated: the rework limit was reached, or someone escalated it.",
)
register_event("nonconformance.escalated", "NCR escalated")
register_event("nonconformance.opened_from_inspection", "NCR opened automatically by a failed quality report")

#: The part action that carries out each disposition.
PART_ACTION = {
    DispositionChoices.REWORK: part_actions.SendToRework,
    DispositionChoices.REPAIR: part_actions.SendToRework,
    DispositionChoices.USE_AS_IS: part_actions.AcceptAsIs,
    DispositionChoices.SCRAP: part_actions.ScrapPart,
    DispositionChoices.RETURN_TO_SUPPLIER: part_actions.ReturnToSupplier,
}


def rework_attempts(part, step):
    return part.rework_attempts.filter(step=step).count()


def default_rework_step(ncr):
    """Where rework goes by default: the target of the "on fail" edge of the step where the part
    failed, or that step itself."""
    if ncr.step is None:
        return None
    edge = ncr.step.outgoing.filter(condition=EdgeConditionChoices.FAIL, is_archived=False).first()
    return edge.target if edge is not None else ncr.step


class DispositionForm(ActionForm):
    disposition = forms.ChoiceField(
        choices=[(value, label) for value, label in DispositionChoices.choices() if value]
    )
    rework_step = forms.ModelChoiceField(
        queryset=Step.objects.none(),
        required=False,
        label="Rework or repair at step",
        help_text="The step of the part's routing it goes back to.",
    )
    notes = forms.CharField(widget=forms.Textarea, max_length=5000, help_text="Why this disposition.")
    concession_reference = forms.CharField(
        required=False,
        max_length=100,
        label="Customer concession",
        help_text="The customer's concession or deviation number, when the customer accepted it.",
    )

    def setup(self):
        ncr = self.action.obj
        if ncr.part_id:
            self.fields["rework_step"].queryset = ncr.part.work_order.process.steps.filter(is_archived=False)
            default = default_rework_step(ncr)
            if default is not None:
                self.fields["rework_step"].initial = default.pk
        else:
            del self.fields["rework_step"]

    def clean(self):
        data = super().clean()
        problems = disposition_problems(self.action.obj, data.get("disposition"), data.get("rework_step"))
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        return data


def disposition_problems(ncr, disposition, rework_step):
    """Why ``disposition`` (at ``rework_step``) cannot be decided for ``ncr``: ``{field: message}``."""
    problems = {}
    if disposition not in DispositionChoices or not disposition:
        return {"disposition": "Choose a disposition."}
    if disposition in DispositionChoices.TO_A_STEP and ncr.part_id:
        if rework_step is None:
            problems["rework_step"] = "Choose the step where the part is reworked or repaired."
        elif rework_step.process_id != ncr.part.work_order.process_id:
            problems["rework_step"] = f"“{rework_step}” is not a step of {ncr.part}'s routing."
        else:
            done = rework_attempts(ncr.part, rework_step)
            limit = ncr.part.part_type.max_rework_attempts
            if done >= limit:
                problems["disposition"] = (
                    f"{ncr.part} has been reworked {done} time{'s' if done != 1 else ''} at “{rework_step}” "
                    f"(maximum {limit}): escalate the NCR and choose another disposition."
                )
    if disposition == DispositionChoices.RETURN_TO_SUPPLIER and not ncr.supplier_id and not ncr.part_id:
        problems["disposition"] = "Name the supplier on the NCR before returning to them."
    return problems


class CloseForm(ActionForm):
    resolution = forms.CharField(
        widget=forms.Textarea, max_length=5000, help_text="What was done and how the NCR was verified."
    )


class StartReview(Action):
    name = "review"
    label = "Start review"
    source = (Status.OPEN,)
    target = Status.UNDER_REVIEW


class DecideDisposition(Action):
    name = "decide"
    label = "Decide disposition"
    source = (Status.UNDER_REVIEW,)
    target = Status.DISPOSITION_DECIDED
    form_class = DispositionForm
    color = "primary"
    description = (
        "Rework, scrap and return to supplier can be carried out at once. Repair and use-as-is "
        "dispositions first need the material review board's approval, with signatures."
    )

    def perform(self, disposition="", rework_step=None, notes="", concession_reference="", **params):
        ncr = self.obj
        problems = disposition_problems(ncr, disposition, rework_step)
        if not (notes or "").strip():
            problems["notes"] = "Say why this disposition."
        if problems:
            raise ValidationError(problems)
        ncr.disposition = disposition
        ncr.rework_step = rework_step if disposition in DispositionChoices.TO_A_STEP else None
        ncr.disposition_notes = notes.strip()
        ncr.concession_reference = (concession_reference or "").strip()
        ncr.disposition_decided_by = self.user
        ncr.disposition_decided_at = timezone.now()
        if ncr.needs_review_board:
            approvals.start_approval(
                ncr,
                settings.QUALITAS_MRB_APPROVAL_TEMPLATE,
                requested_by=self.user,
                note=f"{ncr.get_disposition_display()}: {ncr.disposition_notes}",
            )


class ImplementDisposition(Action):
    name = "implement"
    label = "Carry out disposition"
    source = (Status.DISPOSITION_DECIDED,)
    target = Status.DISPOSITION_DONE
    color = "success"
    description = (
        "Moves the part as decided: to its rework step, on as accepted, to scrap, or back to the supplier."
    )

    def preconditions(self):
        blockers = list(self.obj.disposition_blockers())
        part = self.obj.part
        if part is not None and part.status != PartStatusChoices.QUARANTINED:
            blockers.append(f"{part} is {part.get_status_display().lower()}, not quarantined")
        return blockers

    def perform(self, **params):
        ncr = self.obj
        part = ncr.part
        if part is None:
            return
        attempt = None
        if ncr.disposition in DispositionChoices.TO_A_STEP:
            attempt = ncr.rework_attempts.create(
                part=part, step=ncr.rework_step, attempt=rework_attempts(part, ncr.rework_step) + 1
            )
        runner = PART_ACTION[ncr.disposition](part, self.user, request=self.request)
        note = f"{ncr.number}: {ncr.get_disposition_display()}"
        if attempt is not None:
            note += f" (attempt {attempt.attempt})"
        runner.execute(note=note)


class CloseNonConformance(Action):
    name = "close"
    label = "Close"
    source = (Status.DISPOSITION_DONE,)
    target = Status.CLOSED
    form_class = CloseForm
    color = "success"

    def preconditions(self):
        pending = self.obj.rework_attempts.filter(outcome=ReworkOutcomeChoices.PENDING).select_related(
            "part", "step"
        )
        return [f"the rework of {attempt.part} at “{attempt.step}” is not finished" for attempt in pending]

    def perform(self, resolution="", **params):
        self.obj.resolution = resolution.strip()
        self.obj.closed_at = timezone.now()


class CancelNonConformance(Action):
    name = "cancel"
    label = "Cancel"
    source = (Status.OPEN, Status.UNDER_REVIEW, Status.DISPOSITION_DECIDED)
    target = Status.CANCELLED
    requires_reason = True
    color = "secondary"
    description = "For an NCR raised in error. A quarantined part stays on hold until QA releases it."

    def perform(self, **params):
        request = approvals.current_request(self.obj)
        if request is not None:
            approvals.cancel_approval(request, self.user, "NCR cancelled")


class Escalate(Action):
    name = "escalate"
    label = "Escalate"
    source = Status.ACTIVE
    target = None
    requires_reason = True
    color = "danger"
    description = "Marks the NCR escalated and tells the QA managers."

    def preconditions(self):
        return ["the NCR is already escalated"] if self.obj.is_escalated else []

    def perform(self, **params):
        escalate(self.obj, self.reason)


def escalate(ncr, reason):
    """Mark ``ncr`` escalated (the caller saves it) and notify the QA managers."""
    ncr.is_escalated = True
    ncr.escalation_reason = reason
    notifications.notify(
        NCR_ESCALATED.code,
        ["QA Manager"],
        subject=f"{ncr.number} escalated",
        message=reason or f"{ncr.number} {ncr.title} was escalated.",
        obj=ncr,
    )


class NonConformanceStateMachine(StateMachine):
    field = "status"
    choices = Status
    actions = (
        StartReview,
        DecideDisposition,
        ImplementDisposition,
        CloseNonConformance,
        CancelNonConformance,
        Escalate,
    )
