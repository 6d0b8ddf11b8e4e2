"""The approval engine. Modules start approvals on their records and react to the outcome:

    from qualitas.approvals.services import current_request, respond, start_approval

    request = start_approval(document, "document-release", requested_by=user, note="Rev C")
    respond(request, approver, "approve", comment="Checked", password="...", otp="123456")
    current_request(document)     # the open ApprovalRequest, or None

When the last step is approved the record's ``on_approval_approved(request)`` is called (if the
model defines it) and ``signals.approval_approved`` is sent; a rejection calls
``on_approval_rejected(request, comments)`` and sends ``signals.approval_rejected``.

The rules, in one place:

- **Approvers** of a step are the active members of its roles plus its named people who hold
  ``approvals.add_approvalresponse``, fixed when approval is requested (a later change of roles
  does not change a running request). A step nobody can approve refuses to start.
- **Segregation of duties**: whoever requested the approval (the record's author) is never an
  approver of it, even through a delegation. Their attempt is refused with 403.
- **Quorum**: *any* completes the step with the first approval; *all* needs every approver;
  *N of M* needs N approvals. One person gives at most one response per step, and one approver's
  vote is counted at most once (a delegate who is an approver too cannot vote twice).
- **Any rejection** rejects the whole request at once: the remaining steps are not reached, and
  the author is told, with every comment made on the request. A reason is required to reject.
  A new request can then be started; the history of the old one is kept.
- **Delegation**: while a delegation is in force the delegate may answer for the delegator. The
  response records both. Delegation is not transitive.
- **Escalation**: a step still open after its due time is escalated once: its escalation role
  (or the installation's default role) is notified. Reminders before the due time are scheduled
  with the notifications service.
- Every response is signed (``qualitas.signatures.services.sign``) with the meaning "approved" or
  "rejected"; a wrong password or code records nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Prefetch, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format

from qualitas.approvals import signals
from qualitas.approvals.choices import (
    DecisionChoices,
    QuorumChoices,
    RequestStatusChoices,
    StepStatusChoices,
)
from qualitas.approvals.models import (
    ApprovalRequest,
    ApprovalResponse,
    ApprovalStep,
    ApprovalTemplate,
    Delegation,
    StepInstance,
    duration_label,
    is_approvable,
    open_steps_for,
)
from qualitas.core.events import emit, register_event
from qualitas.framework.context import change_reason
from qualitas.framework.records import visible
from qualitas.framework.registry import registered_models
from qualitas.notifications import services as notifications
from qualitas.signatures.services import annotate_matches, content_hash, sign, verify_signer

RESPOND_PERMISSION = "approvals.add_approvalresponse"

register_event("approval.requested", "Approval was requested")
register_event("approval.responded", "An approver responded to an approval step")
register_event("approval.step_approved", "An approval step was completed")
register_event("approval.approved", "An approval request was approved")
register_event("approval.rejected", "An approval request was rejected")
register_event("approval.cancelled", "An approval request was cancelled")
register_event("approval.escalated", "An overdue approval step was escalated")
register_event("approval.delegated", "An approver delegated their approvals")
register_event("approval.delegation_withdrawn", "A delegation of approvals was withdrawn")


# --- Which records, which templates --------------------------------------------------------------


def approvable_content_types():
    """Content types of every record type approvals can be requested on, by name."""
    models = [entry.model for entry in registered_models() if is_approvable(entry.model)]
    content_types = ContentType.objects.get_for_models(*models) if models else {}
    return sorted(content_types.values(), key=lambda ct: str(ct.model_class()._meta.verbose_name))


def templates_for(model):
    """The active templates offered for records of ``model``."""
    content_type = ContentType.objects.get_for_model(model)
    return (
        ApprovalTemplate.objects.filter(is_active=True, is_archived=False)
        .filter(Q(record_types=None) | Q(record_types=content_type))
        .distinct()
        .order_by("name")
    )


def get_template(template, model=None):
    """An ApprovalTemplate from itself or its code, usable for ``model``; else ValidationError."""
    if not isinstance(template, ApprovalTemplate):
        found = ApprovalTemplate.objects.filter(code=str(template)).first()
        if found is None:
            raise ValidationError({"template": f"There is no approval template “{template}”."})
        template = found
    if not template.is_active or template.is_archived:
        raise ValidationError({"template": f"The approval template “{template}” is not active."})
    if model is not None and not template.applies_to(model):
        raise ValidationError(
            {"template": f"The template “{template}” is not for {model._meta.verbose_name_plural}."}
        )
    return template


# --- Approvers and delegation -------------------------------------------------------------------


def users_who_can_respond():
    """Active users holding ``approvals.add_approvalresponse`` (through a role or directly)."""
    app_label, codename = RESPOND_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    users = get_user_model().objects.filter(is_active=True)
    if permission is None:
        return users.filter(is_superuser=True)
    return users.filter(
        Q(is_superuser=True) | Q(groups__permissions=permission) | Q(user_permissions=permission)
    ).distinct()


def can_respond(user):
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(RESPOND_PERMISSION))


def step_approvers(step, exclude=None):
    """The people who may approve ``step`` (a template step) now: active members of its roles and
    its named people who may respond to approvals, without ``exclude`` (the requester)."""
    roles = list(step.approver_roles.all())
    named = list(step.approver_users.all())
    if not roles and not named:
        return []
    queryset = users_who_can_respond().filter(Q(groups__in=roles) | Q(pk__in=[u.pk for u in named]))
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return list(get_user_model().objects.filter(pk__in=queryset.values("pk")).order_by("full_name", "email"))


def delegates_of(users, on=None):
    """{delegator id: [delegates]} for the delegations in force among ``users``."""
    result: dict[int, list] = {}
    delegations = Delegation.objects.active(on).filter(delegator__in=users, delegate__is_active=True)
    for delegation in delegations.select_related("delegate"):
        result.setdefault(delegation.delegator_id, []).append(delegation.delegate)
    return result


@dataclass(frozen=True)
class Identity:
    """Who a responder answers as: themselves, or an approver under a delegation."""

    approver: object
    delegation: Delegation | None = None

    @property
    def on_behalf_of(self):
        return self.approver if self.delegation is not None else None


def identities(step, user, on=None):
    """Whom ``user`` can answer ``step`` as, now: themselves if they are an approver not yet
    counted, then each approver who delegated to them and is not yet counted."""
    request = step.request
    if user.pk == request.requested_by_id or not can_respond(user):
        return []
    if step.responses.filter(approver=user).exists():
        return []
    approver_ids = set(step.approvers.values_list("pk", flat=True))
    counted = {response.counts_for_id for response in step.responses.all()}
    found = []
    if user.pk in approver_ids and user.pk not in counted:
        found.append(Identity(user))
    delegations = (
        Delegation.objects.active(on)
        .filter(delegate=user, delegator_id__in=approver_ids)
        .exclude(delegator_id__in=counted | {request.requested_by_id})
        .select_related("delegator")
        .order_by("delegator__full_name", "-starts")
    )
    seen = set()
    for delegation in delegations:
        if delegation.delegator_id not in seen:
            seen.add(delegation.delegator_id)
            found.append(Identity(delegation.delegator, delegation))
    return found


def check_can_respond(step, user, on_behalf_of=None, on=None):
    """The identity ``user`` answers ``step`` as. ``PermissionDenied`` (403) when they may not
    answer it at all, ``ValidationError`` when they already have."""
    request = step.request
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied("Sign in to respond to approvals.")
    if user.pk == request.requested_by_id:
        raise PermissionDenied(
            "You requested this approval. The author of a request may not approve or reject it "
            "(segregation of duties)."
        )
    if not can_respond(user):
        raise PermissionDenied("You do not have permission to respond to approvals.")
    earlier = step.responses.filter(approver=user).first()
    if earlier is not None:
        raise ValidationError(
            f"You already responded to this step ({earlier.get_decision_display().lower()}, "
            f"{date_format(timezone.localtime(earlier.responded_at), 'DATETIME_FORMAT')})."
        )
    options = identities(step, user, on)
    if on_behalf_of is not None:
        wanted = on_behalf_of.pk if hasattr(on_behalf_of, "pk") else int(on_behalf_of)
        match = next((identity for identity in options if identity.approver.pk == wanted), None)
        if match is None:
            raise PermissionDenied(
                "You cannot respond for that person on this step: they are not an approver on it, "
                "have not delegated to you, or have already been counted."
            )
        return match
    if options:
        return options[0]
    on_step = step.approvers.filter(pk=user.pk).exists()
    delegated = Delegation.objects.active(on).filter(delegate=user, delegator__in=step.approvers.all())
    if on_step or delegated.exists():
        raise ValidationError("Every approver you can answer for on this step has already responded.")
    raise PermissionDenied(
        f"You are not an approver on step {step.order} “{step.name}” of {request.number}, "
        "and no approver on it has delegated to you."
    )


def create_delegation(by, delegate, starts, ends, reason="", delegator=None):
    """``by`` delegates their approvals (or ``delegator``'s, with ``approvals.change_delegation``)
    to ``delegate`` from ``starts`` to ``ends`` (dates, both included)."""
    delegator = delegator or by
    if delegator.pk != by.pk and not by.has_perm("approvals.change_delegation"):
        raise PermissionDenied("You may only delegate your own approvals.")
    if not by.has_perm("approvals.add_delegation"):
        raise PermissionDenied("You do not have permission to delegate approvals.")
    delegation = Delegation(delegator=delegator, delegate=delegate, starts=starts, ends=ends, reason=reason)
    _check_delegation(delegation)
    with transaction.atomic():
        delegation.save()
        emit(
            "approval.delegated",
            obj=delegation,
            message=f"{delegator} delegated approvals to {delegate} from {starts} to {ends}",
            data={"delegator": delegator.pk, "delegate": delegate.pk},
        )
    return delegation


def update_delegation(delegation, by, **changes):
    """Change a delegation's dates, delegate or reason (its delegator, or a manager)."""
    if delegation.is_archived:
        raise ValidationError("A withdrawn delegation cannot be changed.")
    if delegation.delegator_id != by.pk and not by.has_perm("approvals.change_delegation"):
        raise PermissionDenied("You may only change your own delegations.")
    for name, value in changes.items():
        setattr(delegation, name, value)
    _check_delegation(delegation)
    with transaction.atomic():
        delegation.save()
    return delegation


def withdraw_delegation(delegation, by, reason=""):
    """End a delegation now: it is archived with the reason."""
    if delegation.delegator_id != by.pk and not by.has_perm("approvals.change_delegation"):
        raise PermissionDenied("You may only withdraw your own delegations.")
    if delegation.is_archived:
        raise ValidationError("This delegation is already withdrawn.")
    with transaction.atomic():
        delegation.archive((reason or "").strip() or f"Withdrawn by {by}")
        emit(
            "approval.delegation_withdrawn",
            obj=delegation,
            message=f"{delegation.delegator}'s delegation to {delegation.delegate} was withdrawn",
        )
    return delegation


def _check_delegation(delegation):
    delegation.full_clean(exclude=["delegator", "delegate"] if delegation.delegate_id is None else None)
    errors: dict[str, list[str]] = {}
    delegate = delegation.delegate
    if not delegate.is_active:
        errors.setdefault("delegate", []).append(f"{delegate} is not an active user.")
    elif not can_respond(delegate):
        errors.setdefault("delegate", []).append(
            f"{delegate} cannot respond to approvals: choose someone whose role lets them approve."
        )
    overlapping = (
        Delegation.objects.filter(delegator=delegation.delegator, is_archived=False)
        .filter(starts__lte=delegation.ends, ends__gte=delegation.starts)
        .exclude(pk=delegation.pk)
        .first()
    )
    if overlapping is not None:
        errors.setdefault("starts", []).append(
            f"These dates overlap the delegation to {overlapping.delegate} "
            f"({overlapping.starts:%Y-%m-%d} to {overlapping.ends:%Y-%m-%d}); withdraw or change that one first."
        )
    if errors:
        raise ValidationError(errors)


# --- Starting -----------------------------------------------------------------------------------


def current_request(obj):
    """The open (pending) approval request of ``obj``, or None."""
    return (
        ApprovalRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=True),
            object_id=str(obj.pk),
            status=RequestStatusChoices.PENDING,
        )
        .select_related("template", "requested_by")
        .first()
    )


