"""The domain-event log: readable business events from a registered vocabulary.

Apps register the events they emit (``register_event("capa.approved", "CAPA approved")``).
Actions emit ``<model>.<action>`` automatically; those names are registered when a
StateMachine's model is registered, so the vocabulary is always complete.
"""

from django.contrib.contenttypes.models import ContentType

from qualitas.core.models import DomainEvent
from qualitas.framework.context import current_context

VOCABULARY = {}


class UnknownEvent(KeyError):
    pass


def register_event(name, description):
    VOCABULARY[name] = description
    return name


def emit(name, obj=None, message="", data=None):
    """Write one DomainEvent in the current transaction."""
    if name not in VOCABULARY:
        raise UnknownEvent(f"Domain event {name!r} is not registered; call register_event() in the app.")
    context = current_context()
    if not context.audit_enabled:
        return None
    user = context.current_user()
    has_user = user is not None and getattr(user, "pk", None)
    return DomainEvent.objects.create(
        name=name,
        user=user if has_user else None,
        user_name=(getattr(user, "full_name", "") or user.get_username()) if has_user else "",
        request_id=context.request_id,
        content_type=ContentType.objects.get_for_model(type(obj), for_concrete_model=True)
        if obj is not None
        else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        message=message or VOCABULARY[name],
        data=data or {},
    )


register_event("audit.verified", "The audit trail was verified")
register_event("roles.applied", "Role definitions were applied")
