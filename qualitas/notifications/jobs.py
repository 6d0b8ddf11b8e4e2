"""Periodic jobs of the notifications: the send run, digests, reminders and retention.

``send_deliveries`` (the task ``notify`` dispatches per batch) lives in ``sending.py`` and is
imported here so that workers register it with the jobs below.
"""

from datetime import timedelta

from celery import shared_task

from qualitas.framework.jobs import periodic
from qualitas.notifications import sending, services
from qualitas.notifications.sending import send_deliveries

__all__ = ("fire_reminders", "purge_notifications", "send_digests", "send_due_deliveries", "send_deliveries")


@periodic("Send queued e-mail notifications", every=timedelta(minutes=1))
@shared_task(ignore_result=True)
def send_due_deliveries():
    """Send every queued or retrying e-mail that is due: the safety net behind the per-batch
    dispatch, and the retry of failed e-mails. Returns (sent, failed)."""
    return sending.send_due()


@periodic("Send notification digests", every=timedelta(minutes=10))
@shared_task(ignore_result=True)
def send_digests():
    """Queue the daily and weekly digest e-mails once their digest hour has passed."""
    return len(services.send_digests())


@periodic("Send due reminders", every=timedelta(minutes=5))
@shared_task(ignore_result=True)
def fire_reminders():
    """Send fixed-interval and deadline reminders that are due, and overdue notices."""
    return services.fire_due_reminders()


@periodic("Delete old notifications", every=timedelta(days=1))
@shared_task(ignore_result=True)
def purge_notifications():
    """Delete notifications and sent e-mails older than QUALITAS_NOTIFICATIONS_RETENTION_DAYS."""
    return services.purge_old()