def with_history(queryset):
    responses = ApprovalResponse.objects.select_related("approver", "on_behalf_of", "signature").order_by(
        "responded_at", "id"
    )
    steps = StepInstance.objects.select_related("escalate_to").prefetch_related(
        "approvers", "approver_roles", Prefetch("responses", queryset=responses)
    )
    return (
        queryset.select_related("template", "requested_by", "content_type")
        .prefetch_related(Prefetch("steps", queryset=steps.order_by("order")))
        .order_by("-created", "-id")
    )


def requests_for(obj):
    """Every approval request of ``obj``, newest first, with steps, approvers, responses and
    signatures loaded (the record's whole approval history)."""
    return with_history(
        ApprovalRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=True),
            object_id=str(obj.pk),
        )
    )


def load_requests(pks):
    """The requests ``pks`` with their whole history loaded (see ``requests_for``)."""
    return with_history(ApprovalRequest.objects.filter(pk__in=pks))


def with_signature_status(requests):
    """The requests (history loaded) as a list, each response's signature marked with
    ``matches_current``: whether the record still has the content that was signed."""
    requests = list(requests)
    annotate_matches(
        response.signature
        for request in requests
        for step in request.steps.all()
        for response in step.responses.all()
    )
    return requests


def outcome(obj):
    """The status of ``obj``'s latest approval request that was not cancelled, or None."""
    latest = (
        ApprovalRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=True),
            object_id=str(obj.pk),
        )
        .exclude(status=RequestStatusChoices.CANCELLED)
        .order_by("-created", "-id")
        .first()
    )
    return latest.status if latest else None


