"""Approval pages: templates and their steps, requests, the "needs my approval" inbox, the
Approval tab on every record, and delegations. Each view parses input, calls a service in
``services.py`` and renders the result."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from qualitas.approvals import services
from qualitas.approvals.filtersets import (
    ApprovalRequestFilterSet,
    ApprovalTemplateFilterSet,
    DelegationFilterSet,
)
from qualitas.approvals.forms import (
    ApprovalStepForm,
    ApprovalTemplateForm,
    CancelRequestForm,
    DelegationForm,
    RequestApprovalForm,
    RespondForm,
    add_service_errors,
)
from qualitas.approvals.models import ApprovalRequest, ApprovalStep, ApprovalTemplate, Delegation
from qualitas.approvals.tables import ApprovalRequestTable, ApprovalTemplateTable, DelegationTable
from qualitas.framework.actions import TransitionNotAllowed
from qualitas.framework.forms import ReasonForm
from qualitas.framework.records import get_record_for_type
from qualitas.framework.ui.panels import FieldsPanel, Panel, TextPanel, display_value
from qualitas.framework.ui.tabs import Tab, register_tab
from qualitas.framework.views.generic import ModelViews, RecordTabView
from qualitas.framework.views.generic.viewset import EditView, RecordView
from qualitas.signatures.services import content_hash, requirements

# --- Panels -------------------------------------------------------------------------------------


class RecordTypesPanel(Panel):
    template_name = "framework/panels/fields.html"

    def context(self, obj, request):
        types = [
            str(ct.model_class()._meta.verbose_name_plural).capitalize()
            for ct in obj.record_types.all()
            if ct.model_class() is not None
        ]
        return {"rows": [("Offered for", ", ".join(sorted(types)) or "Every record type")]}


class StepsPanel(Panel):
    template_name = "approvals/panels/steps.html"

    def context(self, obj, request):
        steps = obj.steps.select_related("escalate_to").prefetch_related("approver_roles", "approver_users")
        can_change = request.user.has_perm("approvals.change_approvaltemplate") and not obj.is_archived
        return {"steps": steps, "can_change": can_change}


class RequestPanel(Panel):
    template_name = "framework/panels/fields.html"

    def context(self, obj, request):
        record = _visible_record(request.user, obj)
        record_cell = display_value(obj, "object_repr")
        if record is not None and hasattr(record, "get_absolute_url"):
            record_cell = _link(f"{record.get_absolute_url()}approval/", obj.object_repr)
        rows = [
            ("Record", record_cell),
            ("Status", display_value(obj, "status")),
            ("Template", display_value(obj, "template")),
            ("Requested by", display_value(obj, "requested_by")),
            ("Requested", display_value(obj, "created")),
            ("Completed", display_value(obj, "completed_at")),
        ]
        if obj.cancel_reason:
            rows.append(("Cancelled because", obj.cancel_reason))
        if record is not None and obj.content_hash:
            unchanged = content_hash(record) == obj.content_hash
            rows.append(
                (
                    "Record since the request",
                    "unchanged" if unchanged else _badge("warning", "changed since approval was requested"),
                )
            )
        return {"rows": rows}


class RequestStepsPanel(Panel):
    template_name = "approvals/panels/request_steps.html"

    def context(self, obj, request):
        (loaded,) = services.with_signature_status(services.load_requests([obj.pk]))
        step = loaded.active_step()
        return {
            "approval": loaded,
            "can_respond": bool(step and services.identities(step, request.user)),
            "can_cancel": services.can_cancel(request.user, loaded),
        }


def _badge(color, text):
    return format_html('<span class="badge text-bg-{}">{}</span>', color, text)


def _link(url, text):
    return format_html('<a href="{}">{}</a>', url, text)


def _visible_record(user, approval):
    try:
        return get_record_for_type(user, approval.content_type, approval.object_id)
    except Http404:
        return None


# --- Templates and steps ------------------------------------------------------------------------


class ApprovalTemplateViews(ModelViews):
    model = ApprovalTemplate
    table = ApprovalTemplateTable
    filterset = ApprovalTemplateFilterSet
    form = ApprovalTemplateForm
    panels = (
        FieldsPanel("Template", ("name", "code", "is_active")),
        StepsPanel("Steps"),
        RecordTypesPanel("Records"),
        TextPanel("Description", "description"),
    )

    @classmethod
    def urls(cls):
        return [
            path(
                "approval-templates/<int:pk>/steps/add/",
                StepEditView.as_view(viewset=cls),
                name="approvalstep_add",
            ),
            path(
                "approval-templates/<int:pk>/steps/<int:step>/edit/",
                StepEditView.as_view(viewset=cls),
                name="approvalstep_edit",
            ),
            path(
                "approval-templates/<int:pk>/steps/<int:step>/remove/",
                StepRemoveView.as_view(viewset=cls),
                name="approvalstep_remove",
            ),
            *super().urls(),
        ]


class StepView(RecordView):
    """The pages of one template's steps: they change the template."""

    def editable_template(self):
        self.require("change")
        template = self.get_object("change")
        if template.is_archived:
            raise PermissionDenied("Archived templates cannot be edited; restore it first.")
        return template


