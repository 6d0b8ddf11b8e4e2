from qualitas.framework.tables import ChoiceColumn, Column, Table

from .models import Equipment


class EquipmentTable(Table):
    identifier = Column(linkify=True)
    name = Column()
    kind = ChoiceColumn()
    status = ChoiceColumn()
    work_center = Column(accessor="work_center.code", verbose_name="Work centre")
    location = Column()
    manufacturer = Column()
    model_number = Column(verbose_name="Model")
    serial_number = Column()

    class Meta:
        model = Equipment
        default_order = ("identifier",)
