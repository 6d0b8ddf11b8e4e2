import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from qualitas.accounts.models import User
from qualitas.core.choices import AccessKindChoices, ChangeActionChoices
from qualitas.core.events import VOCABULARY
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.framework.filtersets import FILTER_DEFAULTS, ModelChoiceFilter

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class ContentTypeField(forms.ModelChoiceField):
    """A record type by id (the form's select) or by ``app_label.model`` (handier in the API)."""

    def to_python(self, value):
        if isinstance(value, str) and "." in value:
            app_label, _, model = value.partition(".")
            try:
                return ContentType.objects.get_by_natural_key(app_label, model.lower())
            except ContentType.DoesNotExist:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ContentTypeFilter(ModelChoiceFilter):
    field_class = ContentTypeField


class LogFilterSet(django_filters.FilterSet):
    """Shared filters of the three logs: user, record type, record id and a date range."""

    FILTER_DEFAULTS = FILTER_DEFAULTS

    q = django_filters.CharFilter(field_name="object_repr", lookup_expr="icontains", label="Record")
    user = ModelChoiceFilter(queryset=User.objects.all())
    content_type = ContentTypeFilter(
        queryset=ContentType.objects.order_by("app_label", "model"), label="Record type"
    )
    object_id = django_filters.CharFilter(label="Record id")
    time_after = django_filters.DateFilter(field_name="time", lookup_expr="date__gte", label="From", **DATE)
    time_before = django_filters.DateFilter(field_name="time", lookup_expr="date__lte", label="To", **DATE)


class ObjectChangeFilterSet(LogFilterSet):
    action = django_filters.MultipleChoiceFilter(choices=ChangeActionChoices.choices())
    request_id = django_filters.UUIDFilter(label="Request id")
    ip = django_filters.CharFilter(label="IP address")
    reason = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = ObjectChange
        fields = (
            "user",
            "user_name",
            "content_type",
            "object_id",
            "action",
            "request_id",
            "ip",
            "time",
            "object_repr",
            "reason",
            "changes",
            "entry_hash",
        )
        filter_overrides = {}

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        if field.name == "changes":
            return django_filters.CharFilter, {"lookup_expr": "icontains"}
        return super().filter_for_lookup(field, lookup_type)


class DomainEventFilterSet(LogFilterSet):
    name = django_filters.ChoiceFilter(choices=lambda: sorted((k, k) for k in VOCABULARY), label="Event")

    class Meta:
        model = DomainEvent
        fields = (
            "name",
            "user",
            "user_name",
            "content_type",
            "object_id",
            "request_id",
            "time",
            "object_repr",
            "message",
            "data",
        )

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        if field.name == "data":
            return django_filters.CharFilter, {"lookup_expr": "icontains"}
        return super().filter_for_lookup(field, lookup_type)


class AccessLogFilterSet(LogFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=AccessKindChoices.choices())
    ip = django_filters.CharFilter(label="IP address")

    class Meta:
        model = AccessLog
        fields = (
            "user",
            "user_name",
            "kind",
            "content_type",
            "object_id",
            "ip",
            "time",
            "object_repr",
            "detail",
        )
