"""Periodic jobs, registered in code.

An app's ``jobs.py`` declares a Celery task and how often it runs:

    @periodic("Seal the audit chain", every=timedelta(seconds=10))
    @shared_task(ignore_result=True)
    def seal_audit_chain():
        ...

``sync_periodic_tasks()`` makes django-celery-beat's schedule match the registry: it creates or
updates one ``PeriodicTask`` per registered job and removes the ones it created earlier for jobs
that no longer exist. It runs after every ``migrate`` (a post_migrate receiver in
``qualitas.core.signals``), so a deployment never has to set schedules up by hand. Schedules that
people add in the admin are left alone.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connections, transaction
from django.utils.module_loading import autodiscover_modules
from django_celery_beat.models import IntervalSchedule, PeriodicTask

#: Marks the PeriodicTask rows that the registry owns (in their description).
REGISTERED_MARK = "Registered in code (qualitas.framework.jobs)."


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    every: timedelta
    description: str = ""


_jobs: dict[str, PeriodicJob] = {}


def periodic(name, every, description=""):
    """Register a Celery task to run every ``every`` (a timedelta). Use above ``@shared_task``."""
    if every.total_seconds() < 1:
        raise ValueError(f"Periodic job {name!r}: the interval must be at least one second.")

    def register(task):
        task_name = getattr(task, "name", None)
        if not task_name:
            raise TypeError(
                f"Periodic job {name!r}: decorate a Celery task (put @periodic above @shared_task)."
            )
        registered = _jobs.get(name)
        if registered is not None and registered.task != task_name:
            raise ValueError(f"Periodic job {name!r} is already registered for {registered.task}.")
        _jobs[name] = PeriodicJob(
            name=name, task=task_name, every=every, description=description or (task.__doc__ or "").strip()
        )
        return task

    return register


def periodic_jobs():
    """Every registered job, by name. Imports each app's ``jobs`` module first."""
    autodiscover_modules("jobs")
    return dict(sorted(_jobs.items()))


def _interval(every):
    """The largest whole unit that expresses the interval exactly (django-celery-beat's form)."""
    seconds = int(every.total_seconds())
    for period, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds % size == 0:
            return seconds // size, period
    return seconds, "seconds"


def sync_periodic_tasks(using="default"):
    """Make django-celery-beat's PeriodicTask table match the registry. Returns the job names.

    Does nothing when django-celery-beat's tables do not exist (yet) in this database.
    """
    if PeriodicTask._meta.db_table not in connections[using].introspection.table_names():
        return []
    jobs = periodic_jobs()
    with transaction.atomic(using=using):
        for job in jobs.values():
            count, period = _interval(job.every)
            schedule, _ = IntervalSchedule.objects.using(using).get_or_create(every=count, period=period)
            description = f"{job.description}\n\n{REGISTERED_MARK}".strip()
            task = PeriodicTask.objects.using(using).filter(name=job.name).first()
            if task is None:
                task = PeriodicTask(name=job.name)
            wanted = {
                "task": job.task,
                "interval": schedule,
                "crontab": None,
                "solar": None,
                "clocked": None,
                "one_off": False,
                "description": description,
            }
            if task.pk is None or any(getattr(task, key) != value for key, value in wanted.items()):
                for key, value in wanted.items():
                    setattr(task, key, value)
                task.save(using=using)
        stale = PeriodicTask.objects.using(using).filter(description__endswith=REGISTERED_MARK)
        for task in stale.exclude(name__in=list(jobs)):
            task.delete()
    return list(jobs)
