from qualitas.framework.choices import ChoiceSet


class CustomerOrderStatusChoices(ChoiceSet):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    IN_PRODUCTION = "in_production"
    SHIPPED = "shipped"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    CHOICES = [
        (DRAFT, "Draft", "secondary"),
        (CONFIRMED, "Confirmed", "info"),
        (IN_PRODUCTION, "In production", "primary"),
        (SHIPPED, "Shipped", "success"),
        (CLOSED, "Closed", "dark"),
        (CANCELLED, "Cancelled", "secondary"),
    ]


class ProcessStatusChoices(ChoiceSet):
    DRAFT = "draft"
    RELEASED = "released"
    OBSOLETE = "obsolete"

    CHOICES = [
        (DRAFT, "Draft", "secondary"),
        (RELEASED, "Released", "success"),
        (OBSOLETE, "Obsolete", "dark"),
    ]


class StepKindChoices(ChoiceSet):
    OPERATION = "operation"
    INSPECTION = "inspection"
    DECISION = "decision"
    REWORK = "rework"

    CHOICES = [
        (OPERATION, "Operation", "primary"),
        (INSPECTION, "Inspection", "info"),
        (DECISION, "Decision (pass / fail)", "warning"),
        (REWORK, "Rework", "danger"),
    ]

    #: Steps whose outgoing edges are chosen by the inspection result (pass or fail).
    ROUTES_ON_RESULT = (DECISION,)


class EdgeConditionChoices(ChoiceSet):
    ALWAYS = "always"
    PASS = "pass"
    FAIL = "fail"

    CHOICES = [
        (ALWAYS, "Next", "secondary"),
        (PASS, "On pass", "success"),
        (FAIL, "On fail", "danger"),
    ]


class WorkOrderStatusChoices(ChoiceSet):
    PLANNED = "planned"
    RELEASED = "released"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    CHOICES = [
        (PLANNED, "Planned", "secondary"),
        (RELEASED, "Released", "info"),
        (IN_PROGRESS, "In progress", "primary"),
        (ON_HOLD, "On hold", "warning"),
        (COMPLETED, "Completed", "success"),
        (CLOSED, "Closed", "dark"),
        (CANCELLED, "Cancelled", "secondary"),
    ]

    OPEN = (PLANNED, RELEASED, IN_PROGRESS, ON_HOLD)


class PriorityChoices(ChoiceSet):
    # Stored as "1" to "4" so that sorting by priority puts the urgent work orders first.
    URGENT = "1"
    HIGH = "2"
    NORMAL = "3"
    LOW = "4"

    CHOICES = [
        (URGENT, "Urgent", "danger"),
        (HIGH, "High", "warning"),
        (NORMAL, "Normal", "secondary"),
        (LOW, "Low", "light"),
    ]


class PartStatusChoices(ChoiceSet):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    AWAITING_QA = "awaiting_qa"
    PASSED_STEP = "passed_step"
    REWORK_NEEDED = "rework_needed"
    IN_REWORK = "in_rework"
    QUARANTINED = "quarantined"
    COMPLETED = "completed"
    SCRAPPED = "scrapped"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"

    CHOICES = [
        (PENDING, "Pending", "secondary"),
        (IN_PROGRESS, "In progress", "primary"),
        (AWAITING_QA, "Awaiting QA", "info"),
        (PASSED_STEP, "Passed step", "success"),
        (REWORK_NEEDED, "Rework needed", "warning"),
        (IN_REWORK, "In rework", "warning"),
        (QUARANTINED, "Quarantined", "danger"),
        (COMPLETED, "Completed", "success"),
        (SCRAPPED, "Scrapped", "dark"),
        (SHIPPED, "Shipped", "dark"),
        (CANCELLED, "Cancelled", "secondary"),
    ]

    #: Parts on the shop floor: work in progress.
    WIP = (PENDING, IN_PROGRESS, AWAITING_QA, PASSED_STEP, REWORK_NEEDED, IN_REWORK, QUARANTINED)
    #: Parts whose life in production is over.
    FINISHED = (COMPLETED, SCRAPPED, SHIPPED, CANCELLED)
    #: Parts at a step that an operator can start.
    STARTABLE = (PENDING, REWORK_NEEDED)
    #: Parts being worked at their step.
    WORKING = (IN_PROGRESS, IN_REWORK)


class StepOutcomeChoices(ChoiceSet):
    NONE = ""
    PASS = "pass"
    FAIL = "fail"

    CHOICES = [
        (NONE, "—", "secondary"),
        (PASS, "Pass", "success"),
        (FAIL, "Fail", "danger"),
    ]


class TransitionKindChoices(ChoiceSet):
    STARTED = "started"
    COMPLETED_STEP = "completed_step"
    MOVED = "moved"
    QUARANTINED = "quarantined"
    RELEASED = "released"
    SENT_TO_REWORK = "sent_to_rework"
    ACCEPTED = "accepted"
    SCRAPPED = "scrapped"
    FINISHED = "finished"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"

    CHOICES = [
        (STARTED, "Started step", "primary"),
        (COMPLETED_STEP, "Completed step", "success"),
        (MOVED, "Moved to next step", "info"),
        (QUARANTINED, "Quarantined", "danger"),
        (RELEASED, "Released from quarantine", "info"),
        (SENT_TO_REWORK, "Sent to rework", "warning"),
        (ACCEPTED, "Accepted (use as is)", "warning"),
        (SCRAPPED, "Scrapped", "dark"),
        (FINISHED, "Completed the routing", "success"),
        (SHIPPED, "Shipped", "dark"),
        (CANCELLED, "Cancelled", "secondary"),
    ]


#: For the API schema: one name for the part status choice set (part status, step log before/after).
PART_STATUS_CHOICES = PartStatusChoices.choices()
