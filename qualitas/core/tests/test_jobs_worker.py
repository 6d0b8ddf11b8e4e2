"""Jobs run by a real Celery worker over a real Redis, on the test database.

The worker is a separate process (``celery -A qualitas worker``) that reaches the test database
through ``DATABASE_URL``: on PostgreSQL that is the test database, on SQLite the database must be
a file (``QUALITAS_TEST_DB_FILE=1``, which ``make test`` sets), since an in-memory database
cannot be shared between processes. Each pytest-xdist worker uses its own Redis database number.

CI runs these tests against Redis on 127.0.0.1:6379 (``QUALITAS_REQUIRE_POSTGRES`` is set there,
and then a missing Redis or an in-memory database fails the tests instead of skipping them).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from qualitas.celery import app
from qualitas.core.background import run_job, start_job
from qualitas.core.choices import JobStatusChoices
from qualitas.core.service_models import Job
from qualitas.core.tests import job_kinds  # noqa: F401  (registers the test job kinds here too)
from qualitas.testing.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

REDIS = os.environ.get("QUALITAS_TEST_REDIS_URL", "redis://127.0.0.1:6379")
#: Seconds between the worker's heartbeats; a job silent for three beats counts as abandoned.
HEARTBEAT = 1
#: Seconds after which Redis gives an unacknowledged message of a vanished worker to another one.
VISIBILITY = 2


def required():
    return bool(os.environ.get("QUALITAS_REQUIRE_POSTGRES"))


def unavailable(reason):
    if required():
        pytest.fail(f"{reason} (CI needs these tests to run)")
    pytest.skip(reason)


def redis_url():
    """A Redis database of its own for each pytest-xdist worker (gw0 -> 10, gw1 -> 11, ...)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    number = 10 + (int(worker[2:]) % 6 if worker.startswith("gw") and worker[2:].isdigit() else 0)
    return f"{REDIS}/{number}"


def database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            unavailable(
                "the worker process cannot share an in-memory SQLite database; "
                "run with QUALITAS_TEST_DB_FILE=1 (make test does) or on PostgreSQL"
            )
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        user = settings.get("USER") or ""
        password = settings.get("PASSWORD") or ""
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{settings['NAME']}"
    unavailable(f"no real-worker test for {connection.vendor}")


@pytest.fixture
def broker():
    """The Celery app of this process sends to Redis instead of running tasks in-process."""
    url = redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        unavailable(f"Redis does not answer at {REDIS}")
    client.flushdb()
    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(
        broker_url=url, task_always_eager=False, broker_transport_options={"visibility_timeout": VISIBILITY}
    )
    app._after_fork()  # forget connection pools made for the old broker
    try:
        yield client
    finally:
        app.conf.update(saved)
        app._after_fork()
        client.flushdb()
        client.close()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class Workers:
    """Starts ``celery worker`` processes on the test database and stops every one of them."""

    def __init__(self, env, log_dir):
        self.env = env
        self.log_dir = log_dir
        self.processes = []

    def start(self):
        name = f"test-{uuid.uuid4().hex[:8]}@%h"
        log = (self.log_dir / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "qualitas",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--hostname",
                name,
                "--include",
                "qualitas.core.tests.job_kinds",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool's children die with it
        )
        log.close()
        self.processes.append(process)
        return process

    def kill(self, process):
        """SIGKILL the worker and its pool processes: nothing is acknowledged or given back."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def logs(self):
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}"
            for path in sorted(self.log_dir.glob("worker-*.log"))
        )


@pytest.fixture
def workers(broker, media, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "QUALITAS_TESTING": "1",
        "QUALITAS_MEDIA_ROOT": str(media),
        "QUALITAS_JOB_HEARTBEAT_SECONDS": str(HEARTBEAT),
        "QUALITAS_JOB_VISIBILITY_TIMEOUT": str(VISIBILITY),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    pool = Workers(env, tmp_path)
    yield pool
    pool.stop_all()


def wait_for(condition, timeout, workers, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n{workers.logs()}")


def status_of(job):
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def test_a_real_worker_runs_a_job_to_the_end(workers, media):
    user = make_user(role="QA Manager")
    workers.start()

    job = start_job("tests.count", user=user, params={"upto": 5})

    wait_for(lambda: status_of(job) in JobStatusChoices.FINISHED, 20, workers, "the job to finish")
    job.refresh_from_db()
    assert job.status == JobStatusChoices.SUCCEEDED, (job.error, job.log, workers.logs())
    assert job.progress == 100 and job.attempts == 1
    assert [line.split("  ", 1)[1] for line in job.log.splitlines()] == [
        *(f"Step {step} of 5" for step in range(1, 6)),
        "Finished.",
    ]
    assert job.dispatched is not None and job.started_at <= job.finished_at
    assert job.result.read() == b"1\n2\n3\n4\n5"
    assert (Path(media) / job.result.name).is_file()


def test_a_job_whose_worker_is_killed_is_delivered_again_and_finishes_once(workers, tmp_path, broker):
    user = make_user(role="QA Manager")
    marker, journal = tmp_path / "marker", tmp_path / "journal"
    journal.touch()
    first = workers.start()

    job = start_job(
        "tests.wait_for_marker", user=user, params={"marker": str(marker), "journal": str(journal)}
    )

    wait_for(lambda: journal.read_text() == "started 1\n", 20, workers, "the first attempt to start")
    wait_for(lambda: Job.objects.get(pk=job.pk).progress == 10, 5, workers, "the first progress")
    workers.kill(first)
    assert status_of(job) == JobStatusChoices.RUNNING
    marker.touch()
    # The broker gives the message back after its visibility timeout, and the job may be claimed
    # once its heartbeat is older than three beats.
    time.sleep(max(VISIBILITY, 3 * HEARTBEAT) + 0.5)
    workers.start()

    wait_for(lambda: status_of(job) in JobStatusChoices.FINISHED, 20, workers, "the second attempt")
    job.refresh_from_db()
    assert job.status == JobStatusChoices.SUCCEEDED, (job.error, job.log, workers.logs())
    assert job.attempts == 2
    assert journal.read_text() == "started 1\nstarted 2\ndone\n"
    assert "Attempt 2 of 3" in job.log
    assert job.result.read() == b"done"

    # The same job delivered once more (a duplicate message) is not run again.
    run_job.apply_async(args=[job.pk])
    wait_for(lambda: broker.llen("celery") == 0 and not broker.hlen("unacked"), 10, workers, "the duplicate")
    time.sleep(0.5)
    assert journal.read_text() == "started 1\nstarted 2\ndone\n"
    assert Job.objects.get(pk=job.pk).attempts == 2
