"""Forms parse input; the rules are applied by ``services.py``, whose ValidationErrors are put
on the fields they name."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from qualitas.accounts.roles import ROLE_NAMES
from qualitas.approvals import services
from qualitas.approvals.choices import DecisionChoices
from qualitas.approvals.models import ApprovalStep, ApprovalTemplate, Delegation
from qualitas.framework.forms import RecordForm, StyledFormMixin
from qualitas.signatures.forms import SignatureFieldsForm


def add_service_errors(form, error):
    """A service's ValidationError on the form: keys naming a field go there, the rest on top."""
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            form.add_error(key if key in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ContentTypeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        model = obj.model_class()
        return str(model._meta.verbose_name_plural).capitalize() if model else obj.model


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


def roles():
    """The role groups, in the order roles.py declares them (not other groups)."""
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_NAMES)}
    return [groups[name] for name in ROLE_NAMES if name in groups and name != "Customer"]


def role_queryset():
    return Group.objects.filter(name__in=[group.name for group in roles()]).order_by("name")


def approver_role_queryset():
    """Roles whose members may respond to approvals (others could never approve a step)."""
    app_label, codename = services.RESPOND_PERMISSION.split(".")
    return (
        role_queryset()
        .filter(
            Q(name="Admin")
            | Q(permissions__codename=codename, permissions__content_type__app_label=app_label)
        )
        .distinct()
    )


def checkboxes(form, *names):
    for name in names:
        if name in form.fields:
            form.fields[name].widget.attrs["class"] = "form-check-input"


# --- Templates ----------------------------------------------------------------------------------


