"""The registry of notification kinds. Modules register the kinds they send:

    register_kind("capa.overdue", "CAPA overdue", urgent=False)

A kind names what a notification is about; people set their e-mail preference per kind
(/notifications/preferences/), and e-mails are rendered from ``notifications/email/<kind>.html``
and ``.txt`` when those templates exist (the generic ``default`` templates otherwise).
"""

from dataclasses import dataclass

from qualitas.notifications.choices import ModeChoices


class UnknownKind(ValueError):
    """A notification kind that no module registered."""

    def __init__(self, code):
        self.code = code
        known = ", ".join(sorted(_kinds)) or "none"
        super().__init__(
            f"Notification kind {code!r} is not registered. Call register_kind({code!r}, label) in the "
            f"module that sends it. Registered kinds: {known}."
        )


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str
    #: Notifications of this kind are urgent unless ``notify(urgent=...)`` says otherwise. Urgent
    #: notifications are pushed to open pages over the event stream and shown as a toast.
    urgent: bool = False
    #: The e-mail mode for people who have not chosen one.
    default_mode: str = ModeChoices.IMMEDIATE
    #: E-mail cannot be turned off ("off" is refused), and urgent notifications of the kind are
    #: always mailed at once, even to people who chose a digest.
    mandatory: bool = False
    description: str = ""

    @property
    def modes(self):
        """The modes a person may choose for this kind."""
        return [value for value in ModeChoices.values() if not (self.mandatory and value == ModeChoices.OFF)]


_kinds: dict[str, NotificationKind] = {}


def register_kind(
    code, label, urgent=False, default_mode=ModeChoices.IMMEDIATE, mandatory=False, description=""
):
    """Register (or re-register) a notification kind and return it."""
    code = str(code).strip()
    if not code or len(code) > 64 or any(ch.isspace() or ch == "/" for ch in code):
        raise ValueError(f"A notification kind code is 1-64 characters without spaces or slashes: {code!r}")
    if default_mode not in ModeChoices:
        raise ValueError(f"Unknown default mode {default_mode!r}; use one of {ModeChoices.values()}.")
    if mandatory and default_mode == ModeChoices.OFF:
        raise ValueError(f"Kind {code!r} is mandatory: its default mode cannot be 'off'.")
    kind = NotificationKind(
        code=code,
        label=str(label),
        urgent=bool(urgent),
        default_mode=default_mode,
        mandatory=bool(mandatory),
        description=str(description),
    )
    _kinds[code] = kind
    return kind


def get_kind(code):
    """The registered kind ``code``; raises ``UnknownKind`` for anything else."""
    try:
        return _kinds[code]
    except (KeyError, TypeError):
        raise UnknownKind(code)


def registered_kinds():
    """Every registered kind, by label."""
    return sorted(_kinds.values(), key=lambda kind: (kind.label.lower(), kind.code))


def kind_label(code):
    kind = _kinds.get(code)
    return kind.label if kind is not None else code


# --- The built-in kinds -------------------------------------------------------------------------

APPROVAL_REQUEST = register_kind(
    "approval.request", "Approval request", description="Someone asks you to approve or review a record."
)
APPROVAL_DECISION = register_kind(
    "approval.decision", "Approval decision", description="A record you submitted was approved or rejected."
)
APPROVAL_ESCALATION = register_kind(
    "approval.escalation",
    "Approval escalation",
    description="An approval step is overdue and has been escalated to you.",
)
TASK_REMINDER = register_kind(
    "task.reminder", "Task reminder", description="A task of yours is due soon (sent at fixed lead times)."
)
TASK_OVERDUE = register_kind(
    "task.overdue",
    "Task overdue",
    description="A task is past its due date (also sent to the escalation role).",
)
QUALITY_ALERT = register_kind(
    "quality.alert",
    "Quality alert",
    urgent=True,
    mandatory=True,
    description="An out-of-specification result, an SPC rule violation or a CCP deviation. Urgent alerts "
    "are always e-mailed at once and cannot be turned off.",
)
