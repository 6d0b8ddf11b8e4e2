import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from qualitas.approvals import services
from qualitas.approvals.choices import RequestStatusChoices, StepStatusChoices
from qualitas.approvals.models import ApprovalRequest, ApprovalTemplate, Delegation, StepInstance
from qualitas.framework.filtersets import ModelChoiceFilter, ModelMultipleChoiceFilter, RecordFilterSet

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def record_types(request=None):
    """The record types approvals can be requested on, and any others already in use."""
    in_use = ApprovalRequest._base_manager.order_by().values_list("content_type_id", flat=True).distinct()
    approvable = [content_type.pk for content_type in services.approvable_content_types()]
    return ContentType.objects.filter(Q(pk__in=approvable) | Q(pk__in=in_use)).order_by("app_label", "model")


class ApprovalTemplateFilterSet(RecordFilterSet):
    search_fields = ("name", "code", "description")
    code = django_filters.CharFilter(lookup_expr="iexact")
    name = django_filters.CharFilter(lookup_expr="icontains")
    description = django_filters.CharFilter(lookup_expr="icontains")
    record_type = ModelMultipleChoiceFilter(
        field_name="record_types", queryset=record_types, label="Record type"
    )

    class Meta:
        model = ApprovalTemplate
        fields = ("is_active",)


class ApprovalRequestFilterSet(RecordFilterSet):
    search_fields = ("number", "object_repr", "note")
    number = django_filters.CharFilter(lookup_expr="icontains")
    status = django_filters.MultipleChoiceFilter(choices=RequestStatusChoices.choices())
    template = ModelMultipleChoiceFilter(queryset=ApprovalTemplate.objects.all())
    requested_by = ModelChoiceFilter(queryset=get_user_model().objects.all())
    record_type = ModelMultipleChoiceFilter(
        field_name="content_type", queryset=record_types, label="Record type"
    )
    object_id = django_filters.CharFilter(label="Record id")
    object_repr = django_filters.CharFilter(lookup_expr="icontains", label="Record")
    note = django_filters.CharFilter(lookup_expr="icontains")
    current_step = django_filters.NumberFilter(label="Current step")
    content_hash = django_filters.CharFilter(label="Content SHA-256")
    completed_after = django_filters.DateFilter(
        field_name="completed_at", lookup_expr="date__gte", label="Completed from", **DATE
    )
    completed_before = django_filters.DateFilter(
        field_name="completed_at", lookup_expr="date__lte", label="Completed to", **DATE
    )
    cancel_reason = django_filters.CharFilter(lookup_expr="icontains", label="Cancel reason")
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue")

    leading_filters = ("q", "status", "overdue", "template", "requested_by", "record_type")

    class Meta:
        model = ApprovalRequest
        fields = ()

    def filter_overdue(self, queryset, name, value):
        late = Exists(
            StepInstance.objects.filter(
                request=OuterRef("pk"), status=StepStatusChoices.ACTIVE, due_at__lt=timezone.now()
            )
        )
        return queryset.filter(late, status=RequestStatusChoices.PENDING) if value else queryset.exclude(late)


class DelegationFilterSet(RecordFilterSet):
    search_fields = ("delegator__full_name", "delegate__full_name", "reason")
    delegator = ModelMultipleChoiceFilter(queryset=get_user_model().objects.all(), label="Who is away")
    delegate = ModelMultipleChoiceFilter(queryset=get_user_model().objects.all(), label="Delegate")
    starts = django_filters.DateFilter(lookup_expr="gte", label="From on or after", **DATE)
    ends = django_filters.DateFilter(lookup_expr="lte", label="Until on or before", **DATE)
    in_force_on = django_filters.DateFilter(method="filter_in_force", label="In force on", **DATE)
    reason = django_filters.CharFilter(lookup_expr="icontains")

    leading_filters = ("q", "archived", "in_force_on", "delegator", "delegate")

    class Meta:
        model = Delegation
        fields = ()

    def filter_in_force(self, queryset, name, value):
        return queryset.filter(starts__lte=value, ends__gte=value)
