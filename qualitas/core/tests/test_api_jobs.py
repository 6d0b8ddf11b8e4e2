"""The jobs API: read-only with the generic tests, plus progress, cancel and result download."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from qualitas.core.background import start_job
from qualitas.core.choices import AccessKindChoices, JobStatusChoices
from qualitas.core.models import AccessLog
from qualitas.core.service_models import Job
from qualitas.core.tests import job_kinds  # noqa: F401  (registers the test kinds)
from qualitas.core.tests.job_factories import make_job
from qualitas.testing.api import ReadOnlyAPITests, assert_error
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


class TestJobAPI(ReadOnlyAPITests):
    model = Job

    def make_object(self, company=None):
        return make_job(status=JobStatusChoices.SUCCEEDED, progress=100, result=b"done")

    def login(self, *actions, **fields):
        # Jobs have only the view permission (they are started by features, never added or
        # edited); the generic reader monitors every job.
        actions = tuple(action for action in actions if action not in ("add", "change", "delete"))
        if "view" in actions:
            actions = (*actions, "core.monitor_jobs")
        return super().login(*actions, **fields)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def inspector(api):
    user = make_user(role="QA Inspector")
    api.force_authenticate(user)
    return user


def test_following_a_job_through_the_api(api, inspector, django_capture_on_commit_callbacks):
    widget = Widget.objects.create(name="Bracket")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start_job("tests.count", user=inspector, obj=widget, params={"upto": 2})
    url = reverse("job-detail", args=[job.pk])

    body = api.get(url).json()
    assert (body["status"], body["progress"], body["is_finished"], body["result_url"]) == (
        "queued",
        0,
        False,
        "",
    )
    assert body["record"] == f"testapp.widget:{widget.pk}" and body["object_repr"] == str(widget)
    assert body["url"] == f"http://testserver/jobs/{job.pk}/" and body["kind"] == "tests.count"

    callbacks[0]()
    body = api.get(url).json()
    assert (body["status"], body["status_display"], body["progress"], body["is_finished"]) == (
        "succeeded",
        "Succeeded",
        100,
        True,
    )
    assert body["result_name"] == "count.txt" and body["result_size"] == 3
    assert body["result_url"] == f"http://testserver/api/v1/jobs/{job.pk}/result/"
    assert body["log"].endswith("Finished.\n") and body["attempts"] == 1

    before = AccessLog.objects.filter(kind=AccessKindChoices.DOWNLOAD).count()
    download = api.get(body["result_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"1\n2"
    assert download["Content-Disposition"] == 'attachment; filename="count.txt"'
    assert AccessLog.objects.filter(kind=AccessKindChoices.DOWNLOAD).count() == before + 1


def test_people_see_only_their_own_jobs(api, inspector):
    own = make_job(started_by=inspector)
    other = make_job()
    response = api.get(reverse("job-list"))
    assert [row["id"] for row in response.json()["results"]] == [own.pk]
    assert_error(api.get(reverse("job-detail", args=[other.pk])), 404)
    assert_error(api.post(reverse("job-cancel", args=[other.pk])), 404)


def test_cancel(api, inspector):
    job = make_job(started_by=inspector, status=JobStatusChoices.RUNNING)
    response = api.post(reverse("job-cancel", args=[job.pk]))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    body = assert_error(api.post(reverse("job-cancel", args=[job.pk])), 400)
    assert body["errors"] == {"status": ["The job has already cancelled."]}


def test_a_result_of_a_record_the_reader_cannot_see_is_404(api):
    widget = Widget.objects.create(name="Bracket", customer=make_company(kind="customer"))
    customer = make_user(role="Customer", company=make_company(kind="customer"))
    job = make_job(started_by=customer, obj=widget, status=JobStatusChoices.SUCCEEDED, result=b"x")
    api.force_authenticate(customer)
    assert api.get(reverse("job-detail", args=[job.pk])).status_code == 200
    assert_error(api.get(reverse("job-result", args=[job.pk])), 404)


def test_a_job_without_result_has_no_download(api, inspector):
    job = make_job(started_by=inspector, status=JobStatusChoices.SUCCEEDED)
    assert_error(api.get(reverse("job-result", args=[job.pk])), 404)


def test_filter_by_record_and_status(api, inspector):
    widget = Widget.objects.create(name="Bracket")
    on_widget = make_job(started_by=inspector, obj=widget, status=JobStatusChoices.RUNNING)
    make_job(started_by=inspector, status=JobStatusChoices.RUNNING)
    response = api.get(reverse("job-list"), {"record": f"testapp.widget:{widget.pk}", "status": "running"})
    assert [row["id"] for row in response.json()["results"]] == [on_widget.pk]
    body = assert_error(api.get(reverse("job-list"), {"record": "not a record"}), 400)
    assert body["errors"] == {"record": ["Give the record as app_label.model:id, e.g. testapp.widget:12."]}
