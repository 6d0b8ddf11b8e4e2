"""Production jobs: committing a work order import (``production.imports``), and removing the
uploads that waited for one."""

from celery import shared_task
from django.utils import timezone

from qualitas.core.background import job_kind
from qualitas.framework.jobs import periodic

from . import imports


class ImportFailed(Exception):
    """The import cannot run: nobody to act for, or the upload is gone."""


@job_kind(imports.JOB_KIND, label="Import work orders")
def import_work_orders(job, upload, name, sha256):
    """Create the work orders of the stored upload ``upload`` (checked against ``sha256``) for the
    person who started the job, all in one transaction or none. The result is a CSV of the
    created work orders; the uploaded file is kept beside it.

    Idempotent: when an interrupted run had already committed, a new run finds the work orders by
    their import note and only writes the result again.
    """
    job.progress(5, f"Reading {name}")
    if job.user is None:
        raise ImportFailed("A work order import is made for a person; this job has none.")
    try:
        data = imports.load_upload(upload, sha256)
    except imports.UploadUnavailable as error:
        raise ImportFailed(str(error)) from None
    preview = imports.parse_work_orders(data, user=job.user, name=name)
    created = imports.already_committed(preview, job.pk)
    if created:
        job.log(f"An earlier attempt had created the {len(created)} work orders; writing the result again.")
    else:
        created = imports.commit_work_orders(preview, job.user, job=job)
    parts = sum(item.quantity for item in created)
    job.progress(90, f"Created {len(created)} work orders with {parts:,} parts")
    job.log("Work orders: " + ", ".join(item.number for item in created))
    job.set_result(
        f"work-orders-imported-{timezone.now():%Y%m%d-%H%M%S}.csv",
        imports.result_csv(created),
        content_type="text/csv",
    )
    job.add_file(name, data, content_type="text/csv")


@periodic("Remove old work order uploads", every=imports.UPLOAD_LIFETIME / 2)
@shared_task(ignore_result=True)
def remove_old_work_order_uploads():
    """Delete uploaded work order files older than ``imports.UPLOAD_LIFETIME``: previews nobody
    committed, and imports whose job has a copy of the file. Returns how many were deleted."""
    found = imports.stale_uploads()
    for path in found:
        imports.discard_upload(path)
    return len(found)
