"""The base FilterSet: one per model, serving both the list page and the API."""

import copy

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_filters import fields as filter_fields

ARCHIVED_CHOICES = (("no", "Active only"), ("yes", "Archived only"), ("all", "Active and archived"))


class SafeModelChoiceField(filter_fields.ModelChoiceField):
    """An id too large for the database (SQLite raises OverflowError) is an invalid choice, not a 500."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class SafeModelMultipleChoiceField(filter_fields.ModelMultipleChoiceField):
    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": "?"}
            )


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SafeModelChoiceField


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SafeModelMultipleChoiceField


FILTER_DEFAULTS = copy.deepcopy(django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS)
for _field_class in (models.ForeignKey, models.OneToOneField, models.OneToOneRel):
    FILTER_DEFAULTS[_field_class] = {**FILTER_DEFAULTS[_field_class], "filter_class": ModelChoiceFilter}
for _field_class in (models.ManyToManyField, models.ManyToOneRel, models.ManyToManyRel):
    FILTER_DEFAULTS[_field_class] = {
        **FILTER_DEFAULTS[_field_class],
        "filter_class": ModelMultipleChoiceFilter,
    }


class RecordFilterSet(django_filters.FilterSet):
    """Adds ``q`` (free-text over ``Meta.search_fields``), ``archived`` and created-date bounds."""

    FILTER_DEFAULTS = FILTER_DEFAULTS

    q = django_filters.CharFilter(method="search", label="Search")
    created_after = django_filters.DateFilter(
        field_name="created",
        lookup_expr="date__gte",
        label="Created from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        field_name="created",
        lookup_expr="date__lte",
        label="Created to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value or not self.search_fields:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    archived = django_filters.ChoiceFilter(
        choices=ARCHIVED_CHOICES,
        method="filter_archived",
        label="Archived",
        empty_label=None,
    )

    #: Filters shown first on list pages, in this order; the rest follow as declared.
    leading_filters = ("q", "archived")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not hasattr(self._meta.model, "is_archived"):
            del self.filters["archived"]
        leading = {name: self.filters.pop(name) for name in self.leading_filters if name in self.filters}
        self.filters = {**leading, **self.filters}

    def filter_archived(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(is_archived=True)
        if value == "all":
            return queryset
        return queryset.filter(is_archived=False)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if "archived" in self.filters and not self.form.cleaned_data.get("archived"):
            # Active records only unless the user asks for archived ones.
            queryset = queryset.filter(is_archived=False)
        return queryset
