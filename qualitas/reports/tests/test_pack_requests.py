"""Asking for an inspection pack: the record header's button, the page, the API, and the job
that makes the PDF and the ZIP."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from qualitas.core.attachments import attach
from qualitas.core.choices import AccessKindChoices, JobStatusChoices
from qualitas.core.models import AccessLog
from qualitas.core.service_models import Job
from qualitas.framework.records import record_reference
from qualitas.reports import services
from qualitas.reports.tests.conftest import make_widget, pdf_text
from qualitas.testing.api import assert_error
from qualitas.testing.factories import make_company
from qualitas.testing.records import customer_of, user_with
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

PAGE = "/reports/inspection-packs/"
API = "/api/v1/inspection-packs/"


def reference(obj):
    return record_reference(obj)


@pytest.fixture
def client_of(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def api_of():
    def log_in(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return log_in


def read_file(field):
    with field.open("rb") as handle:
        return handle.read()


# --- The job ------------------------------------------------------------------------------------


def test_the_job_makes_the_pdf_and_the_zip(widget, manager, django_capture_on_commit_callbacks, tmp_path):
    attachment = attach(widget, ContentFile(b"thickness,3.02\n", name="measurements.csv"), user=manager)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_inspection_pack(manager, widget)
    job.refresh_from_db()

    assert job.status == JobStatusChoices.SUCCEEDED, job.error
    assert job.kind == "reports.inspection_pack" and job.params == {"record": reference(widget)}
    assert job.result_name == f"{widget.number}-v1-inspection-pack.pdf"
    assert job.result_type == "application/pdf"
    pdf = read_file(job.result)
    assert pdf.startswith(b"%PDF-")
    assert "Quantity: 20 → 30" in " ".join(" ".join(pdf_text(pdf, tmp_path)).split())

    (extra,) = job.files.all()
    assert extra.name == f"{widget.number}-v1-inspection-pack.zip" and extra.mime_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(read_file(extra.file)))
    assert archive.read(job.result_name) == pdf
    assert set(archive.namelist()) == {
        job.result_name,
        "attachments/measurements.csv",
        "MANIFEST.csv",
        "SHA256SUMS",
    }
    content = archive.read("attachments/measurements.csv")
    assert content == b"thickness,3.02\n" and hashlib.sha256(content).hexdigest() == attachment.sha256
    assert f"{attachment.sha256}  attachments/measurements.csv" in archive.read("SHA256SUMS").decode()

    assert [line.split("  ", 1)[1] for line in job.log.splitlines()] == [
        "Checking access to the record",
        "Reading the record's fields",
        "Reading related records",
        "Reading the history",
        "4 history entries; reading attachments, comments and signatures",
        "Rendering the PDF (4 history entries)",
        next(line.split("  ", 1)[1] for line in job.log.splitlines() if "pages; packing" in line),
        "Storing the PDF and the ZIP",
        next(line.split("  ", 1)[1] for line in job.log.splitlines() if "history entries, " in line),
        "Finished.",
    ]
    assert AccessLog.objects.filter(
        kind=AccessKindChoices.DOWNLOAD, object_id=str(widget.pk), detail__startswith="Inspection pack"
    ).exists()


def test_the_job_fails_cleanly_when_the_user_lost_access(widget, django_capture_on_commit_callbacks):
    reader = user_with(Widget, ["view", "core.view_job"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.request_inspection_pack(reader, widget)
    reader.user_permissions.clear()
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatusChoices.FAILED
    assert "may not view it" in job.error
    assert not job.result and not job.files.exists()


# --- The record header and the page -------------------------------------------------------------


def test_the_record_header_has_the_button(widget, manager, client_of):
    page = client_of(manager).get(widget.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert f'action="{PAGE}"' in html and f'value="{reference(widget)}"' in html
    assert ">Inspection pack</button>" in html


def test_no_button_for_people_who_cannot_follow_jobs(widget, client_of):
    reader = user_with(Widget, ["view"])
    html = client_of(reader).get(widget.get_absolute_url()).content.decode()
    assert ">Inspection pack</button>" not in html


def test_posting_the_button_starts_the_job_and_opens_its_page(
    widget, manager, client_of, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(manager).post(PAGE, {"record": reference(widget)})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatusChoices.SUCCEEDED
    assert job.started_by == manager and job.record == widget
    page = client_of(manager).get(job.get_absolute_url())
    assert page.status_code == 200 and job.result_name in page.content.decode()
    assert ">Inspection pack</button>" not in page.content.decode()  # no pack of a job


def test_the_page_says_what_the_pack_holds_and_lists_earlier_packs(
    widget, manager, client_of, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        earlier = services.request_inspection_pack(manager, widget)
    response = client_of(manager).get(PAGE, {"record": reference(widget)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "its full history: 4 changes" in html
    assert f"Job #{earlier.pk}" in html and "Succeeded" in html


@pytest.mark.parametrize(
    "bad", ["", "widget", "testapp.widget", "testapp.widget:", "a.b.c:1", "<script>.x:1"]
)
def test_a_malformed_reference_is_a_form_error(manager, client_of, bad):
    client = client_of(manager)
    response = client.post(PAGE, {"record": bad})
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not Job.objects.exists()
    assert client.get(PAGE, {"record": bad}).status_code == 400
    assert client.get(PAGE).status_code == 200  # the bare page asks for a record


@pytest.mark.parametrize(
    "record",
    [
        "testapp.widget:999999",
        "testapp.widget:abc",
        "testapp.widget:99999999999999999999999999",
        "testapp.widget:-1",
        "accounts.nothing:1",
        "sessions.session:1",
        "auth.group:1",
    ],
)
def test_an_unknown_record_is_a_404(manager, client_of, record):
    client = client_of(manager)
    assert client.post(PAGE, {"record": record}).status_code == 404
    assert client.get(PAGE, {"record": record}).status_code == 404
    assert not Job.objects.exists()


def test_a_customer_cannot_pack_another_companys_record(client_of, api_of):
    acme, bolt = make_company(name="Acme", kind="customer"), make_company(name="Bolt", kind="customer")
    theirs = make_widget(customer=acme)
    ours = make_widget(customer=bolt)
    customer = customer_of(bolt, Widget, ["view"])
    customer.user_permissions.add(*user_with(Job, ["view"]).user_permissions.all())
    customer = type(customer).objects.get(pk=customer.pk)

    assert client_of(customer).post(PAGE, {"record": reference(theirs)}).status_code == 404
    assert_error(api_of(customer).post(API, {"record": reference(theirs)}, format="json"), 404)
    assert not Job.objects.exists()
    # Their own company's record is fine.
    assert client_of(customer).get(PAGE, {"record": reference(ours)}).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(widget, client):
    response = client.post(PAGE, {"record": reference(widget)})
    assert response.status_code == 302 and "login" in response.url
    assert not Job.objects.exists()


# --- The API ------------------------------------------------------------------------------------


def test_the_api_starts_a_pack_and_answers_202_with_the_job(
    widget, manager, api_of, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_of(manager).post(API, {"record": reference(widget)}, format="json")
    job = Job.objects.get()
    assert response.status_code == 202, response.content
    body = response.json()
    assert body == {
        "job": job.pk,
        "status": "queued",
        "record": reference(widget),
        "url": job.get_absolute_url(),
        "api_url": f"http://testserver{reverse('job-detail', args=[job.pk])}",
    }
    assert response["Location"] == body["api_url"]
    followed = api_of(manager).get(body["api_url"]).json()
    assert followed["status"] == "succeeded" and followed["result_name"].endswith(".pdf")
    assert [item["name"] for item in followed["files"]] == [f"{widget.number}-v1-inspection-pack.zip"]


@pytest.mark.parametrize(
    "payload", [{}, {"record": ""}, {"record": "widget:1"}, {"record": ["a"]}, {"record": "x" * 300}]
)
def test_the_api_refuses_malformed_input_with_field_errors(manager, api_of, payload):
    body = assert_error(api_of(manager).post(API, payload, format="json"), 400)
    assert "record" in body["errors"]
    assert not Job.objects.exists()


def test_the_api_answers_404_for_records_you_cannot_see_and_401_without_sign_in(widget, api_of):
    assert_error(api_of(user_with(Widget, ["core.view_job"])).post(API, {"record": reference(widget)}), 404)
    assert_error(APIClient().post(API, {"record": reference(widget)}), 401)
    assert_error(api_of(user_with(Widget, ["view"])).post(API, {"record": reference(widget)}), 403)
    assert not Job.objects.exists()


def test_the_api_offers_only_post(manager, api_of):
    assert_error(api_of(manager).get(API), 405)