def is_approved(obj):
    """Whether ``obj``'s latest approval (not counting cancelled ones) ended approved."""
    return outcome(obj) == RequestStatusChoices.APPROVED


def can_request_approval(user, obj):
    return bool(user and user.is_authenticated and visible(user, obj, "change"))


def start_approval(obj, template, requested_by, note=""):
    """Start ``template`` (an ApprovalTemplate or its code) on ``obj`` for ``requested_by``, who
    must be allowed to change the record. Returns the ApprovalRequest; its first step is
    notified. ``ValidationError`` when the template does not fit or a step has nobody to approve
    it, or an approval is already open on the record."""
    if not can_request_approval(requested_by, obj):
        raise PermissionDenied(f"You may not request approval of this {obj._meta.verbose_name}.")
    if getattr(obj, "is_archived", False):
        raise ValidationError("The record is archived: restore it before requesting approval.")
    template = get_template(template, type(obj))
    steps = list(
        template.steps.order_by("order").select_related("escalate_to").prefetch_related("approver_roles")
    )
    if not steps:
        raise ValidationError({"template": f"The template “{template}” has no steps."})
    plan = []
    problems = []
    for step in steps:
        approvers = step_approvers(step, exclude=requested_by)
        if not approvers:
            problems.append(
                f"Step {step.order} “{step.name}” has nobody who can approve it (besides you, the requester)."
            )
        elif step.quorum == QuorumChoices.N_OF_M and (step.required_approvals or 1) > len(approvers):
            problems.append(
                f"Step {step.order} “{step.name}” needs {step.required_approvals} approvals "
                f"but only {len(approvers)} people can approve it."
            )
        plan.append((step, approvers))
    if problems:
        raise ValidationError({"template": problems})
    existing = current_request(obj)
    if existing is not None:
        raise ValidationError(f"An approval is already open on this record: {existing.number}.")
    content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=True)
    try:
        with transaction.atomic():
            request = ApprovalRequest(
                content_type=content_type,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                template=template,
                requested_by=requested_by,
                note=(note or "").strip(),
                content_hash=content_hash(obj),
            )
            request.save()
            instances = []
            for step, approvers in plan:
                instance = StepInstance(
                    request=request,
                    step=step,
                    order=step.order,
                    name=step.name,
                    instructions=step.instructions,
                    quorum=step.quorum,
                    required_approvals=_required(step, approvers),
                    due_within=step.due_within,
                    escalate_to=step.escalate_to,
                )
                instance.save()
                instance.approvers.set(approvers)
                instance.approver_roles.set(step.approver_roles.all())
                instances.append(instance)
            emit(
                "approval.requested",
                obj=obj,
                message=f"{requested_by} requested approval ({template}): {request.number}",
                data={"request": request.number, "template": template.code},
            )
            _activate(instances[0])
    except IntegrityError:
        # Someone else opened an approval on the record at the same moment.
        raise ValidationError("An approval is already open on this record.")
    return request


