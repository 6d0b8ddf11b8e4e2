from qualitas.framework.choices import ChoiceSet


class NonConformanceStatusChoices(ChoiceSet):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    DISPOSITION_DECIDED = "disposition_decided"
    DISPOSITION_DONE = "disposition_done"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    CHOICES = [
        (OPEN, "Open", "danger"),
        (UNDER_REVIEW, "Under review", "warning"),
        (DISPOSITION_DECIDED, "Disposition decided", "info"),
        (DISPOSITION_DONE, "Disposition done", "primary"),
        (CLOSED, "Closed", "success"),
        (CANCELLED, "Cancelled", "secondary"),
    ]

    ACTIVE = (OPEN, UNDER_REVIEW, DISPOSITION_DECIDED, DISPOSITION_DONE)


class NonConformanceSourceChoices(ChoiceSet):
    INSPECTION = "inspection"
    PROCESS = "process"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    AUDIT = "audit"
    HACCP = "haccp"
    OTHER = "other"

    CHOICES = [
        (INSPECTION, "Inspection", "info"),
        (PROCESS, "Process", "primary"),
        (SUPPLIER, "Supplier", "warning"),
        (CUSTOMER, "Customer", "danger"),
        (AUDIT, "Audit", "secondary"),
        (HACCP, "HACCP", "success"),
        (OTHER, "Other", "secondary"),
    ]


class SeverityChoices(ChoiceSet):
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"

    CHOICES = [
        (CRITICAL, "Critical", "danger"),
        (MAJOR, "Major", "warning"),
        (MINOR, "Minor", "info"),
    ]

    ORDER = (CRITICAL, MAJOR, MINOR)


class DispositionChoices(ChoiceSet):
    NONE = ""
    REWORK = "rework"
    REPAIR = "repair"
    SCRAP = "scrap"
    USE_AS_IS = "use_as_is"
    RETURN_TO_SUPPLIER = "return_to_supplier"

    CHOICES = [
        (NONE, "Not decided", "secondary"),
        (REWORK, "Rework", "warning"),
        (REPAIR, "Repair", "warning"),
        (SCRAP, "Scrap", "dark"),
        (USE_AS_IS, "Use as is", "info"),
        (RETURN_TO_SUPPLIER, "Return to supplier", "secondary"),
    ]

    #: Dispositions that accept a nonconforming part and so need the material review board's
    #: approval with signatures.
    NEEDS_REVIEW_BOARD = (REPAIR, USE_AS_IS)
    #: Dispositions that send the part to a step of its routing.
    TO_A_STEP = (REWORK, REPAIR)


class ReworkOutcomeChoices(ChoiceSet):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"

    CHOICES = [
        (PENDING, "In rework", "warning"),
        (PASSED, "Passed", "success"),
        (FAILED, "Failed again", "danger"),
    ]


#: For the API schema: one name for the critical / major / minor choice set (NCR severity and
#: characteristic classification share it).
SEVERITY_CHOICES = SeverityChoices.choices()
