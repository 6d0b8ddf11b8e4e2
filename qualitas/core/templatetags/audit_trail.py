"""Template tags of the audit trail: readable change rows for history pages."""

from django import template

from qualitas.core.history import describe, rows_for

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def readable_history(context, entries):
    """``{% readable_history page as entries %}``: the page's entries with their ``rows``, resolved
    for the whole page at once (one query per related model)."""
    return describe(list(entries), user=_user(context))


@register.simple_tag(takes_context=True)
def change_rows(context, entry):
    """``{% change_rows entry as rows %}``: one entry's rows (reused if ``readable_history`` ran)."""
    return rows_for(entry, user=_user(context))
