"""What an administrator may do with an e-mail in the outbox: cancel it (with a reason) or retry
it now. Both are audited transitions (an ObjectChange with the reason, and a domain event); the
sender's own status changes are not (see models.py)."""

from django.utils import timezone

from qualitas.framework.actions import Action, StateMachine
from qualitas.framework.context import current_context
from qualitas.notifications.choices import DeliveryStatusChoices as Status


class CancelDelivery(Action):
    name = "cancel"
    label = "Cancel e-mail"
    description = (
        "The e-mail will not be sent. The notification stays in the recipient's list in Qualitas. "
        "The reason is recorded in the audit trail."
    )
    source = (Status.QUEUED, Status.RETRYING)
    target = Status.CANCELLED
    permission = "notifications.cancel_delivery"
    requires_reason = True
    color = "danger"
    event = "notifications.delivery_cancelled"

    def perform(self, **params):
        self.obj.cancel_reason = current_context().reason


class RetryDelivery(Action):
    name = "retry"
    label = "Retry now"
    description = (
        "The e-mail goes back to the queue, due at once: the next send run (every minute) tries it "
        "again without waiting for its backoff."
    )
    source = (Status.RETRYING,)
    target = Status.QUEUED
    permission = "notifications.cancel_delivery"
    color = "primary"
    event = "notifications.delivery_retried"

    def perform(self, **params):
        self.obj.next_attempt_at = timezone.now()


class DeliveryStateMachine(StateMachine):
    field = "status"
    choices = Status
    actions = (RetryDelivery, CancelDelivery)
