"""Detail-page panels. A detail page is a list of panels; write a template only when a page is
truly special.

    panels = (
        FieldsPanel("Company", ("name", "code", "kind", "country")),
        TextPanel("Notes", "notes"),
        RelatedPanel("Users", "users", columns=("full_name", "email", "job_title")),
    )
"""

import datetime

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

#: The mark shown for an empty value, everywhere.
EMPTY = mark_safe('<span class="text-body-tertiary">&mdash;</span>')


def display_value(obj, name):
    """A field's value as HTML: choice badges, links to related records, dates, booleans."""
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if value in (None, ""):
        return EMPTY
    if field.choices:
        label = getattr(obj, f"get_{name}_display")()
        choice_set = getattr(field, "choice_set", None)
        color = choice_set.color(value) if choice_set else "secondary"
        return format_html('<span class="badge text-bg-{}">{}</span>', color, label)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, models.Model):
        url = value.get_absolute_url() if hasattr(value, "get_absolute_url") else ""
        return format_html('<a href="{}">{}</a>', url, value) if url else str(value)
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(field, models.URLField):
        return format_html('<a href="{}" rel="noopener">{}</a>', value, value)
    if isinstance(field, models.EmailField):
        return format_html('<a href="mailto:{}">{}</a>', value, value)
    return str(value)


class Panel:
    template_name: str | None = None
    #: A wide panel takes the page's whole width (long tables such as a step log).
    wide = False

    def __init__(self, title, wide=None):
        self.title = title
        if wide is not None:
            self.wide = wide

    def context(self, obj, request):
        return {}

    def render(self, obj, request):
        context = {"panel": self, "object": obj, **self.context(obj, request)}
        return render_to_string(self.template_name, context, request=request)


class RenderedPanel:
    """A panel's HTML with its layout (``wide``); prints as the HTML in a template."""

    def __init__(self, panel, html):
        self.html = html
        self.wide = panel.wide

    def __html__(self):
        return self.html

    def __str__(self):
        return self.html


class FieldsPanel(Panel):
    template_name = "framework/panels/fields.html"

    def __init__(self, title, fields):
        super().__init__(title)
        self.fields = fields

    def context(self, obj, request):
        rows = [(obj._meta.get_field(name).verbose_name, display_value(obj, name)) for name in self.fields]
        return {"rows": rows}


class RecordInfoPanel(FieldsPanel):
    """Who created and last changed the record, and its archive state."""

    def __init__(self, title="Record"):
        super().__init__(title, ())

    def context(self, obj, request):
        names = ["created", "created_by", "updated", "updated_by"]
        if getattr(obj, "is_archived", False):
            names += ["archived_at", "archived_by", "archive_reason"]
        return {
            "rows": [(obj._meta.get_field(name).verbose_name, display_value(obj, name)) for name in names]
        }


class TextPanel(Panel):
    template_name = "framework/panels/text.html"

    def __init__(self, title, field):
        super().__init__(title)
        self.field = field

    def context(self, obj, request):
        return {"text": getattr(obj, self.field)}


class RelatedPanel(Panel):
    """Related records, through the same permission-scoped queryset as their own list page."""

    template_name = "framework/panels/related.html"

    def __init__(self, title, accessor, columns, limit=20, wide=None):
        super().__init__(title, wide=wide)
        self.accessor = accessor
        self.columns = columns
        self.limit = limit

    def related_columns(self, model):
        """The columns that are foreign keys: loaded with the rows, not one query per cell."""
        names = []
        for name in self.columns:
            field = model._meta.get_field(name)
            if field.many_to_one or field.one_to_one:
                names.append(name)
        return names

    def context(self, obj, request):
        manager = getattr(obj, self.accessor)
        queryset = (
            manager.model.objects.restrict(request.user, "view")
            .filter(pk__in=manager.all().values("pk"))
            .select_related(*self.related_columns(manager.model))
        )
        total = queryset.count()
        records = list(queryset[: self.limit])
        model = manager.model
        headers = [model._meta.get_field(name).verbose_name for name in self.columns]
        rows = [(record, [display_value(record, name) for name in self.columns]) for record in records]
        return {"headers": headers, "rows": rows, "total": total, "shown": len(records)}
