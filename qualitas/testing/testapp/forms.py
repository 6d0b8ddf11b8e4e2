from qualitas.framework.forms import RecordForm
from qualitas.testing.testapp.models import Widget


class WidgetForm(RecordForm):
    class Meta:
        model = Widget
        fields = ("name", "customer", "quantity", "due_date", "specification")