def _required(step, approvers):
    if step.quorum == QuorumChoices.ALL:
        return len(approvers)
    if step.quorum == QuorumChoices.N_OF_M:
        return step.required_approvals or 1
    return 1


def _activate(instance, now=None):
    now = now or timezone.now()
    instance.status = StepStatusChoices.ACTIVE
    instance.activated_at = now
    instance.due_at = now + instance.due_within if instance.due_within else None
    instance.save()
    request = instance.request
    request.current_step = instance.order
    request.save()
    approvers = list(instance.approvers.all())
    recipients = _with_delegates(approvers)
    record = request.record
    due = f" It is due {_when(instance.due_at)}." if instance.due_at else ""
    _notify(
        "approval.request",
        recipients,
        subject=f"Approval needed: {request.object_repr}",
        message=(
            f"{request.requested_by} asks for your approval of {request.object_repr} "
            f"({request.template}, step {instance.order}: {instance.name}).{due}"
            + (f"\n\nNote: {request.note}" if request.note else "")
            + (f"\n\nWhat to check: {instance.instructions}" if instance.instructions else "")
        ),
        obj=record,
        url=request.get_absolute_url(),
    )
    _schedule_reminders(instance, recipients)


def _with_delegates(approvers):
    delegates = delegates_of(approvers)
    recipients = list(approvers)
    for approver in approvers:
        recipients.extend(d for d in delegates.get(approver.pk, []) if d not in recipients)
    return recipients


