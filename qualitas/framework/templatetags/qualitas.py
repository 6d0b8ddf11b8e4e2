import json

from django import template
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def query_with(query, **values):
    """The current query string with some parameters replaced: ``{% query_with query page=2 %}``."""
    params = QueryDict(query, mutable=True)
    for key, value in values.items():
        params[key] = value
    return params.urlencode()


@register.filter
def add_invalid(widget_html):
    return mark_safe(str(widget_html).replace('class="', 'class="is-invalid ', 1))


@register.filter
def is_pair(value):
    return isinstance(value, list) and len(value) == 2


@register.filter
def json_display(value):
    if value is None:
        return format_html('<span class="text-body-tertiary">∅</span>')
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@register.filter
def verbose_plural(model):
    return model._meta.verbose_name_plural
