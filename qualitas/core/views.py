from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views import View

from qualitas.core import services
from qualitas.core.filtersets import AccessLogFilterSet, DomainEventFilterSet, ObjectChangeFilterSet
from qualitas.core.history import rows_for
from qualitas.core.models import AccessLog, DomainEvent, ObjectChange
from qualitas.core.tables import AccessLogTable, DomainEventTable, ObjectChangeTable
from qualitas.framework.ui.panels import FieldsPanel, Panel, display_value
from qualitas.framework.views.generic import ModelViews


class ChangesPanel(Panel):
    """The changed fields, readable (labels, names) beside the values exactly as stored."""

    template_name = "core/panels/changes.html"

    def context(self, obj, request):
        return {"rows": rows_for(obj, user=request.user)}


class ChangeSummaryPanel(FieldsPanel):
    """The change's fields in the words of the page, with a link to the changed record when it
    still exists and the reader may see it."""

    labels = {
        "user_name": "User",
        "ip": "IP address",
        "request_id": "Request",
        "content_type": "Record type",
        "object_id": "Record id",
        "object_repr": "Record",
    }

    def context(self, obj, request):
        rows = []
        for name in self.fields:
            value = display_value(obj, name)
            if name == "object_repr":
                url = _record_url(obj, request.user)
                value = format_html('<a href="{}">{}</a>', url, obj.object_repr) if url else value
            elif name == "content_type":
                model = obj.content_type.model_class()
                value = capfirst(model._meta.verbose_name) if model is not None else obj.content_type.model
            rows.append((self.labels.get(name) or obj._meta.get_field(name).verbose_name, value))
        return {"rows": rows}


class ChainPanel(Panel):
    """Where the entry sits in the hash chain (see docs/architecture/audit-trail.md)."""

    template_name = "framework/panels/fields.html"

    def context(self, obj, request):
        try:
            link = obj.link
        except ObjectDoesNotExist:
            link = None
        code = '<code class="small text-break">{}</code>'
        rows = [("Entry hash", format_html(code, obj.entry_hash))]
        if link is None:
            rows.append(("Sequence", "Not sealed yet: the sealing job links it into the chain shortly."))
        else:
            rows += [
                ("Sequence", str(link.seq)),
                ("Chain hash", format_html(code, link.chain_hash)),
                ("Sealed", date_format(link.sealed, "DATETIME_FORMAT")),
            ]
        return {"rows": rows}


def _record_url(entry, user):
    model = entry.content_type.model_class()
    if model is None or not hasattr(model._default_manager, "restrict"):
        return ""
    record = model._default_manager.restrict(user, "view").filter(pk=entry.object_id).first()
    return record.get_absolute_url() if record is not None and hasattr(record, "get_absolute_url") else ""


class ObjectChangeViews(ModelViews):
    model = ObjectChange
    table = ObjectChangeTable
    filterset = ObjectChangeFilterSet
    can_create = can_edit = False
    panels = (
        ChangeSummaryPanel(
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
            ),
        ),
        ChainPanel("Hash chain"),
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


class IntegrityView(View):
    """The audit trail's integrity: recent verification results and a "Verify now" button."""

    permission_required = "core.view_objectchange"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied("You do not have permission to verify the audit trail.")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        wanted = request.GET.get("verification", "")
        context = {
            "verifications": services.recent_verifications(limit=20),
            "result": services.get_verification(int(wanted)) if wanted.isdigit() else None,
        }
        return render(request, "core/integrity.html", context)

    def post(self, request):
        _result, event = services.verify_trail(source="page")
        url = reverse("core:audit_integrity")
        return redirect(f"{url}?verification={event.pk}" if event is not None else url)
