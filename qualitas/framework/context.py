"""The request context that the audit trail reads: who, from where, under which request id, and why.

A context variable rather than a thread-local, so it is correct under ASGI as well. The web
middleware opens a context per request; management commands, jobs and tests open one with
``change_context()``.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class ChangeContext:
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    user: object = None
    request: object = None
    ip: str | None = None
    reason: str = ""
    audit_enabled: bool = True

    def current_user(self):
        """The acting user. Read late, because DRF authenticates inside the view."""
        if self.request is not None:
            user = getattr(self.request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                return user
        return self.user


_current: ContextVar[ChangeContext | None] = ContextVar("qualitas_change_context", default=None)


def current_context() -> ChangeContext:
    context = _current.get()
    if context is None:
        context = ChangeContext()
        _current.set(context)
    return context


@contextmanager
def change_context(**values):
    """Run a block under a context: ``with change_context(user=u, reason="import")``.

    Values not given are inherited from the enclosing context, except the request id, which is
    kept, so that one request's nested blocks share it.
    """
    parent = _current.get()
    context = replace(parent, **values) if parent is not None else ChangeContext(**values)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def change_reason(reason):
    """``with change_reason("customer request"):`` attaches a reason to every change in the block."""
    return change_context(reason=reason)


def audit_disabled():
    """Only for the benchmark that measures the audit trail's own cost. Never used by the product."""
    return change_context(audit_enabled=False)
