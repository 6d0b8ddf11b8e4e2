"""Forms of production records. They parse input; the rules are the models' ``clean()`` and the
services (``create_work_order``, ``revise_part_type``), whose field errors are put on the fields
they name."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import Company
from qualitas.framework.forms import RecordForm, StyledFormMixin

from . import services
from .choices import CustomerOrderStatusChoices, ProcessStatusChoices
from .models import (
    CustomerOrder,
    CustomerOrderLine,
    Part,
    PartType,
    Process,
    Step,
    StepEdge,
    WorkCenter,
    WorkOrder,
)


def on_form_fields(error, form):
    """A service's ValidationError with the keys the form has no field for moved to the top of the
    form (``form.add_error`` refuses unknown field names)."""
    if not hasattr(error, "error_dict"):
        return error
    messages = {}
    for key, texts in error.message_dict.items():
        messages.setdefault(key if key in form.fields else NON_FIELD_ERRORS, []).extend(texts)
    return ValidationError(messages)


def keep_current(queryset, instance, name):
    """``queryset`` plus the value ``instance`` has already, so that an edit never loses it."""
    current = getattr(instance, f"{name}_id", None)
    if current is None:
        return queryset
    return queryset | queryset.model.objects.filter(pk=current)


def draft_routing_error(process):
    return f"{process} is {process.get_status_display().lower()}: revise it to change it."


class WorkCenterForm(RecordForm):
    class Meta:
        model = WorkCenter
        fields = ("code", "name", "description")


class CustomerOrderForm(RecordForm):
    class Meta:
        model = CustomerOrder
        fields = ("customer", "customer_reference", "erp_id", "order_date", "due_date", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customers = Company.objects.filter(kind=CompanyKindChoices.CUSTOMER, is_archived=False)
        self.fields["customer"].queryset = keep_current(customers, self.instance, "customer").order_by("name")


class CustomerOrderLineForm(RecordForm):
    class Meta:
        model = CustomerOrderLine
        fields = ("order", "line_number", "part_type", "quantity", "due_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orders = CustomerOrder.objects.filter(is_archived=False).exclude(
            status__in=(CustomerOrderStatusChoices.CLOSED, CustomerOrderStatusChoices.CANCELLED)
        )
        self.fields["order"].queryset = keep_current(orders, self.instance, "order").select_related(
            "customer"
        )
        part_types = services.part_types_current()
        self.fields["part_type"].queryset = keep_current(part_types, self.instance, "part_type")
        if self.instance.pk:
            self.fields["order"].disabled = True


class PartTypeForm(RecordForm):
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
            "description",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customers = Company.objects.filter(kind=CompanyKindChoices.CUSTOMER, is_archived=False)
        self.fields["customer"].queryset = keep_current(customers, self.instance, "customer").order_by("name")
        if self.instance.pk:
            # A revision is a version of its own: made with "New revision", never relabelled.
            self.fields["revision"].disabled = True
            self.fields["revision"].help_text = "Use “New revision” for the next design revision."


class PartTypeRevisionForm(StyledFormMixin, forms.Form):
    """The label of a part type's next design revision (``services.revise_part_type``)."""

    revision = forms.CharField(
        max_length=PartType._meta.get_field("revision").max_length,
        help_text="The new design revision, e.g. C. It becomes the current revision at once.",
    )


