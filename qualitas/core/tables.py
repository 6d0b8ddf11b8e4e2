from django.utils.html import format_html

from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.core.service_models import Job
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


class ProgressColumn(Column):
    """A job's progress as a small bar; exported as the number."""

    def render(self, record):
        value = self.value(record) or 0
        return format_html(
            '<div class="progress" role="progressbar" aria-label="Progress" aria-valuenow="{}" '
            'aria-valuemin="0" aria-valuemax="100" style="min-width: 6rem">'
            '<div class="progress-bar bg-{}" style="width: {}%">{}%</div></div>',
            value,
            record.get_status_color(),
            value,
            value,
        )


class JobTable(Table):
    label = Column(linkify=True, verbose_name="Job")
    status = ChoiceColumn()
    progress = ProgressColumn()
    message = Column(verbose_name="Step")
    object_repr = Column(verbose_name="Record")
    started_by = Column(
        accessor="started_by.full_name", verbose_name="Started by", order_by="started_by__full_name"
    )
    created = Column(verbose_name="Queued")
    finished_at = Column(verbose_name="Finished")

    class Meta:
        model = Job
        default_order = ("-created", "-id")
