from qualitas.framework.tables import ChoiceColumn, Column, Table
from qualitas.testing.testapp.models import Widget


class WidgetTable(Table):
    number = Column(linkify=True)
    name = Column()
    customer = Column(accessor="customer.name", verbose_name="Customer")
    status = ChoiceColumn()
    quantity = Column()
    due_date = Column()
    version = Column()

    class Meta:
        model = Widget
        default_order = ("number",)