class ProcessForm(RecordForm):
    """A routing's header. Only a draft can be changed: a released routing is revised."""

    class Meta:
        model = Process
        fields = ("name", "part_type", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        part_types = PartType.objects.filter(is_archived=False)
        self.fields["part_type"].queryset = keep_current(part_types, self.instance, "part_type")
        if self.instance.previous_version_id:
            # Every version of a routing is a routing of the same part type.
            self.fields["part_type"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.instance.is_editable:
            raise ValidationError(draft_routing_error(self.instance))
        return cleaned


class StepForm(RecordForm):
    """A step of a draft routing. The routing is chosen when the step is added and kept."""

    class Meta:
        model = Step
        fields = (
            "process",
            "name",
            "kind",
            "sequence",
            "work_center",
            "requires_qa",
            "estimated_duration",
            "setup_duration",
            "instructions",
        )
        help_texts = {"estimated_duration": "Run time per part, e.g. 00:05:00 for five minutes."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drafts = Process.objects.filter(status=ProcessStatusChoices.DRAFT, is_archived=False)
        self.fields["process"].queryset = keep_current(drafts, self.instance, "process")
        self.fields["work_center"].queryset = keep_current(
            WorkCenter.objects.filter(is_archived=False), self.instance, "work_center"
        )
        if self.instance.pk:
            self.fields["process"].disabled = True

    def clean(self):
        cleaned = super().clean()
        process = cleaned.get("process")
        if process is not None and not process.is_editable:
            self.add_error("process", draft_routing_error(process))
        return cleaned


def step_label(step):
    return f"{step.process.number} v{step.process.version}: {step}"


class StepEdgeForm(RecordForm):
    """An edge of a draft routing; ``StepEdge.clean()`` refuses cycles, steps of another routing and
    a routing that is not a draft."""

    class Meta:
        model = StepEdge
        fields = ("process", "source", "target", "condition")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drafts = Process.objects.filter(status=ProcessStatusChoices.DRAFT, is_archived=False)
        self.fields["process"].queryset = keep_current(drafts, self.instance, "process")
        steps = Step.objects.filter(process__in=drafts, is_archived=False).select_related("process")
        for name in ("source", "target"):
            self.fields[name].queryset = keep_current(steps, self.instance, name)
            self.fields[name].label_from_instance = step_label
        if self.instance.pk:
            self.fields["process"].disabled = True


class WorkOrderForm(RecordForm):
    """A new work order is made by ``services.create_work_order``, which generates its parts; an
    existing one may change its priority, due date, ERP id and notes only."""

    #: What an existing work order may change; the rest is shown but fixed.
    editable_fields = ("priority", "due_date", "erp_id", "notes")

    class Meta:
        model = WorkOrder
        fields = ("part_type", "process", "quantity", "order_line", "priority", "due_date", "erp_id", "notes")
        help_texts = {"quantity": "Parts to make: each gets a serial number when the work order is saved."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part_type"].queryset = keep_current(
            services.part_types_current(), self.instance, "part_type"
        )
        processes = services.released_processes().select_related("part_type")
        self.fields["process"].queryset = keep_current(processes, self.instance, "process")
        self.fields["process"].help_text = "Released routings only."
        lines = CustomerOrderLine.objects.filter(is_archived=False).exclude(
            order__status__in=(CustomerOrderStatusChoices.CLOSED, CustomerOrderStatusChoices.CANCELLED)
        )
        self.fields["order_line"].queryset = keep_current(lines, self.instance, "order_line").select_related(
            "order", "part_type"
        )
        if self.instance.pk:
            for name, field in self.fields.items():
                if name not in self.editable_fields:
                    field.disabled = True

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk:
            errors = services.check_work_order(
                cleaned.get("part_type"),
                cleaned.get("process"),
                cleaned.get("quantity"),
                cleaned.get("order_line"),
            )
            for name, message in errors.items():
                if name not in self.errors:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned

    def save(self, commit=True):
        if self.instance.pk:
            return super().save(commit)
        data = dict(self.cleaned_data)
        try:
            work_order = services.create_work_order(
                data.pop("part_type"), data.pop("process"), data.pop("quantity"), **data
            )
        except ValidationError as error:
            raise on_form_fields(error, self)
        self.instance = work_order
        return work_order


class PartForm(RecordForm):
    """Parts are made by their work order; only the ERP id is kept by hand."""

    class Meta:
        model = Part
        fields = ("erp_id",)


class WipFilterForm(StyledFormMixin, forms.Form):
    """The filters of the WIP page (``production.metrics.wip_by_routing``), offering only what the
    user may view: current part types, work centres and open work orders."""

    part_type = forms.ModelChoiceField(
        queryset=PartType.objects.none(), required=False, empty_label="Every part type"
    )
    work_center = forms.ModelChoiceField(
        queryset=WorkCenter.objects.none(),
        required=False,
        label="Work centre",
        empty_label="Every work centre",
    )
    work_order = forms.ModelChoiceField(
        queryset=WorkOrder.objects.none(), required=False, empty_label="Every open work order"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part_type"].queryset = PartType.objects.restrict(user, "view").filter(
            is_current=True, is_archived=False
        )
        self.fields["work_center"].queryset = WorkCenter.objects.restrict(user, "view").filter(
            is_archived=False
        )
        self.fields["work_order"].queryset = WorkOrder.objects.restrict(user, "view").filter(
            status__in=WorkOrder.state_machine.choices.OPEN
        )
