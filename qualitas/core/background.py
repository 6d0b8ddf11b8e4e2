"""Long work as a job: a ``core.Job`` row that the Celery worker runs, with progress, a log and a
result file that people follow on the job's page and in the API.

An app declares a kind of job in its ``jobs.py`` (the worker and ``start_job`` import every app's
``jobs`` module):

    @job_kind("reports.inspection_pack", label="Inspection pack")
    def build_pack(job, **params):
        job.progress(40, "Rendering the PDF")   # per cent and a log line, saved at once
        job.log("500 history entries")
        job.set_result("pack.pdf", pdf_bytes, content_type="application/pdf")

and starts one from a view or a service:

    job = start_job("reports.inspection_pack", user=request.user, obj=record, params={...})
    return redirect(job.get_absolute_url())     # the page with the live progress bar

How a job survives failures:

- The job is handed to the queue when the starting transaction commits, so the worker never
  looks for a row that is not there yet (or that was rolled back).
- The Celery task is acknowledged only after it ends (``acks_late``) and is given back to the
  queue when its worker process dies (``reject_on_worker_lost``). With Redis, a message whose
  worker vanished altogether comes back after the broker's visibility timeout
  (``QUALITAS_JOB_VISIBILITY_TIMEOUT``), and the "Recover stalled jobs" periodic job hands it to
  the queue again in any case.
- A run claims the job with a compare-and-set on its status, so a job runs at most once at a
  time. While it runs, a heartbeat is written every ``QUALITAS_JOB_HEARTBEAT_SECONDS``; a running
  job whose heartbeat is older than three beats has lost its worker and may be claimed again.
- A new attempt starts from the beginning: the previous attempt's result files are removed and
  progress goes back to 0. A job that succeeded, failed or was cancelled is never run again.
  Job functions must therefore be idempotent: running one twice must leave the same state as
  running it once (write results with ``set_result``, update records rather than append to them).
- Progress and log lines are written in their own short transactions, so they stay when the job
  fails. Do not wrap a whole job function in ``transaction.atomic()``: its progress would be
  rolled back with it and nobody could follow it.
"""

import json
import logging
import mimetypes
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from celery import shared_task
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from qualitas.core.choices import JobStatusChoices
from qualitas.core.service_models import Job, JobFile, stored_path
from qualitas.core.services import acting_as
from qualitas.framework.context import change_context
from qualitas.framework.records import visible

logger = logging.getLogger(__name__)

RUNNING = JobStatusChoices.RUNNING
QUEUED = JobStatusChoices.QUEUED


class JobCancelled(Exception):
    """Raised inside a job function when the job was cancelled (or taken over by a newer attempt)."""


class UnknownJobKind(LookupError):
    pass


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    function: object
    #: Runs that may start before the job is given up (each worker loss costs one).
    max_attempts: int = 3


_kinds: dict[str, JobKind] = {}


def job_kind(name, label, max_attempts=3):
    """Register a function as the kind of job ``name``. The function is called as
    ``function(job, **params)`` in the worker, where ``job`` is a ``JobRun``."""

    def register(function):
        registered = _kinds.get(name)
        if registered is not None and registered.function is not function:
            qualified = f"{registered.function.__module__}.{registered.function.__qualname__}"
            if qualified != f"{function.__module__}.{function.__qualname__}":
                raise ValueError(f"Job kind {name!r} is already registered for {qualified}.")
        _kinds[name] = JobKind(name=name, label=label, function=function, max_attempts=max_attempts)
        return function

    return register


def job_kinds():
    """Every registered kind, by name (each app's ``jobs`` module is imported first)."""
    autodiscover_modules("jobs")
    return dict(sorted(_kinds.items()))


def get_kind(name):
    if name not in _kinds:
        autodiscover_modules("jobs")
    try:
        return _kinds[name]
    except KeyError:
        raise UnknownJobKind(f"There is no job kind {name!r}; declare it with @job_kind in an app's jobs.py.")


def heartbeat_seconds():
    return max(1, int(getattr(settings, "QUALITAS_JOB_HEARTBEAT_SECONDS", 10)))


def lease():
    """How long a running job's heartbeat may be silent before its worker counts as lost."""
    return timedelta(seconds=3 * heartbeat_seconds())


