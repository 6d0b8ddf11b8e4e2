import django_filters
from django import forms
from django.contrib.auth import get_user_model

from qualitas.framework.filtersets import ModelMultipleChoiceFilter, RecordFilterSet
from qualitas.notifications.choices import DeliveryStatusChoices, DigestChoices
from qualitas.notifications.kinds import registered_kinds
from qualitas.notifications.models import Delivery, Notification

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


def kind_choices():
    return [(kind.code, kind.label) for kind in registered_kinds()]


def delivery_kind_choices():
    return [*kind_choices(), ("digest.daily", "Daily digest"), ("digest.weekly", "Weekly digest")]


class DeliveryFilterSet(RecordFilterSet):
    """The outbox: what is queued or failing, for whom, and why."""

    search_fields = ("to_address", "subject", "last_error")
    status = django_filters.MultipleChoiceFilter(choices=DeliveryStatusChoices.choices())
    kind = django_filters.MultipleChoiceFilter(choices=delivery_kind_choices)
    digest = django_filters.MultipleChoiceFilter(choices=DigestChoices.choices(), label="Carries")
    recipient = ModelMultipleChoiceFilter(queryset=get_user_model().objects.all())
    to_address = django_filters.CharFilter(lookup_expr="icontains", label="To")
    subject = django_filters.CharFilter(lookup_expr="icontains")
    last_error = django_filters.CharFilter(lookup_expr="icontains", label="Error contains")
    attempts_min = django_filters.NumberFilter(
        field_name="attempts", lookup_expr="gte", label="Attempts from"
    )
    next_attempt_before = django_filters.DateFilter(
        field_name="next_attempt_at", lookup_expr="date__lte", label="Next attempt by", **DATE
    )
    sent_after = django_filters.DateFilter(
        field_name="sent_at", lookup_expr="date__gte", label="Sent from", **DATE
    )
    sent_before = django_filters.DateFilter(
        field_name="sent_at", lookup_expr="date__lte", label="Sent to", **DATE
    )
    message_id = django_filters.CharFilter(label="Message-ID")
    cancel_reason = django_filters.CharFilter(lookup_expr="icontains", label="Cancel reason contains")

    class Meta:
        model = Delivery
        fields = ()


class NotificationFilterSet(django_filters.FilterSet):
    """One person's notifications (the list page and the API)."""

    unread = django_filters.BooleanFilter(
        field_name="read_at",
        lookup_expr="isnull",
        label="Show",
        widget=forms.Select(choices=(("", "All"), ("true", "Unread"), ("false", "Read"))),
    )
    kind = django_filters.MultipleChoiceFilter(choices=kind_choices)
    urgent = django_filters.BooleanFilter(
        label="Urgency",
        widget=forms.Select(choices=(("", "All"), ("true", "Urgent only"), ("false", "Not urgent"))),
    )

    class Meta:
        model = Notification
        fields = ("unread", "kind", "urgent")
