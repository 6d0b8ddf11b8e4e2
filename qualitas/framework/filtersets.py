"""The base FilterSet: one per model, serving both the list page and the API."""

import django_filters
from django import forms
from django.db.models import Q

ARCHIVED_CHOICES = (("no", "Active only"), ("yes", "Archived only"), ("all", "Active and archived"))


class RecordFilterSet(django_filters.FilterSet):
    """Adds ``q`` (free-text over ``Meta.search_fields``), ``archived`` and created-date bounds."""

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

    search_fields = ()

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
