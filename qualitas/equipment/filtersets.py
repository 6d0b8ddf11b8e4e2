import django_filters

from qualitas.framework.filtersets import ModelMultipleChoiceFilter, RecordFilterSet
from qualitas.production.models import WorkCenter

from .choices import EquipmentKindChoices, EquipmentStatusChoices
from .models import Equipment


class EquipmentFilterSet(RecordFilterSet):
    search_fields = (
        "identifier",
        "name",
        "location",
        "manufacturer",
        "model_number",
        "serial_number",
        "notes",
    )
    kind = django_filters.MultipleChoiceFilter(choices=EquipmentKindChoices.choices())
    status = django_filters.MultipleChoiceFilter(choices=EquipmentStatusChoices.choices())
    work_center = ModelMultipleChoiceFilter(queryset=WorkCenter.objects.all())
    is_measuring = django_filters.BooleanFilter(
        field_name="kind", method="filter_measuring", label="Measuring equipment"
    )

    class Meta:
        model = Equipment
        fields = ("identifier", "name", "location", "manufacturer", "model_number", "serial_number")

    def filter_measuring(self, queryset, name, value):
        if value is None:
            return queryset
        measuring = {"kind__in": EquipmentKindChoices.MEASURING}
        return queryset.filter(**measuring) if value else queryset.exclude(**measuring)