class StepEditView(StepView):
    """Add or edit one step of a template (needs ``approvals.change_approvaltemplate``)."""

    def target(self):
        template = self.editable_template()
        step = None
        if "step" in self.kwargs:
            step = get_object_or_404(ApprovalStep, pk=self.kwargs["step"], template=template)
        return template, step

    def get(self, request, pk, step=None):
        template, step = self.target()
        return self.render_form(template, step, ApprovalStepForm(instance=step, template=template))

    def post(self, request, pk, step=None):
        template, step = self.target()
        form = ApprovalStepForm(request.POST, instance=step, template=template)
        if form.is_valid():
            try:
                saved = form.save_step()
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Step {saved.order} “{saved.name}” saved.")
                return redirect(template.get_absolute_url())
        return self.render_form(template, step, form, status=400)

    def render_form(self, template, step, form, status=200):
        context = {**self.base_context(template), "form": form, "step": step}
        return render(self.request, "approvals/step_form.html", context, status=status)


class StepRemoveView(StepView):
    def target(self):
        template = self.editable_template()
        return template, get_object_or_404(ApprovalStep, pk=self.kwargs["step"], template=template)

    def get(self, request, pk, step):
        template, step = self.target()
        context = {**self.base_context(template), "step": step}
        return render(request, "approvals/step_remove.html", context)

    def post(self, request, pk, step):
        template, step = self.target()
        services.remove_step(step)
        messages.success(request, f"Step {step.order} “{step.name}” removed.")
        return redirect(template.get_absolute_url())


# --- Requests -----------------------------------------------------------------------------------


class ApprovalRequestViews(ModelViews):
    """Requests are started from a record's Approval tab (or by a module) and answered on their
    respond page; they are never edited."""

    model = ApprovalRequest
    table = ApprovalRequestTable
    filterset = ApprovalRequestFilterSet
    can_create = can_edit = False
    panels = (
        RequestPanel("Request"),
        TextPanel("Note for the approvers", "note"),
        RequestStepsPanel("Steps"),
    )

    @classmethod
    def urls(cls):
        return [
            path(
                "approval-requests/<int:pk>/respond/",
                RespondView.as_view(viewset=cls),
                name="approvalrequest_respond",
            ),
            path(
                "approval-requests/<int:pk>/cancel/",
                CancelView.as_view(viewset=cls),
                name="approvalrequest_cancel",
            ),
            *super().urls(),
        ]

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)


