"""``{% inspection_pack_button object %}``: the record header's button that starts a pack."""

from django import template

from qualitas.framework.records import record_reference, takes_record_services
from qualitas.reports.services import may_follow_jobs

register = template.Library()


@register.inclusion_tag("reports/_inspection_pack_button.html", takes_context=True)
def inspection_pack_button(context, obj):
    # The header is drawn only on pages of records the user may view (fetched through
    # ``restrict``), so no query is spent here; starting the pack checks again.
    request = context.get("request")
    user = getattr(request, "user", None)
    show = getattr(obj, "pk", None) is not None and takes_record_services(type(obj)) and may_follow_jobs(user)
    return {
        "show": show,
        "reference": record_reference(obj) if show else "",
        "csrf_token": context.get("csrf_token"),
    }