# --- Starting, dispatching, cancelling ----------------------------------------------------------


def start_job(kind, user=None, obj=None, params=None, label=""):
    """Create a job of ``kind`` for ``obj`` (any record, or None) started by ``user`` and hand it
    to the worker once the current transaction commits. Returns the ``core.Job``.

    ``params`` must be JSON (it is stored on the job and given to the function as keyword
    arguments). Raises ``UnknownJobKind`` for a kind nobody declared and ``TypeError`` for
    parameters that are not JSON.
    """
    job_kind_ = get_kind(kind)
    params = dict(params or {})
    try:
        params = json.loads(json.dumps(params, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as error:
        raise TypeError(f"Job parameters must be JSON: {error}")
    job = Job(
        kind=kind,
        label=(label or job_kind_.label)[:200],
        started_by=user if getattr(user, "pk", None) else None,
        params=params,
    )
    if obj is not None:
        job.content_type = ContentType.objects.get_for_model(type(obj), for_concrete_model=True)
        job.object_id = str(obj.pk)
        job.object_repr = str(obj)[:200]
    with acting_as(job.started_by):
        job.save()
    transaction.on_commit(partial(dispatch, job.pk), robust=True)
    return job


def dispatch(job_id):
    """Hand the job to the queue. A broker that cannot be reached is written to the job's log;
    the "Recover stalled jobs" periodic job tries again."""
    try:
        run_job.apply_async(args=[job_id])
    except Exception as error:  # the broker's errors depend on the transport
        logger.exception("Could not queue job %s", job_id)
        _append_log(job_id, f"The job could not be queued ({type(error).__name__}); it will be retried.")
        return False
    # Eager mode (tests) has run the job already; a real queue has it now.
    Job.objects.filter(pk=job_id).update(dispatched=timezone.now())
    return True


def cancel_job(job, user=None):
    """Cancel a queued or running job. A running job stops at its next progress or log call.
    Returns True when the job was cancelled, False when it had already finished."""
    line = _log_line(f"Cancelled by {_name(user)}.")
    count = Job.objects.filter(pk=job.pk, status__in=(QUEUED, RUNNING)).update(
        status=JobStatusChoices.CANCELLED,
        finished_at=timezone.now(),
        message="Cancelled",
        log=Concat(F("log"), Value(line), output_field=models.TextField()),
    )
    job.refresh_from_db()
    return bool(count)


def may_cancel(job, user):
    if job.is_finished or not getattr(user, "is_authenticated", False):
        return False
    return job.started_by_id == user.pk or user.is_superuser or user.has_perm("core.monitor_jobs")


def may_download(job, user):
    """Whether ``user`` may download the job's results: they may see the job, and the record it
    was made from is still visible to them (its content may be in the files)."""
    if not Job.objects.restrict(user, "view").filter(pk=job.pk).exists():
        return False
    if not job.content_type_id:
        return True
    record = job.record
    return record is not None and visible(user, record)


def recover_stalled_jobs():
    """Hand to the queue again: jobs that never reached it, and running jobs whose worker was
    lost (no heartbeat for longer than the lease) and that were not handed over since.
    Returns how many were dispatched."""
    now = timezone.now()
    stale = now - lease()
    never_queued = Q(status=QUEUED, dispatched__isnull=True, created__lt=now - timedelta(minutes=1))
    lost = Q(status=RUNNING, heartbeat__lt=stale) & (Q(dispatched__isnull=True) | Q(dispatched__lt=stale))
    count = 0
    for job_id in Job.objects.filter(never_queued | lost).values_list("pk", flat=True):
        _append_log(job_id, "Handed to the job queue again: its worker stopped answering.")
        count += dispatch(job_id)
    return count


# --- Running ------------------------------------------------------------------------------------


@shared_task(
    bind=True,
    name="core.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    ignore_result=True,
)
def run_job(self, job_id):
    """The one Celery task behind every job. Idempotent: see the module's docstring."""
    outcome = execute(job_id, eager=bool(self.request.is_eager))
    if outcome == "busy":
        # Another worker holds the job and is alive. Look again after a lease: by then it has
        # finished (nothing to do) or its worker is gone (the job is claimed and run).
        raise self.retry(countdown=lease().total_seconds())
    return outcome


def execute(job_id, eager=False):
    """Claim and run one job. Returns the job's status afterwards, ``"missing"`` or ``"busy"``."""
    job = Job.objects.filter(pk=job_id).select_related("started_by").first()
    if job is None:
        return "missing"
    if job.is_finished:
        return job.status
    with change_context(user=job.started_by, request_id=uuid.uuid4(), reason=f"{job}"):
        try:
            kind = get_kind(job.kind)
        except UnknownJobKind as error:
            _fail_unclaimed(job, str(error))
            return JobStatusChoices.FAILED
        attempt = _claim(job)
        if attempt is None:
            job.refresh_from_db()
            return job.status if job.is_finished else "busy"
        run = JobRun(job, attempt)
        if attempt > kind.max_attempts:
            run.finish(
                JobStatusChoices.FAILED,
                f"Given up after {kind.max_attempts} interrupted attempts.",
            )
            return JobStatusChoices.FAILED
        if attempt > 1:
            run.discard_previous_output()
            run.log(f"Attempt {attempt} of {kind.max_attempts}: the previous run stopped without finishing.")
        heartbeat = None if eager else Heartbeat(job.pk, attempt)
        if heartbeat is not None:
            heartbeat.start()
        try:
            kind.function(run, **job.params)
        except JobCancelled:
            return Job.objects.filter(pk=job.pk).values_list("status", flat=True).first()
        except Exception as error:
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
            message = f"{type(error).__name__}: {error}"[:2000]
            run.finish(JobStatusChoices.FAILED, message)
            return JobStatusChoices.FAILED
        finally:
            if heartbeat is not None:
                heartbeat.stop()
        run.finish(JobStatusChoices.SUCCEEDED)
        return JobStatusChoices.SUCCEEDED


def _claim(job):
    """Take the job for this run: queued, or running with a lost worker. Returns the attempt
    number, or None when the job is finished or another live worker holds it."""
    now = timezone.now()
    lost = Q(heartbeat__isnull=True) | Q(heartbeat__lt=now - lease())
    claimable = Q(status=QUEUED) | (Q(status=RUNNING) & lost)
    count = Job.objects.filter(claimable, pk=job.pk).update(
        status=RUNNING,
        attempts=F("attempts") + 1,
        heartbeat=now,
        started_at=now,
        finished_at=None,
        progress=0,
        message="Started",
        error="",
    )
    if not count:
        return None
    job.refresh_from_db()
    return job.attempts


def _fail_unclaimed(job, message):
    Job.objects.filter(pk=job.pk, status__in=(QUEUED, RUNNING)).update(
        status=JobStatusChoices.FAILED,
        finished_at=timezone.now(),
        error=message,
        message="Failed",
        log=Concat(F("log"), Value(_log_line(message)), output_field=models.TextField()),
    )


class Heartbeat(threading.Thread):
    """Writes the job's heartbeat while the job function runs (in its own thread, so also while
    the function computes without reporting progress)."""

    def __init__(self, job_id, attempt):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id = job_id
        self.attempt = attempt
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                try:
                    Job.objects.filter(pk=self.job_id, status=RUNNING, attempts=self.attempt).update(
                        heartbeat=timezone.now()
                    )
                except Exception:
                    logger.warning("Could not write the heartbeat of job %s", self.job_id, exc_info=True)
        finally:
            connections.close_all()

    def stop(self):
        self.stopped.set()
        self.join(timeout=5)


class JobRun:
    """What a job function receives as ``job``: the job's record, parameters and related record,
    and the calls that report progress and store results."""

    def __init__(self, job, attempt):
        self.job = job
        self.attempt = attempt

    @property
    def pk(self):
        return self.job.pk

    id = pk

    @property
    def params(self):
        return dict(self.job.params)

    @property
    def record(self):
        """The related record (unscoped: the job acts for the user who started it), or None."""
        return self.job.record

    @property
    def user(self):
        """The user who started the job, or None for jobs the system started."""
        return self.job.started_by

    def _mine(self):
        return Job.objects.filter(pk=self.job.pk, status=RUNNING, attempts=self.attempt)

    def _write(self, **values):
        values["heartbeat"] = timezone.now()
        if not self._mine().update(**values):
            raise JobCancelled(f"Job #{self.job.pk} was cancelled or taken over by another run.")

    def progress(self, percent, message=""):
        """Record how far the job is (0-100) and, with ``message``, the step it is at (also
        written to the log). Raises ``JobCancelled`` when the job was cancelled."""
        percent = max(0, min(100, int(percent)))
        values = {"progress": percent}
        if message:
            values["message"] = str(message)[:300]
            values["log"] = Concat(F("log"), Value(_log_line(message)), output_field=models.TextField())
        self._write(**values)

    def log(self, message):
        """Add a line to the job's log. Raises ``JobCancelled`` when the job was cancelled."""
        self._write(log=Concat(F("log"), Value(_log_line(message)), output_field=models.TextField()))

    def check_cancelled(self):
        """Raise ``JobCancelled`` if the job was cancelled; for long loops without progress calls."""
        if not self._mine().exists():
            raise JobCancelled(f"Job #{self.job.pk} was cancelled or taken over by another run.")

    def set_result(self, name, data, content_type=None):
        """Store the job's result file (bytes, text or a file object) with the storage API under a
        generated path. ``name`` is what the download is called. Calling it again replaces it."""
        name = _display_name(name)
        stored, size = _store(data, name)
        mime = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        previous = Job.objects.filter(pk=self.job.pk).values_list("result", flat=True).first()
        try:
            self._write(result=stored, result_name=name, result_type=mime, result_size=size)
        except JobCancelled:
            default_storage.delete(stored)
            raise
        if previous and previous != stored:
            default_storage.delete(previous)
        self.job.refresh_from_db()

    def add_file(self, name, data, content_type=None):
        """Store a further result file (listed on the job's page). A file of the same name made by
        an earlier call or attempt is replaced."""
        name = _display_name(name)
        self.check_cancelled()
        stored, size = _store(data, name)
        mime = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        previous = JobFile.objects.filter(job_id=self.job.pk, name=name).first()
        if previous is not None:
            old = previous.file.name
            previous.file, previous.mime_type, previous.size = stored, mime, size
            previous.save()
            default_storage.delete(old)
            return previous
        return JobFile.objects.create(job_id=self.job.pk, name=name, file=stored, mime_type=mime, size=size)

    def discard_previous_output(self):
        """A new attempt starts from nothing: remove what an interrupted attempt stored."""
        job = Job.objects.get(pk=self.job.pk)
        if job.result:
            default_storage.delete(job.result.name)
            self._write(result="", result_name="", result_type="", result_size=None)
        for extra in JobFile.objects.filter(job_id=self.job.pk):
            default_storage.delete(extra.file.name)
            extra.delete()

    def finish(self, status, error=""):
        now = timezone.now()
        if status == JobStatusChoices.SUCCEEDED:
            line, message = "Finished.", "Finished"
        else:
            line, message = f"Failed: {error}", "Failed"
        values = {
            "status": status,
            "finished_at": now,
            "message": message,
            "error": error,
            "log": Concat(F("log"), Value(_log_line(line)), output_field=models.TextField()),
        }
        if status == JobStatusChoices.SUCCEEDED:
            values["progress"] = 100
        self._mine().update(**values)
        self.job.refresh_from_db()


# --- Helpers ------------------------------------------------------------------------------------


def _log_line(message):
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    text = " ".join(str(message).split())  # one line, whatever the message holds
    return f"{stamp}  {text[:2000]}\n"


def _append_log(job_id, message):
    Job.objects.filter(pk=job_id).update(
        log=Concat(F("log"), Value(_log_line(message)), output_field=models.TextField())
    )


def _name(user):
    if user is None or not getattr(user, "pk", None):
        return "the system"
    return getattr(user, "full_name", "") or user.get_username()


def _display_name(name):
    """A file name fit for a download header: no directories, no control characters."""
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return (name or "result")[:255]


def _store(data, name):
    """Save ``data`` under a generated path; returns (the stored name, its size in bytes)."""
    extension = ""
    if "." in name:
        suffix = name.rsplit(".", 1)[1].lower()
        if suffix.isalnum() and len(suffix) <= 8:
            extension = f".{suffix}"
    if isinstance(data, str):
        data = data.encode()
    content = ContentFile(data) if isinstance(data, bytes | bytearray) else File(data)
    stored = default_storage.save(stored_path("jobs", extension), content)
    return stored, default_storage.size(stored)