def _safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class RespondView(RecordView):
    """Approve or reject the open step of a request, signed."""

    def target(self):
        self.require("view")
        approval = self.get_object()
        step = approval.active_step()
        if step is None:
            raise Http404("This request is not awaiting approval.")
        # 403 with the reason (not on the step, the requester, ...) before any form is shown;
        # someone who has already answered is sent back to the request.
        services.check_can_respond(step, self.request.user)
        return approval, step

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
            return redirect(reverse("approvals:approvalrequest_detail", args=[kwargs["pk"]]))

    def form(self, step, data=None):
        user = self.request.user
        return RespondForm(
            data,
            identities=services.identities(step, user),
            requirements=requirements(user, self.request),
        )

    def get(self, request, pk):
        approval, step = self.target()
        return self.render_form(approval, step, self.form(step))

    def post(self, request, pk):
        approval, step = self.target()
        form = self.form(step, request.POST)
        if form.is_valid():
            try:
                response = services.respond(step, request.user, http_request=request, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            except TransitionNotAllowed as error:
                form.add_error(None, f"The record could not move on: {'; '.join(error.blockers)}")
            else:
                verb = "approved" if response.decision == "approve" else "rejected"
                messages.success(request, f"You {verb} {approval.object_repr} ({approval.number}).")
                return redirect(_safe_next(request, reverse("approvals:inbox")))
        return self.render_form(approval, step, form, status=400)

    def render_form(self, approval, step, form, status=200):
        context = {
            **self.base_context(approval),
            "approval": services.with_signature_status(services.load_requests([approval.pk]))[0],
            "step": step,
            "form": form,
            "record": _visible_record(self.request.user, approval),
            "record_changed": _record_changed(self.request.user, approval),
            "next": _safe_next(self.request, ""),
        }
        return render(self.request, "approvals/respond.html", context, status=status)


def _record_changed(user, approval):
    record = _visible_record(user, approval)
    return bool(
        record is not None and approval.content_hash and content_hash(record) != approval.content_hash
    )


class CancelView(RecordView):
    def target(self):
        self.require("view")
        approval = self.get_object()
        if not approval.is_open:
            raise Http404("This request is closed.")
        if not services.can_cancel(self.request.user, approval):
            raise PermissionDenied("Only the requester or a manager of approvals may cancel this request.")
        return approval

    def get(self, request, pk):
        approval = self.target()
        return self.render_form(approval, CancelRequestForm())

    def post(self, request, pk):
        approval = self.target()
        form = CancelRequestForm(request.POST)
        if form.is_valid():
            try:
                services.cancel_approval(approval, request.user, form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{approval.number} was cancelled.")
                return redirect(_safe_next(request, approval.get_absolute_url()))
        return self.render_form(approval, form, status=400)

    def render_form(self, approval, form, status=200):
        context = {**self.base_context(approval), "form": form, "next": _safe_next(self.request, "")}
        return render(self.request, "approvals/cancel.html", context, status=status)


# --- The Approval tab on every record -----------------------------------------------------------


class ApprovalTab(RecordTabView):
    """The record's whole approval history, and a form to request approval."""

    tab_name = "approval"
    template_name = "approvals/approval_tab.html"

    def get_context(self, obj):
        user = self.request.user
        history = services.with_signature_status(services.requests_for(obj))
        current = next((approval for approval in history if approval.is_open), None)
        can_request = current is None and services.can_request_approval(user, obj) and not obj_archived(obj)
        step = current.active_step() if current else None
        return {
            "history": history,
            "current": current,
            "can_request": can_request,
            "can_respond": bool(step and services.identities(step, user)),
            "can_cancel": bool(current and services.can_cancel(user, current)),
            "record_changed": bool(
                current and current.content_hash and content_hash(obj) != current.content_hash
            ),
            "tab_url": f"{obj.get_absolute_url()}approval/",
        }

    def get(self, request, pk):
        self.require("view")
        obj = self.get_object()
        return self.render_tab(obj, request_form=RequestApprovalForm(model=self.model))

    def post(self, request, pk):
        self.require("view")
        obj = self.get_object()
        form = RequestApprovalForm(request.POST, model=self.model)
        if form.is_valid():
            try:
                approval = services.start_approval(
                    obj,
                    form.cleaned_data["template"],
                    requested_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Approval requested: {approval.number}.")
                return redirect(f"{obj.get_absolute_url()}approval/")
        return self.render_tab(obj, status=400, request_form=form)


def obj_archived(obj):
    return bool(getattr(obj, "is_archived", False))


register_tab(
    Tab("approval", "Approval", "approval/", applies_to=services.is_approvable, view=ApprovalTab, weight=60)
)


# --- Inbox --------------------------------------------------------------------------------------


class InboxView(LoginRequiredMixin, View):
    """Needs my approval: the open steps I can answer, as myself or for someone away."""

    def get(self, request):
        steps = services.inbox_rows(request.user)
        return render(request, "approvals/inbox.html", {"rows": steps})


# --- Delegations --------------------------------------------------------------------------------


class DelegationViews(ModelViews):
    """Delegations are made through the service (own approvals; others' with
    ``approvals.change_delegation``); archiving one withdraws it."""

    model = Delegation
    table = DelegationTable
    filterset = DelegationFilterSet
    form = DelegationForm
    panels = (FieldsPanel("Delegation", ("delegator", "delegate", "starts", "ends", "reason")),)

    @classmethod
    def urls(cls):
        add, edit = cls.name("add"), cls.name("edit")
        return [
            path("delegations/add/", DelegationEditView.as_view(viewset=cls), name=add),
            path("delegations/<int:pk>/edit/", DelegationEditView.as_view(viewset=cls), name=edit),
            *(pattern for pattern in super().urls() if pattern.name not in (add, edit)),
        ]


class DelegationEditView(EditView):
    def get(self, request, pk=None):
        obj = self.get_target()
        return self.render_form(DelegationForm(instance=obj, user=request.user), obj)

    def post(self, request, pk=None):
        obj = self.get_target()
        instance = Delegation.objects.get(pk=obj.pk) if obj is not None else None
        form = DelegationForm(request.POST, instance=instance, user=request.user)
        if form.is_valid():
            try:
                if obj is None:
                    saved = services.create_delegation(request.user, **form.service_data())
                else:
                    saved = services.update_delegation(obj, request.user, **form.service_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Delegation saved: {saved}.")
                return redirect(saved.get_absolute_url())
        return self.render_form(form, obj, status=400)


class MyDelegationsView(LoginRequiredMixin, View):
    """I am away from … to …: delegate my approvals, and see who delegated to me."""

    def check(self):
        if not self.request.user.has_perm("approvals.add_delegation"):
            raise PermissionDenied("You do not have permission to delegate approvals.")

    def get(self, request):
        self.check()
        return self.render_page(DelegationForm(user=request.user, own_only=True))

    def post(self, request):
        self.check()
        form = DelegationForm(request.POST, user=request.user, own_only=True)
        if form.is_valid():
            try:
                delegation = services.create_delegation(request.user, **form.service_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"From {delegation.starts:%d %b %Y} to {delegation.ends:%d %b %Y}, "
                    f"{delegation.delegate} can approve in your place.",
                )
                return redirect("approvals:my_delegations")
        return self.render_page(form, status=400)

    def render_page(self, form, status=200):
        user = self.request.user
        given = (
            Delegation.objects.filter(delegator=user).select_related("delegate").order_by("-starts", "-id")
        )
        received = (
            Delegation.objects.filter(delegate=user, is_archived=False)
            .select_related("delegator")
            .order_by("-starts", "-id")
        )
        context = {"form": form, "given": given, "received": received, "today": timezone.localdate()}
        return render(self.request, "approvals/my_delegations.html", context, status=status)


class WithdrawDelegationView(LoginRequiredMixin, View):
    def post(self, request, pk):
        delegation = get_object_or_404(Delegation, pk=pk)
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.withdraw_delegation(delegation, request.user, reason)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Delegation to {delegation.delegate} withdrawn.")
        return redirect("approvals:my_delegations")
