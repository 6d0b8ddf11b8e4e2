"""Jobs run in-process (the test settings' eager mode): start, progress, results, failure,
idempotence, cancelling, recovery and permissions. The real worker is tested in
test_jobs_worker.py."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from qualitas.core import background
from qualitas.core.background import JobCancelled, UnknownJobKind, job_kind, start_job
from qualitas.core.choices import JobStatusChoices
from qualitas.core.models import ObjectChange
from qualitas.core.service_models import Job, JobFile
from qualitas.core.tests import job_kinds  # noqa: F401  (registers the test kinds)
from qualitas.core.tests.conftest import stored_files
from qualitas.framework import jobs as periodic_registry
from qualitas.framework.records import visible
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return make_user(role="QA Manager", full_name="Quinn Manager")


@pytest.fixture
def started(django_capture_on_commit_callbacks):
    """Start a job and run what the commit hands to the (eager) queue."""

    def start(kind, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            job = start_job(kind, **kwargs)
        job.refresh_from_db()
        return job

    return start


def log_messages(job):
    return [line.split("  ", 1)[1] for line in job.log.splitlines()]


@job_kind("tests.edit_widget", label="Edit a widget")
def edit_widget(job, quantity):
    widget = job.record
    widget.quantity = quantity
    widget.save()


@job_kind("tests.cancel_itself", label="Cancel itself")
def cancel_itself(job):
    job.progress(30, "Working")
    background.cancel_job(job.job)
    job.progress(60, "Never written")


@job_kind("tests.two_files", label="Two files")
def two_files(job):
    job.set_result("first.txt", b"one")
    job.set_result("report.csv", "a,b\n1,2\n")
    job.add_file("notes.txt", b"extra")


def test_a_job_is_queued_and_handed_over_only_when_the_transaction_commits(
    manager, django_capture_on_commit_callbacks
):
    widget = Widget.objects.create(name="Bracket")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job("tests.count", user=manager, obj=widget, params={"upto": 2})
    job.refresh_from_db()
    assert job.status == JobStatusChoices.QUEUED and job.dispatched is None
    assert (job.content_type.model, job.object_id, job.object_repr) == ("widget", str(widget.pk), str(widget))
    assert job.record == widget and job.record_label == f"testapp.widget:{widget.pk}"
    assert job.label == "Count for the tests" and job.started_by == manager and job.params == {"upto": 2}
    assert len(callbacks) == 1

    callbacks[0]()

    job.refresh_from_db()
    assert job.status == JobStatusChoices.SUCCEEDED and job.dispatched is not None


def test_a_rolled_back_start_leaves_no_job_and_queues_nothing(manager, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        start_job("tests.count", user=manager)
        raise RuntimeError("the caller fails after starting the job")
    assert not Job.objects.exists()
    assert callbacks == []


def test_progress_log_and_result(manager, started, media_root):
    job = started("tests.count", user=manager, params={"upto": 4})

    assert job.status == JobStatusChoices.SUCCEEDED and job.progress == 100 and job.attempts == 1
    assert log_messages(job) == ["Step 1 of 4", "Step 2 of 4", "Step 3 of 4", "Step 4 of 4", "Finished."]
    assert job.message == "Finished"
    assert (job.result_name, job.result_type, job.result_size) == ("count.txt", "text/plain", 7)
    assert job.result.read() == b"1\n2\n3\n4"
    # Stored under a generated name, with the storage API.
    assert job.result.name.startswith("jobs/") and "count" not in job.result.name
    assert stored_files(media_root) == [job.result.name]
    assert job.started_at <= job.finished_at


def test_the_start_and_the_outcome_are_audited_but_not_each_progress_step(manager, started):
    job = started("tests.count", user=manager, params={"upto": 3})
    entries = list(
        ObjectChange.objects.filter(content_type__model="job", object_id=str(job.pk)).order_by("id")
    )
    assert [entry.action for entry in entries][0] == "create"
    assert entries[0].user_id == manager.pk
    statuses = [entry.changes["status"] for entry in entries if "status" in entry.changes]
    assert statuses == [[None, "queued"], ["queued", "running"], ["running", "succeeded"]]
    assert not any("progress" in entry.changes or "log" in entry.changes for entry in entries)


def test_a_failing_job_keeps_its_progress_and_log_and_says_why(manager, started):
    job = started("tests.fail", user=manager, params={"after": 50})
    assert job.status == JobStatusChoices.FAILED
    assert job.progress == 50
    assert job.error == "ValueError: the test asked for a failure"
    assert log_messages(job) == ["About to fail", "Failed: ValueError: the test asked for a failure"]
    assert not job.result


def test_the_job_acts_as_the_person_who_started_it(manager, started):
    widget = Widget.objects.create(name="Bracket", quantity=1)
    job = started("tests.edit_widget", user=manager, obj=widget, params={"quantity": 7})
    assert job.status == JobStatusChoices.SUCCEEDED, job.error
    widget.refresh_from_db()
    assert widget.quantity == 7 and widget.updated_by == manager
    change = ObjectChange.objects.filter(content_type__model="widget", object_id=str(widget.pk)).latest("id")
    assert change.changes == {"quantity": [1, 7]}
    assert change.user_id == manager.pk and change.reason == f"Job #{job.pk}: Edit a widget"


def test_a_finished_job_is_never_run_again(manager, started):
    job = started("tests.count", user=manager, params={"upto": 2})
    before = (job.log, job.attempts, job.result.name, job.finished_at)

    for status in JobStatusChoices.FINISHED:
        Job.objects.filter(pk=job.pk).update(status=status)
        assert background.execute(job.pk) == status

    job.refresh_from_db()
    assert (job.log, job.attempts, job.result.name, job.finished_at) == before


def test_a_job_held_by_a_live_worker_is_left_to_it(manager):
    job = Job.objects.create(kind="tests.count", label="Count", started_by=manager)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatusChoices.RUNNING, attempts=1, heartbeat=timezone.now()
    )

    assert background.execute(job.pk) == "busy"

    job.refresh_from_db()
    assert job.status == JobStatusChoices.RUNNING and job.attempts == 1 and job.log == ""


def test_a_job_whose_worker_was_lost_starts_again_from_the_beginning(manager, media_root, settings):
    settings.QUALITAS_JOB_HEARTBEAT_SECONDS = 5
    job = Job.objects.create(kind="tests.count", label="Count", started_by=manager, params={"upto": 2})
    # The first attempt got half-way and stored a result, then its worker died.
    stale = default_storage.save("jobs/stale.txt", ContentFile(b"half"))
    JobFile.objects.create(
        job=job,
        name="partial.txt",
        file=default_storage.save("jobs/partial.txt", ContentFile(b"p")),
    )
    Job.objects.filter(pk=job.pk).update(
        status=JobStatusChoices.RUNNING,
        attempts=1,
        progress=50,
        result=stale,
        result_name="count.txt",
        heartbeat=timezone.now() - timedelta(seconds=16),
    )

    assert background.execute(job.pk) == JobStatusChoices.SUCCEEDED

    job.refresh_from_db()
    assert job.attempts == 2 and job.progress == 100
    assert log_messages(job)[0] == "Attempt 2 of 3: the previous run stopped without finishing."
    assert job.result.read() == b"1\n2"
    assert not job.files.exists()
    assert stored_files(media_root) == [job.result.name]


def test_a_job_that_keeps_losing_its_worker_is_given_up(manager):
    job = Job.objects.create(kind="tests.count", label="Count", started_by=manager)
    Job.objects.filter(pk=job.pk).update(status=JobStatusChoices.RUNNING, attempts=3, heartbeat=None)

    assert background.execute(job.pk) == JobStatusChoices.FAILED

    job.refresh_from_db()
    assert job.error == "Given up after 3 interrupted attempts." and job.attempts == 4


def test_a_cancelled_job_stops_at_its_next_report_and_stays_cancelled(manager, started):
    job = started("tests.cancel_itself", user=manager)
    assert job.status == JobStatusChoices.CANCELLED
    assert job.progress == 30
    assert log_messages(job) == ["Working", "Cancelled by the system."]
    assert background.execute(job.pk) == JobStatusChoices.CANCELLED


def test_cancelling_a_queued_job_means_it_never_runs(manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job("tests.count", user=manager)
    assert background.cancel_job(job, manager) is True
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == JobStatusChoices.CANCELLED and job.attempts == 0
    assert log_messages(job) == ["Cancelled by Quinn Manager."]
    assert background.cancel_job(job, manager) is False


def test_results_replace_each_other_and_further_files_are_kept(manager, started, media_root):
    job = started("tests.two_files", user=manager)
    assert job.result_name == "report.csv" and job.result_type == "text/csv"
    assert job.result.read() == b"a,b\n1,2\n"
    extra = job.files.get()
    assert (extra.name, extra.mime_type, extra.size) == ("notes.txt", "text/plain", 5)
    # The replaced first result is gone from storage.
    assert stored_files(media_root) == sorted([job.result.name, extra.file.name])


def test_unknown_kinds_and_parameters_that_are_not_json_are_refused(manager):
    with pytest.raises(UnknownJobKind):
        start_job("tests.no_such_kind", user=manager)
    with pytest.raises(TypeError, match="JSON"):
        start_job("tests.count", user=manager, params={"upto": object()})
    assert not Job.objects.exists()


def test_a_stored_job_of_a_kind_nobody_declares_fails_with_the_reason(manager):
    job = Job.objects.create(kind="gone.kind", label="Old kind", started_by=manager)
    assert background.execute(job.pk) == JobStatusChoices.FAILED
    job.refresh_from_db()
    assert "There is no job kind 'gone.kind'" in job.error


def test_a_broker_that_cannot_be_reached_is_logged_and_recovered_later(manager, monkeypatch, started):
    def unreachable(*args, **kwargs):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(background.run_job, "apply_async", unreachable)
    job = started("tests.count", user=manager)
    assert job.status == JobStatusChoices.QUEUED and job.dispatched is None
    assert log_messages(job) == ["The job could not be queued (ConnectionError); it will be retried."]

    monkeypatch.undo()
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(minutes=2))
    assert background.recover_stalled_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatusChoices.SUCCEEDED


def test_recovery_hands_over_running_jobs_that_lost_their_worker_only(manager):
    lost = Job.objects.create(kind="tests.count", label="Lost", started_by=manager)
    alive = Job.objects.create(kind="tests.count", label="Alive", started_by=manager)
    waiting = Job.objects.create(kind="tests.count", label="Waiting in the queue", started_by=manager)
    old = timezone.now() - timedelta(hours=1)
    Job.objects.filter(pk=lost.pk).update(
        status=JobStatusChoices.RUNNING, attempts=1, heartbeat=old, dispatched=old
    )
    Job.objects.filter(pk=alive.pk).update(
        status=JobStatusChoices.RUNNING, attempts=1, heartbeat=timezone.now()
    )
    Job.objects.filter(pk=waiting.pk).update(dispatched=timezone.now(), created=old)

    assert background.recover_stalled_jobs() == 1

    assert Job.objects.get(pk=lost.pk).status == JobStatusChoices.SUCCEEDED
    assert Job.objects.get(pk=alive.pk).status == JobStatusChoices.RUNNING
    assert Job.objects.get(pk=waiting.pk).status == JobStatusChoices.QUEUED


def test_recovery_is_a_periodic_job_registered_in_code():
    job = periodic_registry.periodic_jobs()["Recover stalled jobs"]
    assert job.task == "qualitas.core.jobs.recover_stalled_jobs"
    assert job.every == timedelta(minutes=1)


def test_a_job_function_outside_a_run_cannot_write(manager):
    job = Job.objects.create(kind="tests.count", label="Count", started_by=manager)
    run = background.JobRun(job, attempt=1)  # the job is queued, not running this attempt
    with pytest.raises(JobCancelled):
        run.progress(10, "Not mine")
    assert Job.objects.get(pk=job.pk).progress == 0


def test_who_sees_and_downloads_a_job(manager, started):
    customer_company = make_company(kind="customer")
    widget = Widget.objects.create(name="Bracket", customer=customer_company)
    inspector = make_user(role="QA Inspector")
    job = started("tests.count", user=inspector, obj=widget)

    assert set(Job.objects.restrict(inspector)) == {job}
    assert set(Job.objects.restrict(manager)) == {job}  # QA Manager monitors every job
    assert not Job.objects.restrict(make_user(role="QA Inspector")).exists()
    assert not Job.objects.restrict(make_user(role="Auditor")).exists()

    assert background.may_download(job, inspector)
    assert not background.may_download(job, make_user(role="QA Inspector"))
    # A customer who started a job on another company's record: the job is theirs, the record is not.
    outsider = make_user(role="Customer", company=make_company(kind="customer"))
    Job.objects.filter(pk=job.pk).update(started_by=outsider)
    job.refresh_from_db()
    assert set(Job.objects.restrict(outsider)) == {job}
    assert not visible(outsider, widget)
    assert not background.may_download(job, outsider)


def test_who_may_cancel(manager):
    owner = make_user(role="QA Inspector")
    job = Job.objects.create(kind="tests.count", label="Count", started_by=owner)
    assert background.may_cancel(job, owner)
    assert background.may_cancel(job, manager)
    assert not background.may_cancel(job, make_user(role="QA Inspector"))
    Job.objects.filter(pk=job.pk).update(status=JobStatusChoices.SUCCEEDED)
    job.refresh_from_db()
    assert not background.may_cancel(job, owner)
