"""Signals sent when an approval ends, for modules that prefer listening to defining a hook.

The engine first calls the record's own hook when it has one (``on_approval_approved(request)``,
``on_approval_rejected(request, comments)``, ``on_approval_cancelled(request)``), then sends the
signal. Both run inside the transaction that recorded the deciding response: an exception undoes
the response and its signature.

    approval_approved(sender=<record model>, request=<ApprovalRequest>, obj=<record>)
    approval_rejected(sender=<record model>, request=..., obj=..., comments=[ResponseComment, ...])
    approval_cancelled(sender=<record model>, request=..., obj=...)
"""

from django.dispatch import Signal

approval_approved = Signal()
approval_rejected = Signal()
approval_cancelled = Signal()
