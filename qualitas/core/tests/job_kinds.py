"""Job kinds used only by the tests (the real-worker tests load this module into the worker with
``celery worker --include``)."""

import time
from pathlib import Path

from qualitas.core.background import job_kind


@job_kind("tests.count", label="Count for the tests")
def count(job, upto=3, result=True):
    for step in range(1, upto + 1):
        job.progress(round(100 * step / upto), f"Step {step} of {upto}")
    if result:
        job.set_result("count.txt", "\n".join(str(n) for n in range(1, upto + 1)), content_type="text/plain")


@job_kind("tests.fail", label="Fail for the tests")
def fail(job, after=50):
    job.progress(after, "About to fail")
    raise ValueError("the test asked for a failure")


@job_kind("tests.wait_for_marker", label="Wait for a marker file")
def wait_for_marker(job, marker, journal, timeout=60):
    """Writes ``started <attempt>`` to ``journal``, waits until ``marker`` exists, then writes
    ``done``: the journal shows how often the job started and how often it finished."""
    with Path(journal).open("a") as handle:
        handle.write(f"started {job.attempt}\n")
    job.progress(10, "Waiting for the marker")
    deadline = time.monotonic() + timeout
    while not Path(marker).exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the marker never appeared")
        time.sleep(0.1)
    job.set_result("done.txt", "done", content_type="text/plain")
    with Path(journal).open("a") as handle:
        handle.write("done\n")
