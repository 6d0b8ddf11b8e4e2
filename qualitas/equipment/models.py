from django.db import models

from qualitas.framework.models import ChoiceSetField, PrimaryModel

from .actions import EquipmentStateMachine
from .choices import EquipmentKindChoices, EquipmentStatusChoices


class Equipment(PrimaryModel):
    """A machine, gauge or fixture, registered so that its use at a step or on a quality report is
    logged. Calibration records come with the calibration module."""

    identifier = models.CharField(
        max_length=50, unique=True, help_text="The asset number on the label, e.g. CAL-0042."
    )
    name = models.CharField(max_length=200)
    kind = ChoiceSetField(choice_set=EquipmentKindChoices, default=EquipmentKindChoices.MACHINE)
    location = models.CharField(max_length=200, blank=True)
    work_center = models.ForeignKey(
        "production.WorkCenter", null=True, blank=True, on_delete=models.PROTECT, related_name="equipment"
    )
    manufacturer = models.CharField(max_length=200, blank=True)
    model_number = models.CharField("model", max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    status = ChoiceSetField(choice_set=EquipmentStatusChoices, default=EquipmentStatusChoices.IN_SERVICE)
    notes = models.TextField(blank=True)

    state_machine = EquipmentStateMachine
    evidence_for = ("iso9001:7.1.5.1", "iso9001:7.1.5.2", "as9100d:7.1.5.2")

    class Meta:
        ordering = ["identifier"]
        verbose_name_plural = "equipment"

    def __str__(self):
        return f"{self.identifier} {self.name}"

    @property
    def is_usable(self):
        return self.status == EquipmentStatusChoices.IN_SERVICE and not self.is_archived
