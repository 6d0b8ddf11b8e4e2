"""Periodic jobs of the audit trail and of the job runner itself.

``run_job`` (qualitas.core.background) is imported here so that the Celery worker, which imports
every app's ``jobs`` module, knows the task that runs every ``core.Job``.
"""

from datetime import timedelta

from celery import shared_task

from qualitas.core import attachments, audit, background
from qualitas.core.background import run_job
from qualitas.framework.jobs import periodic

__all__ = ("recover_stalled_jobs", "remove_orphaned_attachment_files", "run_job", "seal_audit_chain")

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
