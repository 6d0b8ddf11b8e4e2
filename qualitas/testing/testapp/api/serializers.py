from qualitas.framework.api.serializers import RecordSerializer
from qualitas.testing.testapp.models import Widget


class WidgetSerializer(RecordSerializer):
    class Meta:
        model = Widget
        fields = (
            *RecordSerializer.record_fields,
            "number",
            "name",
            "customer",
            "quantity",
            "due_date",
            "specification",
            "status",
            "version",
            "lineage",
            "previous_version",
            "is_current",
            *RecordSerializer.archive_fields,
        )
