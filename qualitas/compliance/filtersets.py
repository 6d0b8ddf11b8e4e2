import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from qualitas.compliance import services
from qualitas.compliance.catalogue import CatalogueError, sort_key
from qualitas.compliance.choices import ClauseOriginChoices
from qualitas.compliance.models import Clause, Standard
from qualitas.framework.filtersets import ModelMultipleChoiceFilter, RecordFilterSet


class StandardFilterSet(RecordFilterSet):
    search_fields = ("code", "name", "title", "publisher", "summary")
    title = django_filters.CharFilter(lookup_expr="icontains")
    summary = django_filters.CharFilter(lookup_expr="icontains")
    base = ModelMultipleChoiceFilter(queryset=Standard.objects.all(), label="Builds on")

    class Meta:
        model = Standard
        fields = ("code", "name", "edition", "publisher")


@extend_schema_field(OpenApiTypes.STR)
class StandardCodeFilter(ModelMultipleChoiceFilter):
    """Standards by code (``?standard=iso9001&standard=iatf16949``)."""


def _clause_reference(value):
    """A clause given by id ("42") or by key ("iso9001:7.1.5")."""
    value = value.strip()
    return Q(pk=int(value)) if value.isdigit() and len(value) < 19 else Q(key=value)


class ClauseFilterSet(RecordFilterSet):
    search_fields = ("key", "number", "title", "summary")
    leading_filters = ("q", "standard", "has_evidence", "within", "origin")

    standard = StandardCodeFilter(
        field_name="standard__code",
        queryset=Standard.objects.all(),
        to_field_name="code",
        help_text="Standard codes, e.g. iso9001.",
    )
    has_evidence = django_filters.BooleanFilter(
        method="filter_has_evidence",
        label="Has evidence",
        help_text="Yes: clauses with records you may see. No: clauses with requirements but no such records. "
        "Headings are in neither.",
    )
    within = django_filters.CharFilter(
        field_name="sort_key", method="filter_within", label="Clause and its sub-clauses", max_length=20
    )
    parent = django_filters.CharFilter(
        field_name="parent", method="filter_parent", label="Parent clause (id or key)", max_length=60
    )
    base_clause = django_filters.CharFilter(
        field_name="base_clause",
        method="filter_base_clause",
        label="ISO 9001 clause (id or key)",
        max_length=60,
    )
    origin = django_filters.MultipleChoiceFilter(choices=ClauseOriginChoices.choices())
    title = django_filters.CharFilter(lookup_expr="icontains")
    summary = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Clause
        fields = ("number", "key", "level", "is_heading", "is_withdrawn")

    def filter_has_evidence(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(self.request, "user", None)
        covered = services.covered_clause_ids(user) if user is not None else set()
        if value:
            return queryset.filter(pk__in=covered)
        return queryset.filter(is_heading=False).exclude(pk__in=covered)

    def filter_within(self, queryset, name, value):
        value = value.strip().rstrip(".")
        if not value:
            return queryset
        try:
            prefix = sort_key(value)
        except CatalogueError:
            return queryset.none()
        return queryset.filter(Q(sort_key=prefix) | Q(sort_key__startswith=f"{prefix}."))

    def filter_parent(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(parent__in=Clause._base_manager.filter(_clause_reference(value)))

    def filter_base_clause(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(base_clause__in=Clause._base_manager.filter(_clause_reference(value)))
