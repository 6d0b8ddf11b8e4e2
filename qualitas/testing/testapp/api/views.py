from qualitas.framework.api.viewsets import RecordViewSet
from qualitas.testing.testapp.api.serializers import WidgetSerializer
from qualitas.testing.testapp.filtersets import WidgetFilterSet
from qualitas.testing.testapp.models import Widget


class WidgetViewSet(RecordViewSet):
    queryset = Widget.objects.all()
    serializer_class = WidgetSerializer
    filterset_class = WidgetFilterSet
    ordering_fields = ("number", "name", "quantity", "due_date", "created")
