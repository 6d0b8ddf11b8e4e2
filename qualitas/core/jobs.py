"""Periodic jobs of the audit trail."""

from datetime import timedelta

from celery import shared_task

from qualitas.core import audit
from qualitas.framework.jobs import periodic

#: How long a committed entry may wait before it is linked into the chain (the sealing window).
SEAL_EVERY = timedelta(seconds=10)


@periodic("Seal the audit chain", every=SEAL_EVERY)
@shared_task(ignore_result=True)
def seal_audit_chain():
    """Link committed audit entries into the hash chain. Returns how many were sealed."""
    return audit.seal()
