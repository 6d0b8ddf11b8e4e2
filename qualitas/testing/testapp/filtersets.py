import django_filters

from qualitas.accounts.models import Company
from qualitas.framework.filtersets import ModelMultipleChoiceFilter, RecordFilterSet
from qualitas.testing.testapp.choices import WidgetStatusChoices
from qualitas.testing.testapp.models import Widget


class WidgetFilterSet(RecordFilterSet):
    search_fields = ("number", "name", "specification")
    status = django_filters.MultipleChoiceFilter(choices=WidgetStatusChoices.choices())
    customer = ModelMultipleChoiceFilter(queryset=Company.objects.all())
    quantity_min = django_filters.NumberFilter(
        field_name="quantity", lookup_expr="gte", label="Quantity from"
    )
    quantity_max = django_filters.NumberFilter(field_name="quantity", lookup_expr="lte", label="Quantity to")

    class Meta:
        model = Widget
        fields = (
            "number",
            "name",
            "customer",
            "quantity",
            "due_date",
            "specification",
            "status",
            "version",
            "is_current",
            "lineage",
            "previous_version",
        )
