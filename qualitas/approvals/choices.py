from qualitas.framework.choices import ChoiceSet


class QuorumChoices(ChoiceSet):
    """How many of a step's approvers must approve."""

    ANY = "any"
    ALL = "all"
    N_OF_M = "n_of_m"

    CHOICES = [
        (ANY, "Any one approver", "info"),
        (ALL, "Every approver", "primary"),
        (N_OF_M, "A number of the approvers", "secondary"),
    ]


class RequestStatusChoices(ChoiceSet):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    CHOICES = [
        (PENDING, "Pending", "warning"),
        (APPROVED, "Approved", "success"),
        (REJECTED, "Rejected", "danger"),
        (CANCELLED, "Cancelled", "secondary"),
    ]


class StepStatusChoices(ChoiceSet):
    #: Later steps wait until the steps before them are approved.
    WAITING = "waiting"
    ACTIVE = "active"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: The request ended (rejected or cancelled) before the step was reached or completed.
    CANCELLED = "cancelled"

    CHOICES = [
        (WAITING, "Waiting", "light"),
        (ACTIVE, "Awaiting approval", "warning"),
        (APPROVED, "Approved", "success"),
        (REJECTED, "Rejected", "danger"),
        (CANCELLED, "Not reached", "secondary"),
    ]


class DecisionChoices(ChoiceSet):
    APPROVE = "approve"
    REJECT = "reject"

    CHOICES = [
        (APPROVE, "Approve", "success"),
        (REJECT, "Reject", "danger"),
    ]

    #: The meaning of the electronic signature each decision is signed with.
    MEANINGS = {APPROVE: "approved", REJECT: "rejected"}
