"""Periodic jobs registered in code, and the sealing job."""

from datetime import timedelta

import pytest
from celery import shared_task
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from qualitas.core import audit
from qualitas.core.jobs import seal_audit_chain
from qualitas.core.models import ObjectChange
from qualitas.framework import jobs
from qualitas.testing.factories import make_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    """The registry as it is, restored after the test."""
    saved = dict(jobs._jobs)
    yield jobs._jobs
    jobs._jobs.clear()
    jobs._jobs.update(saved)


def test_the_seal_task_links_committed_entries_into_the_chain():
    for _ in range(3):
        make_company()
    pending = ObjectChange.objects.filter(link__isnull=True).count()
    assert pending >= 3

    assert seal_audit_chain() == pending
    assert not ObjectChange.objects.filter(link__isnull=True).exists()
    assert seal_audit_chain.apply().get() == 0  # as the worker runs it; nothing left
    assert audit.verify(seal_first=False).ok


def test_the_seal_task_is_registered_every_ten_seconds():
    job = jobs.periodic_jobs()["Seal the audit chain"]
    assert job.task == seal_audit_chain.name == "qualitas.core.jobs.seal_audit_chain"
    assert job.every == timedelta(seconds=10)


def test_sync_writes_the_periodic_task():
    PeriodicTask.objects.filter(name="Seal the audit chain").delete()

    names = jobs.sync_periodic_tasks()

    assert "Seal the audit chain" in names
    task = PeriodicTask.objects.get(name="Seal the audit chain")
    assert task.task == "qualitas.core.jobs.seal_audit_chain"
    assert (task.interval.every, task.interval.period) == (10, IntervalSchedule.SECONDS)
    assert task.enabled and jobs.REGISTERED_MARK in task.description


def test_sync_is_idempotent_keeps_an_admins_pause_and_follows_changes(registry):
    jobs.sync_periodic_tasks()
    jobs.sync_periodic_tasks()
    assert PeriodicTask.objects.filter(name="Seal the audit chain").count() == 1

    task = PeriodicTask.objects.get(name="Seal the audit chain")
    task.enabled = False
    task.save()
    registry["Seal the audit chain"] = jobs.PeriodicJob(
        "Seal the audit chain", seal_audit_chain.name, timedelta(minutes=2)
    )
    jobs.sync_periodic_tasks()
    task.refresh_from_db()
    assert (task.interval.every, task.interval.period) == (2, IntervalSchedule.MINUTES)
    assert not task.enabled


def test_sync_removes_registered_tasks_that_are_gone_and_leaves_other_schedules_alone(registry):
    @jobs.periodic("Temporary job", every=timedelta(hours=1))
    @shared_task(name="qualitas.tests.temporary_job")
    def temporary_job():
        return None

    jobs.sync_periodic_tasks()
    assert PeriodicTask.objects.get(name="Temporary job").interval.period == IntervalSchedule.HOURS
    schedule, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.DAYS)
    PeriodicTask.objects.create(name="Made in the admin", task="some.task", interval=schedule)

    del registry["Temporary job"]
    jobs.sync_periodic_tasks()

    assert not PeriodicTask.objects.filter(name="Temporary job").exists()
    assert PeriodicTask.objects.filter(name="Made in the admin").exists()
    assert PeriodicTask.objects.filter(name="Seal the audit chain").exists()


def test_migrate_syncs_the_schedule():
    PeriodicTask.objects.filter(name="Seal the audit chain").delete()
    call_command("migrate", verbosity=0)
    assert PeriodicTask.objects.filter(name="Seal the audit chain").exists()


def test_periodic_refuses_what_is_not_a_task_and_tiny_intervals(registry):
    with pytest.raises(TypeError, match="Celery task"):
        jobs.periodic("Not a task", every=timedelta(minutes=1))(lambda: None)
    with pytest.raises(ValueError, match="at least one second"):
        jobs.periodic("Too fast", every=timedelta(milliseconds=10))