def _when(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- Responding ---------------------------------------------------------------------------------


PAST_TENSE = {DecisionChoices.APPROVE: "approved", DecisionChoices.REJECT: "rejected"}


@dataclass(frozen=True)
class ResponseComment:
    """One comment made on a request, as the author reads it after a rejection."""

    step: str
    approver: str
    on_behalf_of: str
    decision: str
    comment: str
    time: datetime.datetime

    def __str__(self):
        who = f"{self.approver} for {self.on_behalf_of}" if self.on_behalf_of else self.approver
        verb = PAST_TENSE.get(self.decision, self.decision)
        return f"{who} ({self.step}), {verb}: {self.comment}"


def comments_of(request):
    """Every comment made on ``request``, oldest first."""
    responses = (
        ApprovalResponse.objects.filter(step__request=request)
        .exclude(comment="")
        .select_related("step", "approver", "on_behalf_of")
        .order_by("responded_at", "id")
    )
    return [
        ResponseComment(
            step=f"step {response.step.order}: {response.step.name}",
            approver=str(response.approver),
            on_behalf_of=str(response.on_behalf_of) if response.on_behalf_of_id else "",
            decision=response.decision,
            comment=response.comment,
            time=response.responded_at,
        )
        for response in responses
    ]


def _as_request(req_or_step):
    if isinstance(req_or_step, StepInstance):
        return req_or_step.request, req_or_step
    if isinstance(req_or_step, ApprovalRequest):
        return req_or_step, None
    raise TypeError("respond() takes an ApprovalRequest or a StepInstance")


def respond(
    req_or_step,
    user,
    decision,
    comment="",
    password="",
    otp="",
    email="",
    on_behalf_of=None,
    http_request=None,
):
    """``user`` approves or rejects the open step of a request, signing with ``password`` (and
    ``email`` and ``otp`` when ``signatures.services.requirements`` asks for them). Returns the
    ApprovalResponse.

    Raises ``PermissionDenied`` when ``user`` is not an approver of the step (nor a delegate of
    one), requested the approval, or may not see the record; ``ValidationError`` for a bad
    decision, a rejection without a comment, a closed request or a step already answered;
    ``SigningError`` (a ValidationError with ``.errors``) for a wrong password or code. Nothing
    is recorded unless the response is, except the failed signing attempt, which counts toward
    the lockout.
    """
    request, step = _as_request(req_or_step)
    comment = (comment or "").strip()
    if decision not in DecisionChoices.values():
        raise ValidationError({"decision": "Choose approve or reject."})
    if decision == DecisionChoices.REJECT and not comment:
        raise ValidationError({"comment": "Say why you reject it: the author reads your comment."})
    # Who may answer is decided before the signer's components are checked, so that someone who
    # is not on the step is refused (403) without a signing attempt being counted.
    _check_open(request, step, user, on_behalf_of)
    # Verified outside the transaction: a failed attempt is written (and counted) even though
    # nothing else is.
    verified = verify_signer(user, password=password, otp=otp, email=email, request=http_request)
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        step, identity, record = _check_open(request, step, user, on_behalf_of)
        signed_comment = comment
        if identity.on_behalf_of is not None:
            signed_comment = f"On behalf of {identity.approver} (delegation). {comment}".strip()
        signature = sign(
            user,
            record,
            meaning=DecisionChoices.MEANINGS[decision],
            comment=signed_comment,
            request=http_request,
            verified=verified,
        )
        response = ApprovalResponse(
            step=step,
            approver=user,
            on_behalf_of=identity.on_behalf_of,
            delegation=identity.delegation,
            decision=decision,
            comment=comment,
            signature=signature,
        )
        response.save()
        emit(
            "approval.responded",
            obj=record,
            message=f"{response} on {request.number} step {step.order} ({step.name})",
            data={"request": request.number, "step": step.order, "decision": decision},
        )
        _evaluate(request, step, response, record)
    return response


def _check_open(request, step, user, on_behalf_of):
    """(the active step, the identity ``user`` answers as, the record), or the reason not."""
    if not request.is_open:
        raise ValidationError(f"{request.number} is {request.get_status_display().lower()}: it is closed.")
    active = request.steps.filter(status=StepStatusChoices.ACTIVE).first()
    if active is None or (step is not None and step.pk != active.pk):
        raise ValidationError("This step is not awaiting approval.")
    identity = check_can_respond(active, user, on_behalf_of)
    record = request.record
    if record is None:
        raise ValidationError("The record of this approval no longer exists.")
    if not visible(user, record):
        raise PermissionDenied("You may not see this record, so you cannot approve or reject it.")
    return active, identity, record


def _evaluate(request, step, response, record):
    now = timezone.now()
    if response.decision == DecisionChoices.REJECT:
        _reject(request, step, record, now)
        return
    counted = step.approvals_counted()
    if len(counted) < step.required_approvals:
        return
    step.status = StepStatusChoices.APPROVED
    step.resolved_at = now
    step.save()
    _cancel_reminders(step)
    emit(
        "approval.step_approved",
        obj=record,
        message=f"{request.number} step {step.order} ({step.name}) approved",
        data={"request": request.number, "step": step.order},
    )
    following = request.steps.filter(status=StepStatusChoices.WAITING).order_by("order").first()
    if following is not None:
        _activate(following, now)
        return
    request.status = RequestStatusChoices.APPROVED
    request.current_step = None
    request.completed_at = now
    request.save()
    emit(
        "approval.approved",
        obj=record,
        message=f"{request.number} approved: {request.object_repr}",
        data={"request": request.number, "template": request.template.code},
    )
    _notify(
        "approval.decision",
        [request.requested_by],
        subject=f"Approved: {request.object_repr}",
        message=f"{request.object_repr} was approved ({request.template}, {request.number}).",
        obj=record,
        url=_record_url(record, request),
    )
    with change_reason(f"Approved through {request.number}"):
        hook = getattr(record, "on_approval_approved", None)
        if callable(hook):
            hook(request)
        signals.approval_approved.send(sender=type(record), request=request, obj=record)


def _reject(request, step, record, now):
    step.status = StepStatusChoices.REJECTED
    step.resolved_at = now
    step.save()
    _cancel_reminders(step)
    _close_remaining(request)
    request.status = RequestStatusChoices.REJECTED
    request.current_step = None
    request.completed_at = now
    request.save()
    comments = comments_of(request)
    emit(
        "approval.rejected",
        obj=record,
        message=f"{request.number} rejected at step {step.order} ({step.name})",
        data={"request": request.number, "step": step.order},
    )
    lines = "\n".join(f"- {comment}" for comment in comments)
    _notify(
        "approval.decision",
        [request.requested_by],
        subject=f"Rejected: {request.object_repr}",
        message=(
            f"{request.object_repr} was rejected at step {step.order} ({step.name}) of "
            f"{request.number}. It is back with you to rework.\n\nComments:\n{lines}"
        ),
        obj=record,
        url=_record_url(record, request),
        urgent=False,
    )
    with change_reason(f"Rejected through {request.number}"):
        hook = getattr(record, "on_approval_rejected", None)
        if callable(hook):
            hook(request, comments)
        signals.approval_rejected.send(sender=type(record), request=request, obj=record, comments=comments)


def _close_remaining(request, now=None):
    """Steps the request will not reach any more are closed (and their reminders cancelled)."""
    for other in request.steps.filter(status__in=(StepStatusChoices.WAITING, StepStatusChoices.ACTIVE)):
        was_active = other.status == StepStatusChoices.ACTIVE
        other.status = StepStatusChoices.CANCELLED
        other.resolved_at = now or timezone.now()
        other.save()
        if was_active:
            _cancel_reminders(other)


def _record_url(record, request):
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    return f"{url}approval/" if url else request.get_absolute_url()


# --- Cancelling ---------------------------------------------------------------------------------


def can_cancel(user, request):
    return bool(
        request.is_open
        and user.is_authenticated
        and (user.pk == request.requested_by_id or user.has_perm("approvals.change_approvalrequest"))
    )


def cancel_approval(request, user, reason):
    """Withdraw an open request (its requester, or someone who manages approval requests)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason for cancelling."})
    with transaction.atomic():
        request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
        if not request.is_open:
            raise ValidationError(f"{request.number} is already {request.get_status_display().lower()}.")
        if not can_cancel(user, request):
            raise PermissionDenied("Only the requester or a manager of approvals may cancel this request.")
        record = request.record
        with change_reason(reason):
            _close_remaining(request)
            request.status = RequestStatusChoices.CANCELLED
            request.current_step = None
            request.completed_at = timezone.now()
            request.cancel_reason = reason
            request.save()
            emit(
                "approval.cancelled",
                obj=record if record is not None else request,
                message=f"{request.number} cancelled by {user}: {reason}",
                data={"request": request.number, "reason": reason},
            )
            if record is not None:
                hook = getattr(record, "on_approval_cancelled", None)
                if callable(hook):
                    hook(request)
                signals.approval_cancelled.send(sender=type(record), request=request, obj=record)
    return request


# --- Escalation ---------------------------------------------------------------------------------


def escalation_role(step):
    if step.escalate_to_id:
        return step.escalate_to
    name = getattr(settings, "QUALITAS_APPROVAL_ESCALATION_ROLE", "")
    return Group.objects.filter(name=name).first() if name else None


def overdue_steps(now=None):
    now = now or timezone.now()
    return StepInstance.objects.filter(
        status=StepStatusChoices.ACTIVE,
        request__status=RequestStatusChoices.PENDING,
        due_at__lt=now,
        escalated_at__isnull=True,
    )


def escalate_overdue(now=None):
    """Escalate every overdue step once: mark it and notify its escalation role. Returns the
    steps escalated."""
    now = now or timezone.now()
    escalated = []
    for candidate in overdue_steps(now).order_by("due_at").values_list("pk", flat=True):
        with transaction.atomic():
            step = StepInstance.objects.select_for_update().select_related("request").get(pk=candidate)
            if step.escalated_at is not None or step.status != StepStatusChoices.ACTIVE:
                continue
            step.escalated_at = now
            step.save()
            request = step.request
            role = escalation_role(step)
            recipients = (
                list(get_user_model().objects.filter(groups=role, is_active=True).order_by("pk"))
                if role
                else []
            )
            late = now - step.due_at
            waiting_for = ", ".join(str(u) for u in _not_yet_counted(step)) or "nobody"
            record = request.record
            emit(
                "approval.escalated",
                obj=record if record is not None else request,
                message=f"{request.number} step {step.order} ({step.name}) overdue; escalated to "
                f"{role.name if role else 'nobody (no escalation role)'}",
                data={"request": request.number, "step": step.order, "role": role.name if role else ""},
            )
            _notify(
                "approval.escalation",
                recipients,
                subject=f"Overdue approval: {request.object_repr}",
                message=(
                    f"Step {step.order} ({step.name}) of {request.number} for {request.object_repr} "
                    f"was due {_when(step.due_at)} and is {duration_label(late)} late. "
                    f"Still waiting for: {waiting_for}."
                ),
                obj=record,
                url=request.get_absolute_url(),
                urgent=True,
            )
            escalated.append(step)
    return escalated


def _not_yet_counted(step):
    counted = step.approvals_counted()
    return [user for user in step.approvers.all() if user.pk not in counted]


# --- Notifications (all calls to the notifications service are here) ---------------------------


def _notify(kind, recipients, subject, message, obj=None, url="", urgent=None):
    recipients = [user for user in recipients if user is not None and user.is_active]
    if not recipients:
        return []
    return notifications.notify(
        kind, recipients=recipients, subject=subject, message=message, obj=obj, url=url, urgent=urgent
    )


def reminder_lead_times(due_within):
    """The configured lead times shorter than ``due_within`` (a reminder before the step even
    started would be noise)."""
    hours = getattr(settings, "QUALITAS_APPROVAL_REMINDER_HOURS", (24, 2))
    return tuple(
        datetime.timedelta(hours=h)
        for h in sorted(set(hours), reverse=True)
        if datetime.timedelta(hours=h) < due_within
    )


def _schedule_reminders(step, recipients):
    if step.due_at is None or not recipients:
        return
    # Reminders before the due time; at the due time the notifications service tells the
    # approvers the step is overdue (the escalation to a role is escalate_overdue's).
    lead_times = reminder_lead_times(step.due_within)
    request = step.request
    notifications.schedule_reminder(
        "task.reminder",
        recipients,
        step,
        due=step.due_at,
        subject=f"Approval due: {request.object_repr}",
        message=(
            f"Step {step.order} ({step.name}) of {request.number} for {request.object_repr} "
            f"is due {_when(step.due_at)}."
        ),
        lead_times=lead_times,
        url=f"{request.get_absolute_url()}respond/",
    )


def _cancel_reminders(step):
    """A step closed: its reminders stop, and its approvers' "approval needed" notifications no
    longer count as unread (whoever answered, the step needs nobody any more)."""
    notifications.cancel_reminders(step)
    request = step.request
    record = request.record
    if record is not None:
        notifications.settle("approval.request", record, url=request.get_absolute_url())


# --- Templates ----------------------------------------------------------------------------------


def save_step(step, roles, users):
    """Save a template step with its approver roles and named approvers (at least one of them)."""
    if not roles and not users:
        raise ValidationError({"approver_roles": "Choose at least one approver role or named approver."})
    cannot = [user for user in users if not can_respond(user)]
    if cannot:
        names = ", ".join(str(user) for user in cannot)
        raise ValidationError(
            {"approver_users": f"{names} cannot respond to approvals: give them a role that approves."}
        )
    step.full_clean(exclude=["template"])
    if ApprovalStep.objects.filter(template=step.template_id, order=step.order).exclude(pk=step.pk).exists():
        raise ValidationError({"order": f"The template already has a step {step.order}."})
    with transaction.atomic():
        step.save()
        step.approver_roles.set(roles)
        step.approver_users.set(users)
    return step


def seed_demo_templates():
    """Demo templates for ``seed_demo``: a one-step release by a QA Manager, and a two-step
    document release (Document Controller review, then QA Manager approval). Idempotent."""
    qa_manager = Group.objects.get(name="QA Manager")
    document_controller = Group.objects.get(name="Document Controller")
    definitions = [
        (
            "standard-release",
            "Standard release: QA Manager approves",
            "One QA Manager reviews and approves the record.",
            [("QA Manager approval", [qa_manager], QuorumChoices.ANY, None, datetime.timedelta(days=3))],
        ),
        (
            "document-release",
            "Document release: review, then approval",
            "A Document Controller checks form and numbering, then a QA Manager approves the content.",
            [
                (
                    "Document control review",
                    [document_controller],
                    QuorumChoices.ANY,
                    None,
                    datetime.timedelta(days=2),
                ),
                ("QA Manager approval", [qa_manager], QuorumChoices.ANY, None, datetime.timedelta(days=3)),
            ],
        ),
    ]
    templates = []
    with transaction.atomic():
        for code, name, description, steps in definitions:
            template, created = ApprovalTemplate.objects.get_or_create(
                code=code, defaults={"name": name, "description": description}
            )
            if created:
                for order, (step_name, roles, quorum, required, due) in enumerate(steps, start=1):
                    step = ApprovalStep.objects.create(
                        template=template,
                        order=order,
                        name=step_name,
                        quorum=quorum,
                        required_approvals=required,
                        due_within=due,
                        escalate_to=qa_manager,
                    )
                    step.approver_roles.set(roles)
            templates.append(template)
    return templates


def replace_steps(template, steps):
    """Make ``template``'s steps match ``steps`` (dicts of step fields, with ``approver_roles`` and
    ``approver_users`` lists), matching existing steps by order. Used by the API."""
    existing = {step.order: step for step in template.steps.all()}
    wanted = {data["order"] for data in steps if "order" in data}
    if len(wanted) != len(steps):
        raise ValidationError({"steps": "Give every step a different order."})
    with transaction.atomic():
        for order, step in existing.items():
            if order not in wanted:
                remove_step(step)
        for data in sorted(steps, key=lambda d: d["order"]):
            data = dict(data)
            roles = data.pop("approver_roles", [])
            users = data.pop("approver_users", [])
            step = existing.get(data["order"]) or ApprovalStep(template=template)
            for name, value in data.items():
                setattr(step, name, value)
            try:
                save_step(step, roles, users)
            except ValidationError as error:
                raise ValidationError({"steps": [f"Step {data['order']}: {m}" for m in error.messages]})
    return template


def remove_step(step):
    """Remove a step from its template. Requests already started keep their copy of it."""
    with transaction.atomic():
        # Audited, not left to the cascade (which would null the references without a trace).
        StepInstance.objects.filter(step=step).update(step=None)
        step.approver_roles.clear()
        step.approver_users.clear()
        step.delete()


@dataclass(frozen=True)
class InboxRow:
    step: StepInstance
    as_self: bool
    for_whom: tuple

    @property
    def request(self):
        return self.step.request


def inbox_rows(user):
    """The inbox with, for each step, whether ``user`` answers as themselves and for whom they
    stand in (a fixed number of queries)."""
    steps = list(inbox(user).prefetch_related("approvers", "responses"))
    delegators = {
        delegation.delegator_id: delegation.delegator
        for delegation in Delegation.objects.active().filter(delegate=user).select_related("delegator")
    }
    rows = []
    for step in steps:
        approver_ids = [approver.pk for approver in step.approvers.all()]
        counted = {response.counts_for_id for response in step.responses.all()}
        as_self = user.pk in approver_ids and user.pk not in counted
        for_whom = tuple(delegators[pk] for pk in approver_ids if pk in delegators and pk not in counted)
        rows.append(InboxRow(step=step, as_self=as_self, for_whom=for_whom))
    return rows


def awaiting(queryset, user):
    """``queryset`` (records of one type) narrowed to the records with a step awaiting ``user``'s
    response, directly or by delegation: a module's "Needs my approval" filter."""
    content_type = ContentType.objects.get_for_model(queryset.model, for_concrete_model=True)
    object_ids = open_steps_for(user).filter(request__content_type=content_type).values("request__object_id")
    return queryset.annotate(_approval_object_id=Cast("pk", CharField(max_length=64))).filter(
        _approval_object_id__in=object_ids
    )


def inbox(user):
    """The steps awaiting ``user``'s response (directly or by delegation), oldest due first."""
    return (
        open_steps_for(user)
        .select_related("request", "request__requested_by", "request__template", "request__content_type")
        .order_by(F("due_at").asc(nulls_last=True), "request__created", "pk")
    )
