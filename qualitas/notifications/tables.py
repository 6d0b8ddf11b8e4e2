from django.utils.html import format_html
from django.utils.text import Truncator

from qualitas.framework.tables import ChoiceColumn, Column, Table
from qualitas.notifications.models import Delivery


class ExcerptColumn(Column):
    """Long text (an SMTP error) cut short on the page, in full on hover and in exports."""

    def __init__(self, length=60, **kwargs):
        super().__init__(**kwargs)
        self.length = length

    def render(self, record):
        value = self.value(record)
        if not value:
            return super().render(record)
        return format_html('<span title="{}">{}</span>', value, Truncator(value).chars(self.length))


class DeliveryTable(Table):
    created = Column(verbose_name="Queued")
    subject = Column(linkify=True)
    to_address = Column(verbose_name="To")
    kind_label = Column(verbose_name="Kind", order_by="kind")
    status = ChoiceColumn()
    attempts = Column()
    next_attempt_at = Column(verbose_name="Next attempt")
    last_error = ExcerptColumn(verbose_name="Last error")
    sent_at = Column(verbose_name="Sent")

    class Meta:
        model = Delivery
        default_order = ("-created", "-id")
