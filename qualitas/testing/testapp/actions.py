"""The widget's state machine: draft → review → approved → obsolete, and reject back to draft."""

from qualitas.core.events import register_event
from qualitas.framework.actions import Action, StateMachine
from qualitas.testing.testapp.choices import WidgetStatusChoices as Status


class Submit(Action):
    name = "submit"
    label = "Submit for review"
    source = (Status.DRAFT,)
    target = Status.REVIEW


class Approve(Action):
    name = "approve"
    label = "Approve"
    source = (Status.REVIEW,)
    target = Status.APPROVED
    permission = "testapp.approve_widget"
    color = "success"
    # Approving is signed electronically (21 CFR Part 11): the approver re-enters the password.
    signature_meaning = "approved"

    def preconditions(self):
        return [] if self.obj.specification.strip() else ["the widget has no specification"]


class Reject(Action):
    name = "reject"
    label = "Reject"
    source = (Status.REVIEW,)
    target = Status.DRAFT
    requires_reason = True
    color = "danger"


class MakeObsolete(Action):
    name = "obsolete"
    label = "Make obsolete"
    source = (Status.APPROVED,)
    target = Status.OBSOLETE
    color = "secondary"


class WidgetStateMachine(StateMachine):
    field = "status"
    choices = Status
    actions = (Submit, Approve, Reject, MakeObsolete)


for _action in WidgetStateMachine.actions:
    register_event(f"widget.{_action.name}", f"Widget: {_action.label}")
