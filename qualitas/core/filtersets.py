import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from qualitas.accounts.models import User
from qualitas.core.background import job_kinds
from qualitas.core.choices import AccessKindChoices, ChangeActionChoices, JobStatusChoices
from qualitas.core.events import VOCABULARY
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.core.service_models import Attachment, Comment, Job
from qualitas.framework.filtersets import FILTER_DEFAULTS, ModelChoiceFilter, RecordFilterSet
from qualitas.framework.records import parse_reference

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


# --- Jobs, attachments, comments -----------------------------------------------------------------


class RecordField(forms.CharField):
    """A record as the API writes it: ``app_label.model:id`` (``testapp.widget:12``)."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if value:
            parse_reference(value)  # ValidationError when it is not of that form
        return value


class RecordFilter(django_filters.CharFilter):
    """The rows that belong to one record, named ``app_label.model:id``."""

    field_class = RecordField

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Record (app_label.model:id)")
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        label, pk = parse_reference(value)
        try:
            content_type = ContentType.objects.get_by_natural_key(*label.split("."))
        except ContentType.DoesNotExist:
            return queryset.none()
        return queryset.filter(content_type=content_type, object_id=pk)


def job_kind_choices():
    return [(name, kind.label) for name, kind in job_kinds().items()]


class JobFilterSet(RecordFilterSet):
    search_fields = ("label", "object_repr", "message", "result_name")

    kind = django_filters.MultipleChoiceFilter(choices=job_kind_choices)
    label = django_filters.CharFilter(lookup_expr="icontains", label="Job")
    status = django_filters.MultipleChoiceFilter(choices=JobStatusChoices.choices())
    started_by = ModelChoiceFilter(queryset=User.objects.all())
    record = RecordFilter()
    content_type = ContentTypeFilter(
        queryset=ContentType.objects.order_by("app_label", "model"), label="Record type"
    )
    object_id = django_filters.CharFilter(label="Record id")
    object_repr = django_filters.CharFilter(lookup_expr="icontains", label="Record name")
    progress = django_filters.NumberFilter(lookup_expr="gte", label="Progress at least (%)")
    message = django_filters.CharFilter(lookup_expr="icontains", label="Current step")
    log = django_filters.CharFilter(lookup_expr="icontains", label="Log contains")
    params = django_filters.CharFilter(lookup_expr="icontains", label="Parameters contain")
    has_result = django_filters.BooleanFilter(
        field_name="result", method="filter_has_result", label="Has a result"
    )
    result_name = django_filters.CharFilter(lookup_expr="icontains", label="Result file name")
    result_type = django_filters.CharFilter(label="Result type")
    result_size = django_filters.NumberFilter(lookup_expr="gte", label="Result at least (bytes)")
    attempts = django_filters.NumberFilter(lookup_expr="gte", label="Attempts at least")
    error = django_filters.CharFilter(lookup_expr="icontains", label="Error contains")
    started_after = django_filters.DateFilter(
        field_name="started_at", lookup_expr="date__gte", label="Started from", **DATE
    )
    finished_before = django_filters.DateFilter(
        field_name="finished_at", lookup_expr="date__lte", label="Finished to", **DATE
    )
    heartbeat_before = django_filters.IsoDateTimeFilter(
        field_name="heartbeat", lookup_expr="lt", label="Last heartbeat before"
    )
    dispatched = django_filters.BooleanFilter(
        field_name="dispatched", lookup_expr="isnull", exclude=True, label="Handed to the queue"
    )

    leading_filters = ("q", "status", "kind")

    class Meta:
        model = Job
        fields = ()

    def filter_has_result(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(result="") if value else queryset.filter(result="")


class RecordChildFilterSet(RecordFilterSet):
    """Filters of the rows that belong to a record (attachments, comments)."""

    record = RecordFilter()
    content_type = ContentTypeFilter(
        queryset=ContentType.objects.order_by("app_label", "model"), label="Record type"
    )
    object_id = django_filters.CharFilter(label="Record id")

    leading_filters = ("record", "q", "archived")


class AttachmentFilterSet(RecordChildFilterSet):
    search_fields = ("name", "description")

    name = django_filters.CharFilter(lookup_expr="icontains", label="File name")
    mime_type = django_filters.CharFilter(label="Type")
    sha256 = django_filters.CharFilter(lookup_expr="iexact", label="SHA-256")
    size = django_filters.NumberFilter(lookup_expr="gte", label="At least (bytes)")
    description = django_filters.CharFilter(lookup_expr="icontains")
    file = django_filters.CharFilter(label="Stored as")
    uploaded_by = ModelChoiceFilter(queryset=User.objects.all())

    class Meta:
        model = Attachment
        fields = ()


class CommentFilterSet(RecordChildFilterSet):
    search_fields = ("body",)

    body = django_filters.CharFilter(lookup_expr="icontains", label="Text")
    author = ModelChoiceFilter(queryset=User.objects.all())
    parent = ModelChoiceFilter(queryset=Comment.objects.all(), label="Reply to comment")
    is_reply = django_filters.BooleanFilter(
        field_name="parent", lookup_expr="isnull", exclude=True, label="Replies only"
    )
    edited = django_filters.BooleanFilter(lookup_expr="isnull", exclude=True, label="Edited")

    class Meta:
        model = Comment
        fields = ()
