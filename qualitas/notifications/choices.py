from qualitas.framework.choices import ChoiceSet


class ModeChoices(ChoiceSet):
    """How a person wants the e-mail of one kind of notification. The in-app notification (the
    bell and /notifications/) is always written, whatever the mode."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"

    CHOICES = [
        (IMMEDIATE, "E-mail at once", "primary"),
        (DAILY, "Daily digest", "info"),
        (WEEKLY, "Weekly digest", "info"),
        (OFF, "No e-mail", "secondary"),
    ]


class DeliveryStatusChoices(ChoiceSet):
    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"
    CANCELLED = "cancelled"

    CHOICES = [
        (QUEUED, "Queued", "info"),
        (SENDING, "Sending", "primary"),
        (RETRYING, "Failed, retrying", "warning"),
        (SENT, "Sent", "success"),
        (CANCELLED, "Cancelled", "secondary"),
    ]

    #: Deliveries still waiting to go out: the sender picks them up when they are due.
    PENDING = (QUEUED, SENDING, RETRYING)


class DigestChoices(ChoiceSet):
    """What a delivery carries: one notification, or a digest of several."""

    SINGLE = ""
    DAILY = "daily"
    WEEKLY = "weekly"

    CHOICES = [
        (SINGLE, "Single notification", "secondary"),
        (DAILY, "Daily digest", "info"),
        (WEEKLY, "Weekly digest", "info"),
    ]


#: The modes as (value, label) pairs, named once in the OpenAPI schema (``EmailModeEnum``).
MODE_CHOICES = ModeChoices.choices()
