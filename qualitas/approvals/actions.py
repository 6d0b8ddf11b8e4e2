"""A base for the "Submit for approval" transition of any module's state machine:

    class SubmitForApproval(RequestApproval):
        name = "submit"
        label = "Submit for approval"
        source = (Status.DRAFT,)
        target = Status.REVIEW
        approval_template = "document-release"

The transition and the start of the approval happen in one transaction: the record moves on
only if the approval could start (approvers found, no approval already open). The record's
``on_approval_approved`` / ``on_approval_rejected`` hooks then move it on again when the
approvers have decided. ``execute(note=..., template=...)`` takes an optional note for the
approvers and another template code.
"""

from django.core.exceptions import ValidationError

from qualitas.approvals import services
from qualitas.framework.actions import Action, TransitionNotAllowed


class RequestApproval(Action):
    #: The code of the ApprovalTemplate started by default.
    approval_template = ""
    description = "Sends the record to its approvers; it moves on when they have approved it."

    def preconditions(self):
        blockers = []
        current = services.current_request(self.obj)
        if current is not None:
            blockers.append(f"approval {current.number} is already open")
        try:
            services.get_template(self.approval_template, type(self.obj))
        except ValidationError as error:
            blockers.extend(error.messages)
        return blockers

    def perform(self, note="", template=None, **params):
        try:
            self.approval_request = services.start_approval(
                self.obj, template or self.approval_template, requested_by=self.user, note=note
            )
        except ValidationError as error:
            # E.g. a step nobody can approve: the transition is blocked (409) and undone.
            raise TransitionNotAllowed(self, error.messages)
