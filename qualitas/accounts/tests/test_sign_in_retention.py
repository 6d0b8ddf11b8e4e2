"""Retention of the sign-in log: a daily job deletes attempts older than
QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS through the one sanctioned purge path, and records the
count and the cut-off as the domain event ``accounts.sign_in_attempts_purged``."""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from qualitas.accounts import jobs, services
from qualitas.accounts.choices import LoginAttemptReasonChoices
from qualitas.accounts.models import LoginAttempt
from qualitas.core.models import AppendOnlyError, DomainEvent, ObjectChange
from qualitas.framework import jobs as framework_jobs

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def attempt(days_ago, email="someone@example.com"):
    return LoginAttempt.objects.create(
        time=NOW - datetime.timedelta(days=days_ago),
        email=email,
        reason=LoginAttemptReasonChoices.BAD_PASSWORD,
    )


def test_attempts_older_than_the_retention_are_deleted_and_the_purge_is_logged(settings):
    settings.QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS = 365
    for days_ago in (400, 366, 365):
        attempt(days_ago)
    kept = [attempt(364), attempt(1), attempt(0)]
    changes_before = ObjectChange.objects.count()

    # A second after NOW, the attempt of exactly 365 days ago is just past the cut-off.
    deleted = services.purge_login_attempts(now=NOW + datetime.timedelta(seconds=1))

    assert deleted == 3
    assert sorted(LoginAttempt.objects.values_list("pk", flat=True)) == sorted(row.pk for row in kept)
    event = DomainEvent.objects.get(name="accounts.sign_in_attempts_purged")
    cutoff = NOW + datetime.timedelta(seconds=1) - datetime.timedelta(days=365)
    assert event.data == {"deleted": 3, "cutoff": cutoff.isoformat(), "retention_days": 365}
    assert event.message == "3 sign-in attempt(s) before 2025-06-01 12:00 UTC deleted (365-day retention)"
    assert ObjectChange.objects.count() == changes_before  # log rows, not audited records


def test_nothing_old_enough_writes_nothing(settings):
    settings.QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS = 365
    attempt(10)
    assert services.purge_login_attempts(now=NOW) == 0
    assert LoginAttempt.objects.count() == 1
    assert not DomainEvent.objects.filter(name="accounts.sign_in_attempts_purged").exists()


def test_a_retention_of_zero_keeps_everything(settings):
    settings.QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS = 0
    attempt(5000)
    assert services.purge_login_attempts(now=NOW) == 0
    assert LoginAttempt.objects.count() == 1


def test_large_purges_go_in_batches(settings, monkeypatch):
    settings.QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS = 30
    monkeypatch.setattr(services, "PURGE_BATCH", 2)
    for days in (40, 41, 42, 43, 44):
        attempt(days)
    attempt(3)
    assert services.purge_login_attempts(now=NOW) == 5
    assert LoginAttempt.objects.count() == 1
    assert DomainEvent.objects.get(name="accounts.sign_in_attempts_purged").data["deleted"] == 5


def test_the_log_still_refuses_ordinary_deletes():
    row = attempt(400)
    with pytest.raises(AppendOnlyError):
        LoginAttempt.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        row.delete()


def test_the_job_is_registered_daily_and_calls_the_service(settings):
    settings.QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS = 365
    job = framework_jobs.periodic_jobs()["Purge old sign-in attempts"]
    assert job.task == jobs.purge_sign_in_attempts.name
    assert job.every == datetime.timedelta(days=1)
    framework_jobs.sync_periodic_tasks()
    task = PeriodicTask.objects.get(name="Purge old sign-in attempts")
    assert (task.interval.every, task.interval.period) == (1, "days")

    LoginAttempt.objects.create(
        time=timezone.now() - datetime.timedelta(days=400), reason=LoginAttemptReasonChoices.BAD_PASSWORD
    )
    assert jobs.purge_sign_in_attempts() == 1
    assert not LoginAttempt.objects.exists()
