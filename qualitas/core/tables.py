from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.framework.tables import ChoiceColumn, Column, ShortColumn, Table


class ObjectChangeTable(Table):
    time = Column(linkify=True)
    user_name = Column(verbose_name="User")
    action = ChoiceColumn()
    content_type = Column(
        accessor="content_type.name", verbose_name="Record type", order_by="content_type__model"
    )
    object_repr = Column(verbose_name="Record")
    reason = Column()
    request_id = ShortColumn(verbose_name="Request")

    class Meta:
        model = ObjectChange
        default_order = ("-time", "-id")


class DomainEventTable(Table):
    time = Column()
    name = Column(verbose_name="Event")
    user_name = Column(verbose_name="User")
    object_repr = Column(verbose_name="Record")
    message = Column()

    class Meta:
        model = DomainEvent
        default_order = ("-time", "-id")


class AccessLogTable(Table):
    time = Column()
    user_name = Column(verbose_name="User")
    kind = ChoiceColumn()
    content_type = Column(
        accessor="content_type.name", verbose_name="Record type", order_by="content_type__model"
    )
    object_repr = Column(verbose_name="Record")
    ip = Column(verbose_name="IP address")
    detail = Column()

    class Meta:
        model = AccessLog
        default_order = ("-time", "-id")
