"""The periodic jobs of the notifications are registered in code and do their work as a worker
runs them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from qualitas.framework import jobs as framework_jobs
from qualitas.notifications import jobs, services
from qualitas.notifications.models import Delivery, Notification
from qualitas.testing.factories import make_user

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Send queued e-mail notifications": (jobs.send_due_deliveries, timedelta(minutes=1)),
    "Send notification digests": (jobs.send_digests, timedelta(minutes=10)),
    "Send due reminders": (jobs.fire_reminders, timedelta(minutes=5)),
    "Delete old notifications": (jobs.purge_notifications, timedelta(days=1)),
}


def test_the_jobs_are_registered_and_written_to_the_schedule():
    registered = framework_jobs.periodic_jobs()
    for name, (task, every) in EXPECTED.items():
        assert registered[name].task == task.name and registered[name].every == every
    framework_jobs.sync_periodic_tasks()
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(EXPECTED) <= names
    assert PeriodicTask.objects.get(name="Send queued e-mail notifications").interval.every == 1


def test_the_send_job_sends_what_is_due(smtp_server):
    services.notify("approval.request", [make_user(email="due@example.com")], "Approve")
    assert jobs.send_due_deliveries.apply().get() == (1, 0)
    assert smtp_server.wait_for(1)[0].rcpt_tos == ["due@example.com"]


def test_the_reminder_job_fires_due_reminders():
    owner = make_user()
    reminder = services.schedule_reminder(
        "task.reminder", [owner], subject="Weekly walk-through", every=timedelta(minutes=1)
    )
    reminder.next_run_at = timezone.now() - timedelta(seconds=1)
    reminder.save()
    assert jobs.fire_reminders.apply().get() == 1
    assert Notification.objects.get().subject == "Weekly walk-through"


def test_the_purge_job_keeps_what_is_still_queued(settings):
    settings.QUALITAS_NOTIFICATIONS_RETENTION_DAYS = 30
    person = make_user()
    [old_sent] = services.notify("approval.request", [person], "Old, sent")
    [old_queued] = services.notify("approval.request", [person], "Old, still queued")
    services.set_preferences(person, {"task.reminder": "weekly"})
    [old_digest] = services.notify("task.reminder", [person], "Old, waiting for a digest")
    [recent] = services.notify("approval.request", [person], "Recent")
    long_ago = timezone.now() - timedelta(days=31)
    Delivery.objects.filter(pk=old_sent.delivery_id).update(status="sent", created=long_ago)
    Delivery.objects.filter(pk=old_queued.delivery_id).update(created=long_ago)
    Notification.objects.exclude(pk=recent.pk).update(created=long_ago)
    assert jobs.purge_notifications.apply().get() == (1, 1)
    assert set(Notification.objects.values_list("subject", flat=True)) == {
        "Old, still queued",
        "Old, waiting for a digest",
        "Recent",
    }
    assert not Delivery.objects.filter(pk=old_sent.delivery_id).exists()
    assert old_digest.pk in set(Notification.objects.values_list("pk", flat=True))
