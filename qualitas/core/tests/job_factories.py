"""Jobs made directly in the database, in any state, for the page, API and filter tests."""

import itertools

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from qualitas.core.choices import JobStatusChoices
from qualitas.core.service_models import Job
from qualitas.testing.factories import make_user

_numbers = itertools.count(1)


def make_job(started_by=None, obj=None, status=JobStatusChoices.QUEUED, result=None, **fields):
    """A job of the test kind ``tests.count``; ``result`` (bytes) is stored as its result file."""
    number = next(_numbers)
    fields.setdefault("kind", "tests.count")
    fields.setdefault("label", f"Test job {number}")
    job = Job(started_by=started_by or make_user(), status=status, **fields)
    if obj is not None:
        job.content_type = ContentType.objects.get_for_model(type(obj))
        job.object_id = str(obj.pk)
        job.object_repr = str(obj)
    if status in JobStatusChoices.FINISHED:
        job.finished_at = timezone.now()
    if result is not None:
        job.result.save("result.txt", ContentFile(result), save=False)
        job.result_name, job.result_type, job.result_size = "result.txt", "text/plain", len(result)
    job.save()
    return job
