"""The Attachments tab of every record, uploads through the page, downloads and previews."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from qualitas.core.attachments import attach
from qualitas.core.choices import AccessKindChoices
from qualitas.core.models import AccessLog, DomainEvent
from qualitas.core.service_models import Attachment
from qualitas.core.tests import samples
from qualitas.core.tests.conftest import stored_files
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import REASON
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


def multipart(fields, file_name, content, boundary="qualitas-test-boundary"):
    """A multipart body written by hand, so that the file name is sent exactly as given (the test
    client would strip folders from it)."""
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class TestAttachmentViews:
    model = Attachment

    @pytest.fixture(autouse=True)
    def _setup(self, client):
        self.client = client
        self.widget = Widget.objects.create(name="Bracket")
        self.inspector = make_user(role="QA Inspector", full_name="Ines Inspector")
        # Inspectors change inspection records; here they may change widgets too.
        self.inspector.user_permissions.add(
            *Permission.objects.filter(codename__in=["change_widget", "view_widget"])
        )
        self.inspector = type(self.inspector).objects.get(pk=self.inspector.pk)
        self.client.force_login(self.inspector)
        self.tab_url = f"{self.widget.get_absolute_url()}attachments/"
        self.upload_url = reverse("core:attachment_upload", args=["testapp.widget", self.widget.pk])

    def post_file(self, name, content, description=""):
        return self.client.post(
            self.upload_url, {"file": SimpleUploadedFile(name, content), "description": description}
        )

    def test_the_tab_lists_files_and_offers_the_upload_to_those_who_may_change_the_record(self):
        attach(
            self.widget,
            SimpleUploadedFile("photo.png", samples.image("PNG")),
            user=self.inspector,
            description="Burr on edge",
        )
        response = self.client.get(self.tab_url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "photo.png" in html and "Burr on edge" in html and "image/png" in html
        assert 'enctype="multipart/form-data"' in html and f'action="{self.upload_url}"' in html
        assert f'href="{self.tab_url}"' in client_page(self.client, self.widget.get_absolute_url())

        auditor = make_user(role="Auditor")
        self.client.force_login(auditor)
        html = self.client.get(self.tab_url).content.decode()
        assert "photo.png" in html and "multipart/form-data" not in html

    def test_upload_through_the_page(self, media_root):
        data = samples.pdf()
        response = self.post_file("certificate.pdf", data, description="Calibration certificate")
        assert response.status_code == 302 and response["Location"] == self.tab_url
        attachment = Attachment.objects.get()
        assert (attachment.name, attachment.mime_type, attachment.uploaded_by) == (
            "certificate.pdf",
            "application/pdf",
            self.inspector,
        )
        assert stored_files(media_root) == [attachment.file.name]
        assert "certificate.pdf" in self.client.get(self.tab_url).content.decode()

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("empty.txt", b"", "The file is empty (0 bytes)."),
            ("report.pdf", samples.executable(), "“report.pdf” is a program, which cannot be attached here."),
            ("page.html", samples.HTML, "“page.html” is an HTML page, which cannot be attached here."),
            ("photo.pdf", samples.image("PNG"), "“photo.pdf” is a PNG image, but its name ends in .pdf."),
        ],
    )
    def test_a_refused_upload_shows_why_and_leaves_nothing(self, media_root, name, content, message):
        response = self.post_file(name, content)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_a_file_over_the_limit_is_dropped_while_it_arrives(self, media_root, settings):
        settings.QUALITAS_ATTACHMENT_MAX_BYTES = 10_000
        response = self.post_file("notes.txt", b"x" * 50_000, description="Too big")
        assert response.status_code == 400
        html = response.content.decode()
        assert "The file is larger than 9.8\xa0KB, the most an attachment may be." in html
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_a_path_in_the_file_name_is_refused_with_a_message(self, media_root):
        body, content_type = multipart({"description": "x"}, "../../etc/passwd.txt", b"root:x:0:0\n")
        response = self.client.generic("POST", self.upload_url, body, content_type=content_type)
        assert response.status_code == 400
        assert "The file name may not contain folders" in response.content.decode()
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_a_name_django_would_drop_is_refused_too(self, media_root):
        body, content_type = multipart({}, "..", b"words\n")
        response = self.client.generic("POST", self.upload_url, body, content_type=content_type)
        assert response.status_code == 400
        assert "The file name may not contain folders" in response.content.decode()
        assert not Attachment.objects.exists()

    def test_a_form_too_large_to_read_is_413_with_a_message(self, settings, media_root):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        response = self.post_file("notes.txt", b"words\n", description="d" * 5000)
        assert response.status_code == 413
        assert "The form is too large to be read." in response.content.decode()
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_the_upload_is_protected_against_cross_site_requests(self, media_root):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.inspector)
        response = client.post(self.upload_url, {"file": SimpleUploadedFile("notes.txt", b"words\n")})
        assert response.status_code == 403
        assert not Attachment.objects.exists() and stored_files(media_root) == []
        # With the token it goes through.
        client.get(self.tab_url)
        token = client.cookies["csrftoken"].value
        response = client.post(
            self.upload_url,
            {"file": SimpleUploadedFile("notes.txt", b"words\n"), "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302

    def test_uploading_needs_the_right_to_change_the_record(self, media_root):
        self.client.force_login(make_user(role="Auditor"))
        response = self.post_file("notes.txt", b"words\n")
        assert response.status_code == 403
        self.widget.archive(REASON)
        self.client.force_login(self.inspector)
        assert self.post_file("notes.txt", b"words\n").status_code == 403
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_another_customers_record_does_not_exist(self, media_root):
        company = make_company(kind="customer")
        theirs = Widget.objects.create(name="Theirs", customer=make_company(kind="customer"))
        attachment = attach(theirs, SimpleUploadedFile("a.txt", b"secret\n"), user=self.inspector)
        customer = make_user(role="Customer", company=company)
        customer.user_permissions.add(
            *Permission.objects.filter(codename__in=["view_widget", "change_widget"])
        )
        self.client.force_login(customer)
        url = reverse("core:attachment_upload", args=["testapp.widget", theirs.pk])
        assert self.client.post(url, {"file": SimpleUploadedFile("b.txt", b"b\n")}).status_code == 404
        assert self.client.get(attachment.get_download_url()).status_code == 404
        assert self.client.get(f"{theirs.get_absolute_url()}attachments/").status_code == 404
        assert Attachment.objects.count() == 1

    def test_unknown_record_types_and_core_records_take_no_files(self):
        for label in ("testapp.nothing", "core.attachment", "core.job", "nonsense"):
            url = reverse("core:attachment_upload", args=[label, 1])
            assert self.post_file("notes.txt", b"words\n").status_code == 302  # the widget itself works
            assert self.client.post(url, {"file": SimpleUploadedFile("a.txt", b"a\n")}).status_code == 404

    def test_download_is_logged_and_says_what_it_is(self):
        data = samples.pdf()
        attachment = attach(self.widget, SimpleUploadedFile("certificate.pdf", data), user=self.inspector)
        response = self.client.get(attachment.get_download_url())
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == data
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="certificate.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        entry = AccessLog.objects.filter(kind=AccessKindChoices.DOWNLOAD).get()
        assert (entry.user_id, entry.content_type.model, entry.object_id) == (
            self.inspector.pk,
            "widget",
            str(self.widget.pk),
        )
        assert entry.detail == f"Attachment #{attachment.pk}: certificate.pdf"

    def test_download_needs_sign_in(self):
        attachment = attach(self.widget, SimpleUploadedFile("a.txt", b"a\n"), user=self.inspector)
        self.client.logout()
        response = self.client.get(attachment.get_download_url())
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert not AccessLog.objects.filter(kind=AccessKindChoices.DOWNLOAD).exists()

    def test_previews_of_images_and_pdfs_only(self):
        png = attach(self.widget, SimpleUploadedFile("photo.png", samples.image("PNG")), user=self.inspector)
        pdf = attach(self.widget, SimpleUploadedFile("cert.pdf", samples.pdf()), user=self.inspector)
        text = attach(self.widget, SimpleUploadedFile("notes.txt", b"<b>not html</b>\n"), user=self.inspector)
        docx = attach(self.widget, SimpleUploadedFile("report.docx", samples.docx()), user=self.inspector)

        response = self.client.get(png.get_preview_url())
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == 'inline; filename="photo.png"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("default-src 'none'")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        response = self.client.get(pdf.get_preview_url())
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("inline")
        assert self.client.get(text.get_preview_url()).status_code == 404
        assert self.client.get(docx.get_preview_url()).status_code == 404

        html = self.client.get(self.tab_url).content.decode()
        assert f'<img src="{png.get_preview_url()}"' in html
        assert f'<iframe src="{pdf.get_preview_url()}"' in html
        assert text.get_preview_url() not in html

    def test_archive_and_restore_with_a_reason(self):
        attachment = attach(self.widget, SimpleUploadedFile("a.txt", b"a\n"), user=self.inspector)
        archive_url = reverse("core:attachment_archive", args=[attachment.pk])
        response = self.client.post(archive_url, {"reason": ""})
        assert response.status_code == 400 and "This field is required." in response.content.decode()
        assert self.client.post(archive_url, {"reason": REASON}).status_code == 302
        attachment.refresh_from_db()
        assert attachment.is_archived and attachment.archive_reason == REASON
        html = self.client.get(self.tab_url).content.decode()
        assert "a.txt" not in html and "Show archived (1)" in html
        assert "a.txt" in self.client.get(f"{self.tab_url}?archived=1").content.decode()
        restore_url = reverse("core:attachment_restore", args=[attachment.pk])
        assert self.client.post(restore_url, {"reason": "Wrongly archived"}).status_code == 302
        attachment.refresh_from_db()
        assert not attachment.is_archived
        assert (
            DomainEvent.objects.filter(name__in=["attachment.archived", "attachment.restored"]).count() == 2
        )

    def test_archiving_needs_the_right_to_change_the_record(self):
        attachment = attach(self.widget, SimpleUploadedFile("a.txt", b"a\n"), user=self.inspector)
        self.client.force_login(make_user(role="Auditor"))
        response = self.client.post(
            reverse("core:attachment_archive", args=[attachment.pk]), {"reason": REASON}
        )
        assert response.status_code == 404
        attachment.refresh_from_db()
        assert not attachment.is_archived


def client_page(client, url):
    return client.get(url).content.decode()
