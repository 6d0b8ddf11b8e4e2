from qualitas.framework.ui.panels import FieldsPanel, TextPanel
from qualitas.framework.views.generic import ModelViews
from qualitas.testing.testapp.filtersets import WidgetFilterSet
from qualitas.testing.testapp.forms import WidgetForm
from qualitas.testing.testapp.models import Widget
from qualitas.testing.testapp.tables import WidgetTable


class WidgetViews(ModelViews):
    model = Widget
    table = WidgetTable
    filterset = WidgetFilterSet
    form = WidgetForm
    panels = (
        FieldsPanel("Widget", ("number", "name", "customer", "status", "quantity", "due_date", "version")),
        TextPanel("Specification", "specification"),
    )
