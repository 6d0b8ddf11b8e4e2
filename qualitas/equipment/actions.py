"""Equipment status: in service, out of service, in calibration, in maintenance, retired.

Only equipment in service can be used at a step or named on a quality report
(``production.actions.usable_equipment``)."""

from qualitas.framework.actions import Action, StateMachine

from .choices import EquipmentStatusChoices as Status

ACTIVE = (Status.IN_SERVICE, Status.OUT_OF_SERVICE, Status.IN_CALIBRATION, Status.IN_MAINTENANCE)


class PutInService(Action):
    name = "put-in-service"
    label = "Put in service"
    source = (Status.OUT_OF_SERVICE, Status.IN_CALIBRATION, Status.IN_MAINTENANCE)
    target = Status.IN_SERVICE
    color = "success"
    description = "The equipment can be used again at steps and on quality reports."


class TakeOutOfService(Action):
    name = "take-out-of-service"
    label = "Take out of service"
    source = (Status.IN_SERVICE, Status.IN_CALIBRATION, Status.IN_MAINTENANCE)
    target = Status.OUT_OF_SERVICE
    requires_reason = True
    color = "danger"
    description = "Nobody can use the equipment until it is put back in service."


class SendToCalibration(Action):
    name = "send-to-calibration"
    label = "Send to calibration"
    source = (Status.IN_SERVICE, Status.OUT_OF_SERVICE)
    target = Status.IN_CALIBRATION
    color = "warning"


class SendToMaintenance(Action):
    name = "send-to-maintenance"
    label = "Send to maintenance"
    source = (Status.IN_SERVICE, Status.OUT_OF_SERVICE)
    target = Status.IN_MAINTENANCE
    color = "warning"


class Retire(Action):
    name = "retire"
    label = "Retire"
    source = ACTIVE
    target = Status.RETIRED
    requires_reason = True
    color = "secondary"
    description = "Retired equipment stays in the register for traceability and cannot be used again."


class EquipmentStateMachine(StateMachine):
    field = "status"
    choices = Status
    actions = (PutInService, TakeOutOfService, SendToCalibration, SendToMaintenance, Retire)
