"""What reports read from the other record services: signatures, attachments, comments and
approvals. Every call into those apps is here, so that a report never depends on their internals.
"""

from qualitas.approvals.choices import RequestStatusChoices
from qualitas.approvals.services import outcome
from qualitas.core.attachments import attachments_for
from qualitas.core.comments import comment_thread
from qualitas.signatures.services import content_hash, signatures_for


def signatures_of(obj):
    """The record's electronic signatures, oldest first."""
    return list(signatures_for(obj))


def current_content_hash(obj):
    """SHA-256 of the record's canonical content now (what signatures are bound to)."""
    return content_hash(obj)


def attachments_of(obj):
    """The record's current attachments (archived ones aside), oldest first, with who uploaded
    them."""
    return list(attachments_for(obj).order_by("created", "id"))


def comment_thread_of(obj):
    """The record's comments in reading order: ``[(comment, depth), ...]``, each followed by its
    replies; removed comments are in it (archived), so that a thread stays readable."""
    return comment_thread(obj)


def approval_outcome(obj):
    """Whether the record's latest approval request (cancelled ones aside) ended approved; None
    when the record never went through the approvals engine."""
    status = outcome(obj)
    if status is None:
        return None
    return status == RequestStatusChoices.APPROVED
