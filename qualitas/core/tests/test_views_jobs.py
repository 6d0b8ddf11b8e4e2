"""The job pages: the list ("Jobs" menu), the job's page with its live progress fragment,
cancelling, and result downloads through the record's permission check."""

import pytest
from django.urls import reverse

from qualitas.core.choices import AccessKindChoices, JobStatusChoices
from qualitas.core.models import AccessLog
from qualitas.core.service_models import Job
from qualitas.core.tests.job_factories import make_job
from qualitas.testing.factories import PASSWORD, make_company, make_user
from qualitas.testing.records import REASON
from qualitas.testing.testapp.models import Widget
from qualitas.testing.views import ReadOnlyModelViewTests

pytestmark = pytest.mark.django_db


class TestJobViews(ReadOnlyModelViewTests):
    """The generic page tests, read by someone who monitors jobs. That people see only their own
    jobs otherwise is tested below."""

    model = Job

    def make_object(self, company=None):
        return make_job(status=JobStatusChoices.SUCCEEDED, progress=100)

    def login(self, *actions, **fields):
        # Jobs have only the view permission (they are started by features, never added or
        # edited); the generic reader monitors every job.
        actions = tuple(action for action in actions if action not in ("add", "change", "delete"))
        if "view" in actions:
            actions = (*actions, "core.monitor_jobs")
        return super().login(*actions, **fields)


@pytest.fixture
def inspector(client):
    user = make_user(role="QA Inspector", full_name="Ines Inspector")
    client.login(email=user.email, password=PASSWORD)
    return user


def test_the_list_shows_people_their_own_jobs(client, inspector):
    own = make_job(started_by=inspector, label="My inspection pack")
    other = make_job(label="Someone else's pack")
    response = client.get(reverse("core:job_list"))
    assert response.status_code == 200
    assert [job.pk for job in response.context["page"].object_list] == [own.pk]
    html = response.content.decode()
    assert "My inspection pack" in html and "Someone else" not in html
    assert client.get(reverse("core:job_detail", args=[other.pk])).status_code == 404


def test_the_jobs_menu(client, inspector):
    html = client.get("/").content.decode()
    assert f'href="{reverse("core:job_list")}"' in html


def test_a_running_job_page_polls_its_progress_and_a_finished_one_stops(client, inspector):
    job = make_job(started_by=inspector, status=JobStatusChoices.RUNNING, progress=40, message="Rendering")
    progress_url = reverse("core:job_progress", args=[job.pk])

    page = client.get(job.get_absolute_url()).content.decode()
    assert f'hx-get="{progress_url}"' in page and 'hx-trigger="every 1s"' in page
    assert 'aria-valuenow="40"' in page and "Rendering" in page

    fragment = client.get(progress_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<html" not in html and 'hx-trigger="every 1s"' in html and "width: 40%" in html

    Job.objects.filter(pk=job.pk).update(
        status=JobStatusChoices.SUCCEEDED, progress=100, message="Finished", log="12:00  Finished.\n"
    )
    html = client.get(progress_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in html and "hx-trigger" not in html
    assert 'aria-valuenow="100"' in html and "Succeeded" in html and "Finished." in html


def test_the_progress_fragment_is_scoped_like_the_page(client, inspector):
    other = make_job(status=JobStatusChoices.RUNNING)
    assert client.get(reverse("core:job_progress", args=[other.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("core:job_progress", args=[other.pk])).status_code == 302


def test_a_failed_job_shows_its_error(client, inspector):
    job = make_job(
        started_by=inspector, status=JobStatusChoices.FAILED, progress=30, error="ValueError: bad row 7"
    )
    html = client.get(job.get_absolute_url()).content.decode()
    assert "ValueError: bad row 7" in html and "Failed" in html


def test_the_starter_cancels_a_job_others_cannot(client, inspector):
    job = make_job(started_by=inspector, status=JobStatusChoices.RUNNING)
    other = make_job(status=JobStatusChoices.RUNNING)

    response = client.post(reverse("core:job_cancel", args=[job.pk]))
    assert response.status_code == 302
    assert Job.objects.get(pk=job.pk).status == JobStatusChoices.CANCELLED
    assert client.post(reverse("core:job_cancel", args=[other.pk])).status_code == 404
    assert Job.objects.get(pk=other.pk).status == JobStatusChoices.RUNNING
    # A finished job cannot be cancelled.
    assert client.post(reverse("core:job_cancel", args=[job.pk])).status_code == 403


def test_cancel_with_htmx_returns_the_fragment(client, inspector):
    job = make_job(started_by=inspector, status=JobStatusChoices.QUEUED)
    response = client.post(reverse("core:job_cancel", args=[job.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cancelled" in html and "hx-trigger" not in html


def test_the_result_is_downloaded_through_the_record_check_and_logged(client, inspector):
    widget = Widget.objects.create(name="Bracket")
    job = make_job(started_by=inspector, obj=widget, status=JobStatusChoices.SUCCEEDED, result=b"pack")
    before = AccessLog.objects.filter(kind=AccessKindChoices.DOWNLOAD).count()

    response = client.get(reverse("core:job_result", args=[job.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"pack"
    assert response["Content-Disposition"] == 'attachment; filename="result.txt"'
    assert response["Content-Type"] == "text/plain" and response["X-Content-Type-Options"] == "nosniff"
    entry = AccessLog.objects.filter(kind=AccessKindChoices.DOWNLOAD).latest("id")
    assert AccessLog.objects.filter(kind=AccessKindChoices.DOWNLOAD).count() == before + 1
    assert (entry.user_id, entry.object_id, entry.content_type.model) == (
        inspector.pk,
        str(widget.pk),
        "widget",
    )
    assert entry.detail == f"{job}: result.txt"


def test_a_result_whose_record_the_reader_can_no_longer_see_is_404(client):
    company = make_company(kind="customer")
    widget = Widget.objects.create(name="Bracket", customer=make_company(kind="customer"))
    customer = make_user(role="Customer", company=company)
    job = make_job(started_by=customer, obj=widget, status=JobStatusChoices.SUCCEEDED, result=b"pack")
    client.login(email=customer.email, password=PASSWORD)
    before = AccessLog.objects.count()
    assert client.get(job.get_absolute_url()).status_code == 200  # their own job
    response = client.get(reverse("core:job_result", args=[job.pk]))
    assert response.status_code == 404
    assert AccessLog.objects.count() == before + 1  # the page view only, no download
    assert (
        "only available to people who may see the record"
        in client.get(job.get_absolute_url()).content.decode()
    )


def test_an_archived_record_still_gives_its_result_to_those_who_may_see_it(client, inspector):
    widget = Widget.objects.create(name="Bracket")
    job = make_job(started_by=inspector, obj=widget, status=JobStatusChoices.SUCCEEDED, result=b"pack")
    widget.archive(REASON)
    assert client.get(reverse("core:job_result", args=[job.pk])).status_code == 200
