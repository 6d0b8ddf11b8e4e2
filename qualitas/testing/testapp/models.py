from django.db import models

from qualitas.core.choices import ChangeActionChoices
from qualitas.framework.models import ChoiceSetField, PrimaryModel, VersionedNumberedModel
from qualitas.testing.testapp.actions import WidgetStateMachine
from qualitas.testing.testapp.choices import WidgetStatusChoices


# The numbered/versioned mixin comes before PrimaryModel so that its before_save() (which
# assigns the number) is reached through the MRO.
class Widget(VersionedNumberedModel, PrimaryModel):
    """A made-up record type with every framework feature: a number, versions, a status."""

    name = models.CharField(max_length=200)
    customer = models.ForeignKey(
        "accounts.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="widgets"
    )
    quantity = models.PositiveIntegerField(default=0)
    due_date = models.DateField(null=True, blank=True)
    specification = models.TextField(blank=True)
    status = ChoiceSetField(choice_set=WidgetStatusChoices, default=WidgetStatusChoices.DRAFT)

    number_pattern = "WID-{year}-{seq:04d}"
    customer_scope = "customer"
    state_machine = WidgetStateMachine
    # A new version starts as a draft and keeps the record number.
    version_reset_fields = ("status",)

    class Meta(VersionedNumberedModel.Meta):
        ordering = ["number", "version"]
        permissions = [("approve_widget", "Can approve widgets")]

    def __str__(self):
        return f"{self.number} {self.name}"

    # --- Approval workflow hooks (qualitas.approvals): the outcome moves the widget on. ---

    def on_approval_approved(self, request):
        """The last approval step passed: a widget in review is approved."""
        if self.status == WidgetStatusChoices.REVIEW:
            self.status = WidgetStatusChoices.APPROVED
            self.save(audit_action=ChangeActionChoices.TRANSITION)

    def on_approval_rejected(self, request, comments):
        """Rejected: the widget goes back to its author as a draft."""
        if self.status == WidgetStatusChoices.REVIEW:
            self.status = WidgetStatusChoices.DRAFT
            self.save(audit_action=ChangeActionChoices.TRANSITION)
