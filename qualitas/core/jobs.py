"""Periodic jobs of the audit trail and of the job runner itself.

``run_job`` (qualitas.core.background) is imported here so that the Celery worker, which imports
every app's ``jobs`` module, knows the task that runs every ``core.Job``.
"""

import json
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from qualitas.core import attachments, audit, background, services
from qualitas.core.background import job_kind, run_job
from qualitas.framework.jobs import periodic

__all__ = (
    "recover_stalled_jobs",
    "remove_orphaned_attachment_files",
    "run_job",
    "seal_audit_chain",
    "verify_audit_trail",
)

#: How long a committed entry may wait before it is linked into the chain (the sealing window).
SEAL_EVERY = timedelta(seconds=10)


@periodic("Seal the audit chain", every=SEAL_EVERY)
@shared_task(ignore_result=True)
def seal_audit_chain():
    """Link committed audit entries into the hash chain. Returns how many were sealed."""
    return audit.seal()


@periodic("Recover stalled jobs", every=timedelta(minutes=1))
@shared_task(ignore_result=True)
def recover_stalled_jobs():
    """Hand to the queue again the jobs that never reached it and the running jobs whose worker
    stopped answering. Returns how many were handed over."""
    return background.recover_stalled_jobs()


@periodic("Remove orphaned attachment files", every=timedelta(days=1))
@shared_task(ignore_result=True)
def remove_orphaned_attachment_files():
    """Delete stored attachment files that no attachment refers to (an upload whose transaction
    rolled back after the file was saved). Returns how many were removed."""
    return attachments.remove_orphaned_files()


@job_kind("core.verify_audit", "Audit trail verification")
def verify_audit_trail(job, source="page"):
    """Verify every entry's hash and the whole chain (``services.verify_trail``, which records
    the result as an ``audit.verified`` event) and keep the result as a JSON file on the job. A
    re-run simply verifies again."""
    job.progress(5, "Sealing pending entries and verifying the chain")
    result, event = services.verify_trail(source=source)
    job.log(event.message)
    report = {**result.as_dict(), "event": event.pk, "verified_at": timezone.now().isoformat()}
    job.set_result(
        f"audit-verification-{timezone.now():%Y%m%d-%H%M%S}.json",
        json.dumps(report, indent=2, sort_keys=True),
        content_type="application/json",
    )
    job.progress(100, "Intact" if result.ok else "Broken")
