"""The inspection pack as a job: the worker renders the PDF and the ZIP for the person who asked."""

import tempfile

from django.http import Http404

from qualitas.core.background import job_kind
from qualitas.reports import services


class PackUnavailable(Exception):
    """The record is gone, or the person who asked may no longer view it."""


@job_kind(services.JOB_KIND, label="Inspection pack")
def build_inspection_pack(job, record):
    """``record`` is a reference (``testapp.widget:12``). The pack holds what the user who started
    the job may see when it runs. Idempotent: the results replace those of an earlier attempt."""
    job.progress(5, "Checking access to the record")
    if job.user is None:
        raise PackUnavailable("An inspection pack is made for a person; this job has none.")
    try:
        obj = services.resolve_record(job.user, record)
    except Http404:
        raise PackUnavailable(f"{record} does not exist or {job.user} may not view it.") from None
    with tempfile.NamedTemporaryFile(suffix=".zip") as archive:
        files = services.produce_inspection_pack(obj, job.user, archive, progress=job.progress, job_id=job.id)
        job.progress(90, "Storing the PDF and the ZIP")
        job.set_result(files.pdf_name, files.pdf.content, content_type="application/pdf")
        archive.seek(0)
        job.add_file(files.zip_name, archive, content_type="application/zip")
    pack = files.pack
    job.log(
        f"{services.counted(files.pdf.pages, 'page')}: "
        f"{services.counted(len(pack.history), 'history entry', 'history entries')}, "
        f"{services.counted(len(pack.attachments), 'attachment')}, "
        f"{services.counted(len(pack.signatures), 'signature')}"
    )
