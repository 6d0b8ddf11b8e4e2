"""Services of the audit trail that views, the API, commands and jobs call."""

from contextlib import nullcontext

from qualitas.core import audit
from qualitas.core.events import emit
from qualitas.core.models import DomainEvent
from qualitas.framework.context import change_context, current_context

VERIFIED = "audit.verified"


def verify_trail(source="", seal_first=True):
    """Seal pending entries, verify the whole chain and record the result as an ``audit.verified``
    event (with the result in its data), so that every verification is itself on record.

    ``source`` says where it was asked for (``api``, ``page``, ``command``). Returns the
    ``VerifyResult`` and the event.
    """
    result = audit.verify(seal_first=seal_first)
    if result.ok:
        message = f"Audit trail intact: {result.checked} entries verified"
        if result.unsealed:
            message += f", {result.unsealed} not yet sealed"
    elif result.first_broken_entry is not None:
        message = (
            f"Audit trail broken at change #{result.first_broken_entry} "
            f"(sequence {result.first_broken_seq}): {result.problem}"
        )
    else:
        message = f"Audit trail broken: {result.problem}"
    event = emit(VERIFIED, message=message, data={**result.as_dict(), "source": source})
    return result, event


def recent_verifications(limit=20):
    """The latest ``audit.verified`` events, newest first."""
    return list(DomainEvent.objects.filter(name=VERIFIED).order_by("-time", "-id")[:limit])


def get_verification(pk):
    """One ``audit.verified`` event, or None."""
    return DomainEvent.objects.filter(name=VERIFIED, pk=pk).first()


def acting_as(user):
    """A context in which writes are recorded as ``user``'s when nobody else is acting already
    (a command, a job, a test). Inside a request the signed-in user stays the actor."""
    if current_context().current_user() is None and getattr(user, "pk", None):
        return change_context(user=user)
    return nullcontext()
