"""Periodic jobs of the approval workflows."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from qualitas.approvals import services
from qualitas.framework.jobs import periodic


@periodic(
    "Escalate overdue approvals",
    every=timedelta(minutes=getattr(settings, "QUALITAS_APPROVAL_ESCALATION_EVERY_MINUTES", 5)),
)
@shared_task(ignore_result=True)
def escalate_overdue_approvals():
    """Escalate approval steps past their due time (once each) to their escalation role.
    Returns how many were escalated."""
    return len(services.escalate_overdue())
