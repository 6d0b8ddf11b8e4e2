"""Tables: one class per model defines both the list page and its CSV/XLSX export.

class CompanyTable(Table):
    name = Column(linkify=True)
    kind = ChoiceColumn()
    country = Column()

    class Meta:
        model = Company
"""

import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from qualitas.framework.ui.panels import EMPTY

ORDER_PARAM = "sort"


class Column:
    creation_counter = 0

    def __init__(
        self, accessor=None, verbose_name=None, orderable=True, order_by=None, linkify=False, exportable=True
    ):
        self.accessor = accessor
        self.verbose_name = verbose_name
        self.orderable = orderable
        self.order_by = order_by
        self.linkify = linkify
        self.exportable = exportable
        self.name = None
        Column.creation_counter += 1
        self.creation_counter = Column.creation_counter

    def bind(self, name, model):
        self.name = name
        self.accessor = self.accessor or name
        self.field = _resolve_field(model, self.accessor)
        if self.verbose_name is None:
            self.verbose_name = (
                (
                    str(self.field.verbose_name) if self.field is not None else name.replace("_", " ")
                ).capitalize()
                if self.field is None or not str(self.field.verbose_name)[:1].isupper()
                else str(self.field.verbose_name)
            )
        if self.order_by is None:
            self.order_by = self.accessor.replace(".", "__") if self.field is not None else None
        if self.order_by is None:
            self.orderable = False
        return self

    def value(self, record):
        value = record
        for part in self.accessor.split("."):
            if value is None:
                return None
            value = getattr(value, part)
            if callable(value) and not isinstance(value, models.Model):
                value = value()
        return value

    def render(self, record):
        value = self.value(record)
        if value is None or value == "":
            return EMPTY
        text = self.display(value, record)
        if self.linkify:
            target = record if self.linkify is True else value
            url = target.get_absolute_url() if hasattr(target, "get_absolute_url") else ""
            if url:
                return format_html('<a href="{}">{}</a>', url, text)
        if (
            isinstance(value, models.Model)
            and hasattr(value, "get_absolute_url")
            and value.get_absolute_url()
        ):
            return format_html('<a href="{}">{}</a>', value.get_absolute_url(), text)
        return text

    def display(self, value, record):
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, datetime.date):
            return date_format(value, "DATE_FORMAT")
        return str(value)

    def export(self, record):
        value = self.value(record)
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).replace(tzinfo=None)
        if isinstance(value, models.Model):
            return str(value)
        if isinstance(value, bool | int | float | datetime.date) or value is None:
            return value
        return str(value)


class ChoiceColumn(Column):
    """A status or kind, shown as a coloured badge and exported as its label."""

    def __init__(self, choices=None, **kwargs):
        super().__init__(**kwargs)
        self.choice_set = choices

    def render(self, record):
        value = self.value(record)
        if value in (None, ""):
            return super().render(record)
        choice_set = self.choice_set or getattr(self.field, "choice_set", None)
        label = choice_set.label(value) if choice_set else _choice_label(self.field, value)
        color = choice_set.color(value) if choice_set else "secondary"
        return format_html('<span class="badge text-bg-{}">{}</span>', color, label)

    def export(self, record):
        value = self.value(record)
        choice_set = self.choice_set or getattr(self.field, "choice_set", None)
        return choice_set.label(value) if choice_set else _choice_label(self.field, value)


class ShortColumn(Column):
    """A long identifier (a UUID, a hash) shown by its first characters, in full on hover and in
    exports."""

    def __init__(self, length=8, **kwargs):
        super().__init__(**kwargs)
        self.length = length

    def render(self, record):
        value = self.value(record)
        if value in (None, ""):
            return super().render(record)
        text = str(value)
        return format_html('<code title="{}">{}</code>', text, text[: self.length])


class BooleanColumn(Column):
    def render(self, record):
        value = self.value(record)
        return format_html(
            '<span class="{}" aria-label="{}">{}</span>',
            "text-success" if value else "text-body-tertiary",
            "yes" if value else "no",
            "✔" if value else "✘",
        )


def _choice_label(field, value):
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def _resolve_field(model, accessor):
    current = model
    field = None
    for part in accessor.split("."):
        if current is None:
            return None
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        current = field.related_model if field.is_relation else None
    return field


class TableMeta(type):
    def __new__(mcs, name, bases, attrs):
        declared = [(key, value) for key, value in attrs.items() if isinstance(value, Column)]
        for key, _ in declared:
            attrs.pop(key)
        cls = super().__new__(mcs, name, bases, attrs)
        inherited = []
        for base in reversed(cls.__mro__[1:]):
            inherited.extend(getattr(base, "base_columns", {}).items())
        declared.sort(key=lambda item: item[1].creation_counter)
        cls.base_columns = dict(inherited + declared)
        return cls


class Table(metaclass=TableMeta):
    """Columns in declaration order. ``Meta.model`` is required; ``Meta.default_order`` optional."""

    class Meta:
        model = None
        default_order = None

    def __init__(self, queryset, order=None):
        model = self.Meta.model
        self.columns = [_copy(column).bind(name, model) for name, column in self.base_columns.items()]
        self.order = order or ""
        self.queryset = self._with_related(self._ordered(queryset))

    @property
    def model(self):
        return self.Meta.model

    def _ordered(self, queryset):
        key = self.order.lstrip("-")
        column = next((c for c in self.columns if c.name == key and c.orderable), None)
        if column is None:
            self.order = ""
            default = getattr(self.Meta, "default_order", None)
            return queryset.order_by(*default) if default else queryset
        prefix = "-" if self.order.startswith("-") else ""
        return queryset.order_by(f"{prefix}{column.order_by}", f"{prefix}pk")

    def _with_related(self, queryset):
        related = set()
        for column in self.columns:
            parts = column.accessor.split(".")
            model = self.model
            path = []
            for part in parts[:-1] if len(parts) > 1 else parts:
                try:
                    field = model._meta.get_field(part)
                except FieldDoesNotExist:
                    break
                if not (field.many_to_one or field.one_to_one):
                    break
                path.append(part)
                model = field.related_model
            if path:
                related.add("__".join(path))
        return queryset.select_related(*sorted(related)) if related else queryset

    def headers(self):
        result = []
        for column in self.columns:
            direction = None
            if self.order.lstrip("-") == column.name:
                direction = "desc" if self.order.startswith("-") else "asc"
            next_order = f"-{column.name}" if direction == "asc" else column.name
            result.append({"column": column, "direction": direction, "next_order": next_order})
        return result

    def rows(self, records):
        return [(record, [column.render(record) for column in self.columns]) for record in records]

    def export_columns(self):
        return [column for column in self.columns if column.exportable]

    def export_rows(self):
        columns = self.export_columns()
        for record in self.queryset.iterator(chunk_size=2000):
            yield [column.export(record) for column in columns]


def _copy(column):
    clone = object.__new__(type(column))
    clone.__dict__ = dict(column.__dict__)
    return clone
