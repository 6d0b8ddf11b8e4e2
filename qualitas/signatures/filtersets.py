import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from qualitas.accounts.filtersets import IPAddressFilter
from qualitas.accounts.models import User
from qualitas.core.filtersets import ContentTypeFilter
from qualitas.framework.filtersets import FILTER_DEFAULTS, ModelMultipleChoiceFilter
from qualitas.framework.records import parse_reference
from qualitas.signatures.choices import MeaningChoices, SessionRuleChoices
from qualitas.signatures.models import Signature

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class RecordReferenceField(forms.CharField):
    """``app_label.model:id`` (``testapp.widget:12``), cleaned to (content type, object id)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        label, object_id = parse_reference(value)
        try:
            content_type = ContentType.objects.get_by_natural_key(*label.split("."))
        except ContentType.DoesNotExist:
            raise ValidationError(f"There is no record type {label}.")
        return content_type, object_id


@extend_schema_field(OpenApiTypes.STR)
class RecordReferenceFilter(django_filters.Filter):
    field_class = RecordReferenceField

    def filter(self, queryset, value):
        if not value:
            return queryset
        content_type, object_id = value
        return queryset.filter(content_type=content_type, object_id=object_id)


class SignatureFilterSet(django_filters.FilterSet):
    FILTER_DEFAULTS = FILTER_DEFAULTS

    q = django_filters.CharFilter(method="search", label="Search")
    record = RecordReferenceFilter(label="Record (app.model:id)")
    meaning = django_filters.MultipleChoiceFilter(choices=MeaningChoices.choices())
    signer = ModelMultipleChoiceFilter(queryset=User.objects.order_by("full_name"))
    printed_name = django_filters.CharFilter(lookup_expr="icontains", label="Printed name")
    signer_email = django_filters.CharFilter(lookup_expr="icontains", label="Signer's e-mail")
    signed_after = django_filters.DateFilter(
        field_name="signed_at", lookup_expr="date__gte", label="Signed from", **DATE
    )
    signed_before = django_filters.DateFilter(
        field_name="signed_at", lookup_expr="date__lte", label="Signed to", **DATE
    )
    content_type = ContentTypeFilter(
        queryset=ContentType.objects.order_by("app_label", "model"), label="Record type"
    )
    object_id = django_filters.CharFilter(label="Record id")
    object_repr = django_filters.CharFilter(lookup_expr="icontains", label="Record name")
    comment = django_filters.CharFilter(lookup_expr="icontains")
    content_hash = django_filters.CharFilter(
        lookup_expr="istartswith", label="Content SHA-256 (or its first characters)"
    )
    content = django_filters.CharFilter(lookup_expr="icontains", label="Signed content contains")
    session_rule = django_filters.MultipleChoiceFilter(
        choices=SessionRuleChoices.choices(), label="Components rule"
    )
    ip = IPAddressFilter(label="IP address")
    request_id = django_filters.UUIDFilter(label="Request id")

    class Meta:
        model = Signature
        # Every field has a filter above.
        fields = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(printed_name__icontains=value)
            | Q(signer_email__icontains=value)
            | Q(object_repr__icontains=value)
            | Q(comment__icontains=value)
        )
