from qualitas.compliance.models import Clause, Standard
from qualitas.framework.tables import BooleanColumn, ChoiceColumn, Column, Table


class StandardTable(Table):
    name = Column(linkify=True)
    edition = Column()
    title = Column()
    publisher = Column()
    base = Column(accessor="base.name", verbose_name="Builds on")

    class Meta:
        model = Standard
        default_order = ("name",)


class ClauseTable(Table):
    standard = Column(accessor="standard.name", verbose_name="Standard", order_by="standard__name")
    number = Column(linkify=True, verbose_name="Clause", order_by="sort_key")
    title = Column()
    origin = ChoiceColumn()
    level = Column()
    is_heading = BooleanColumn(verbose_name="Heading")
    key = Column()

    class Meta:
        model = Clause
        default_order = ("standard__name", "sort_key")