class ApprovalTemplateForm(RecordForm):
    record_types = ContentTypeChoiceField(
        queryset=ContentType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The record types this template is offered for. None ticked: every record type.",
    )

    class Meta(RecordForm.Meta):
        model = ApprovalTemplate
        fields = ("name", "code", "description", "record_types", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [ct.pk for ct in services.approvable_content_types()]
        if self.instance.pk:
            # Keep a type chosen earlier even if it is no longer approvable, so an edit loses nothing.
            allowed += list(self.instance.record_types.values_list("pk", flat=True))
        self.fields["record_types"].queryset = ContentType.objects.filter(pk__in=allowed).order_by("model")
        checkboxes(self, "record_types")


DUE_UNITS = (("hours", "hours"), ("days", "days"))


class ApprovalStepForm(RecordForm):
    approver_roles = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Approver roles",
        help_text="Everyone in these roles who may respond to approvals can approve.",
    )
    approver_users = PeopleChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Named approvers",
        help_text="Particular people, in addition to the roles.",
    )
    due_amount = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=365 * 24,
        label="Due within",
        help_text="Time allowed once the step is reached. Empty: no due time and no escalation.",
    )
    due_unit = forms.ChoiceField(choices=DUE_UNITS, initial="days", label="Unit")
    escalate_to = forms.ModelChoiceField(
        queryset=Group.objects.none(),
        required=False,
        label="Escalate to",
        help_text="The role told when the step is overdue. Empty: the installation's escalation role.",
    )

    class Meta(RecordForm.Meta):
        model = ApprovalStep
        fields = (
            "order",
            "name",
            "instructions",
            "approver_roles",
            "approver_users",
            "quorum",
            "required_approvals",
            "escalate_to",
        )

    def __init__(self, *args, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        if template is not None:
            self.instance.template = template
        self.fields["approver_roles"].queryset = approver_role_queryset()
        self.fields["escalate_to"].queryset = role_queryset()
        self.fields["approver_users"].queryset = services.users_who_can_respond().order_by(
            "full_name", "email"
        )
        if self.instance.pk is None and template is not None and not self.is_bound:
            last = template.steps.order_by("-order").first()
            self.initial.setdefault("order", (last.order + 1) if last else 1)
        due = self.instance.due_within
        if due and not self.is_bound:
            if due.total_seconds() % 86400 == 0:
                self.initial["due_amount"], self.initial["due_unit"] = int(due.days), "days"
            else:
                self.initial["due_amount"], self.initial["due_unit"] = (
                    int(due.total_seconds() // 3600),
                    "hours",
                )
        checkboxes(self, "approver_roles")
        self.fields["approver_users"].widget.attrs["size"] = 8

    def clean(self):
        cleaned = super().clean()
        amount = cleaned.get("due_amount")
        unit = cleaned.get("due_unit") or "days"
        self.instance.due_within = datetime.timedelta(**{unit: amount}) if amount else None
        return cleaned

    def save_step(self):
        """Save through the service (at least one approver; named people who can respond)."""
        step = self.save(commit=False)
        return services.save_step(
            step, self.cleaned_data.get("approver_roles") or [], self.cleaned_data.get("approver_users") or []
        )


# --- Requests and responses ---------------------------------------------------------------------


class RequestApprovalForm(StyledFormMixin, forms.Form):
    template = forms.ModelChoiceField(queryset=ApprovalTemplate.objects.none(), label="Approval template")
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Anything the approvers should know.",
    )

    def __init__(self, *args, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = services.templates_for(model)


class RespondForm(SignatureFieldsForm):
    """Approve or reject, with a comment, signed with the components the signatures service asks
    for (the signatures app's fields: the e-mail address on the first signing of a session, the
    password, and the authenticator code when the signer has one)."""

    decision = forms.ChoiceField(
        choices=DecisionChoices.choices(), widget=forms.RadioSelect, label="Decision"
    )
    on_behalf_of = forms.TypedChoiceField(coerce=int, required=False, label="Responding as")

    field_order = ("decision", "comment", "on_behalf_of", "email", "password", "otp")

    def __init__(self, *args, identities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "comment"
        ].help_text = "Required to reject: the author reads it. Stored with your signature."
        self.fields["comment"].widget.attrs["rows"] = 3
        if len(identities) > 1 or any(identity.delegation for identity in identities):
            self.fields["on_behalf_of"].choices = [
                (
                    identity.approver.pk,
                    f"For {identity.approver} (delegated to you)" if identity.delegation else "Myself",
                )
                for identity in identities
            ]
            self.fields["on_behalf_of"].widget.attrs["class"] = "form-select"
        else:
            del self.fields["on_behalf_of"]
        self.fields["decision"].widget.attrs["class"] = "form-check-input"
        self.order_fields(self.field_order)

    def service_kwargs(self):
        components = self.components()
        return {
            "decision": self.cleaned_data["decision"],
            "on_behalf_of": self.cleaned_data.get("on_behalf_of") or None,
            **components,
        }


class CancelRequestForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with the request and in the audit trail.",
    )


# --- Delegations --------------------------------------------------------------------------------


class DelegationForm(RecordForm):
    """A delegation. The delegator field is shown to people who manage others' delegations;
    everyone else delegates their own approvals."""

    delegator = PersonChoiceField(queryset=get_user_model().objects.none(), label="Who is away")
    delegate = PersonChoiceField(queryset=get_user_model().objects.none(), label="Delegate to")

    class Meta(RecordForm.Meta):
        model = Delegation
        fields = ("delegator", "delegate", "starts", "ends", "reason")
        widgets = {
            "starts": forms.DateInput(attrs={"type": "date"}),
            "ends": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user=None, own_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        people = get_user_model().objects.filter(is_active=True).order_by("full_name", "email")
        self.fields["delegator"].queryset = people
        self.fields["delegate"].queryset = services.users_who_can_respond().order_by("full_name", "email")
        manages = not own_only and (user is None or user.has_perm("approvals.change_delegation"))
        if not manages:
            del self.fields["delegator"]
            self.fields["delegate"].queryset = self.fields["delegate"].queryset.exclude(pk=user.pk)
        self.user = user

    def service_data(self):
        data = {
            "delegate": self.cleaned_data["delegate"],
            "starts": self.cleaned_data["starts"],
            "ends": self.cleaned_data["ends"],
            "reason": self.cleaned_data.get("reason", ""),
        }
        if "delegator" in self.fields:
            data["delegator"] = self.cleaned_data["delegator"]
        return data
