from qualitas.core.filtersets import AccessLogFilterSet, DomainEventFilterSet, ObjectChangeFilterSet
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.core.tables import AccessLogTable, DomainEventTable, ObjectChangeTable
from qualitas.framework.ui.panels import FieldsPanel, Panel
from qualitas.framework.views.generic import ModelViews


class ChangesPanel(Panel):
    template_name = "core/panels/changes.html"

    def context(self, obj, request):
        return {"changes": obj.changes}


class ObjectChangeViews(ModelViews):
    model = ObjectChange
    table = ObjectChangeTable
    filterset = ObjectChangeFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Change",
            (
                "time",
                "action",
                "user_name",
                "ip",
                "request_id",
                "content_type",
                "object_id",
                "object_repr",
                "reason",
                "entry_hash",
            ),
        ),
        ChangesPanel("Field values"),
    )

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)


class DomainEventViews(ModelViews):
    model = DomainEvent
    table = DomainEventTable
    filterset = DomainEventFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Event", ("time", "name", "user_name", "content_type", "object_id", "object_repr", "message")
        ),
    )

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)


class AccessLogViews(ModelViews):
    model = AccessLog
    table = AccessLogTable
    filterset = AccessLogFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Access",
            ("time", "kind", "user_name", "ip", "content_type", "object_id", "object_repr", "detail"),
        ),
    )

    @classmethod
    def get_panels(cls, obj):
        return list(cls.panels)
