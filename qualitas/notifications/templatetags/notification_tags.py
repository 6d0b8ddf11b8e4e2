from django import template

from qualitas.accounts import session

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_live(context):
    """Whether the page shows the bell and listens to the event stream: only for a signed-in
    session that owes no security step. A session that still owes one (a two-factor code, a
    required enrolment, a new password) is shown only that step's page, and the bell's and the
    stream's background requests would be turned away to it, over and over. No query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return session.pending_step(request) is None
