"""The attachments API: upload (multipart) with clear 4xx field errors, list by record, download,
archive and restore, all through the record's permission check."""

import hashlib

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from qualitas.core.attachments import attach
from qualitas.core.choices import AccessKindChoices
from qualitas.core.models import AccessLog
from qualitas.core.service_models import Attachment
from qualitas.core.tests import samples
from qualitas.core.tests.conftest import stored_files
from qualitas.core.tests.test_views_attachments import multipart
from qualitas.testing.api import assert_error
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.queries import assert_constant_and_pinned
from qualitas.testing.records import REASON
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

LIST = "/api/v1/attachments/"


def with_widget_permissions(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return type(user).objects.get(pk=user.pk)


class TestAttachmentAPI:
    model = Attachment

    @pytest.fixture(autouse=True)
    def _setup(self):
        self.client = APIClient()
        self.widget = Widget.objects.create(name="Bracket")
        self.record = f"testapp.widget:{self.widget.pk}"
        self.user = with_widget_permissions(make_user(role="QA Inspector"), "change_widget")
        self.client.force_authenticate(self.user)

    def upload(self, name, content, record=None, **extra):
        data = {"record": record or self.record, "file": SimpleUploadedFile(name, content), **extra}
        return self.client.post(LIST, data, format="multipart")

    def test_upload(self, media_root):
        data = samples.image("PNG")
        response = self.upload("photo.png", data, description="Burr on the edge")
        assert response.status_code == 201, response.json()
        body = response.json()
        attachment = Attachment.objects.get()
        assert body["id"] == attachment.pk and body["record"] == self.record
        assert (body["name"], body["size"], body["mime_type"]) == ("photo.png", len(data), "image/png")
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        assert body["description"] == "Burr on the edge" and body["uploaded_by"] == self.user.pk
        assert body["download_url"] == f"http://testserver/api/v1/attachments/{attachment.pk}/download/"
        assert body["preview_url"] == f"http://testserver/files/{attachment.pk}/preview/"
        assert body["url"] == f"http://testserver{self.widget.get_absolute_url()}attachments/"
        assert stored_files(media_root) == [attachment.file.name]

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("empty.txt", b"", "The file is empty (0 bytes)."),
            ("report.pdf", samples.executable(), "“report.pdf” is a program, which cannot be attached here."),
            ("invoice.pdf", samples.windows_executable(), "is a Windows program"),
            ("logo.svg", samples.SVG, "is an SVG image (which can hold scripts)"),
            ("photo.pdf", samples.image("PNG"), "“photo.pdf” is a PNG image, but its name ends in .pdf."),
        ],
    )
    def test_refused_files_are_400_with_the_reason(self, media_root, name, content, message):
        body = assert_error(self.upload(name, content), 400)
        assert list(body["errors"]) == ["file"] and message in body["errors"]["file"][0]
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_a_file_over_the_limit_is_413_with_the_reason(self, media_root, settings):
        settings.QUALITAS_ATTACHMENT_MAX_BYTES = 10_000
        body = assert_error(self.upload("notes.txt", b"x" * 40_000), 413)
        assert body["errors"] == {
            "file": ["The file is larger than 9.8\xa0KB, the most an attachment may be."]
        }
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_a_path_in_the_file_name_is_400(self, media_root):
        body, content_type = multipart({"record": self.record}, "../../etc/passwd.txt", b"root:x:0:0\n")
        response = self.client.generic("POST", LIST, body, content_type=content_type)
        errors = assert_error(response, 400)["errors"]
        assert "The file name may not contain folders" in errors["file"][0]
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_missing_and_wrong_fields_are_400(self):
        errors = assert_error(self.client.post(LIST, {}, format="multipart"), 400)["errors"]
        assert set(errors) == {"record", "file"}
        for record in ("testapp.widget:99999", "testapp.nothing:1", "core.job:1", "nonsense"):
            errors = assert_error(self.upload("a.txt", b"a\n", record=record), 400)["errors"]
            assert list(errors) == ["record"], record
        errors = assert_error(self.upload("a.txt", b"a\n", description="d" * 501), 400)["errors"]
        assert list(errors) == ["description"]
        assert not Attachment.objects.exists()

    def test_uploading_needs_the_right_to_change_the_record(self, media_root):
        self.client.force_authenticate(make_user(role="Auditor"))
        assert_error(self.upload("a.txt", b"a\n"), 403)
        self.client.force_authenticate(None)
        assert_error(self.upload("a.txt", b"a\n"), 401)
        assert not Attachment.objects.exists() and stored_files(media_root) == []

    def test_list_by_record_and_scoping(self):
        other_widget = Widget.objects.create(name="Hinge")
        company = make_company(kind="customer")
        theirs = Widget.objects.create(name="Theirs", customer=make_company(kind="customer"))
        ours = Widget.objects.create(name="Ours", customer=company)
        on_widget = attach(self.widget, SimpleUploadedFile("a.txt", b"a\n"), user=self.user)
        on_other = attach(other_widget, SimpleUploadedFile("b.txt", b"b\n"), user=self.user)
        on_theirs = attach(theirs, SimpleUploadedFile("c.txt", b"c\n"), user=self.user)
        on_ours = attach(ours, SimpleUploadedFile("d.txt", b"d\n"), user=self.user)

        response = self.client.get(LIST, {"record": self.record})
        assert [row["id"] for row in response.json()["results"]] == [on_widget.pk]
        response = self.client.get(LIST, {"page_size": 100})
        assert {row["id"] for row in response.json()["results"]} == {
            on_widget.pk,
            on_other.pk,
            on_theirs.pk,
            on_ours.pk,
        }

        customer = with_widget_permissions(make_user(role="Customer", company=company), "view_widget")
        self.client.force_authenticate(customer)
        response = self.client.get(LIST, {"page_size": 100})
        assert [row["id"] for row in response.json()["results"]] == [on_ours.pk]
        assert_error(self.client.get(f"{LIST}{on_theirs.pk}/"), 404)
        assert_error(self.client.get(f"{LIST}{on_theirs.pk}/download/"), 404)

    def test_download_is_logged(self):
        data = samples.pdf()
        attachment = attach(self.widget, SimpleUploadedFile("cert.pdf", data), user=self.user)
        response = self.client.get(f"{LIST}{attachment.pk}/download/")
        assert response.status_code == 200 and b"".join(response.streaming_content) == data
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="cert.pdf"'
        assert (
            AccessLog.objects.filter(kind=AccessKindChoices.DOWNLOAD, object_id=str(self.widget.pk)).count()
            == 1
        )

    def test_archive_and_restore(self):
        attachment = attach(self.widget, SimpleUploadedFile("a.txt", b"a\n"), user=self.user)
        url = f"{LIST}{attachment.pk}/archive/"
        assert "reason" in assert_error(self.client.post(url, {}, format="json"), 400)["errors"]
        response = self.client.post(url, {"reason": REASON}, format="json")
        assert response.status_code == 200 and response.json()["is_archived"] is True
        assert_error(self.client.post(url, {"reason": REASON}, format="json"), 400)
        assert self.client.get(LIST, {"record": self.record}).json()["count"] == 0
        assert self.client.get(LIST, {"record": self.record, "archived": "yes"}).json()["count"] == 1
        response = self.client.post(f"{LIST}{attachment.pk}/restore/", {"reason": "Mistake"}, format="json")
        assert response.status_code == 200 and response.json()["is_archived"] is False

    def test_archiving_needs_the_right_to_change_the_record(self):
        attachment = attach(self.widget, SimpleUploadedFile("a.txt", b"a\n"), user=self.user)
        self.client.force_authenticate(make_user(role="Auditor"))
        assert self.client.get(f"{LIST}{attachment.pk}/").status_code == 200
        assert_error(
            self.client.post(f"{LIST}{attachment.pk}/archive/", {"reason": REASON}, format="json"), 404
        )
        attachment.refresh_from_db()
        assert not attachment.is_archived

    def test_no_updates_or_deletes(self):
        attachment = attach(self.widget, SimpleUploadedFile("a.txt", b"a\n"), user=self.user)
        for method in ("put", "patch", "delete"):
            assert_error(getattr(self.client, method)(f"{LIST}{attachment.pk}/", {}, format="json"), 405)

    def test_list_query_count(self):
        def make_rows(total):
            while Attachment.objects.count() < total:
                widget = Widget.objects.create(name="W")
                attach(widget, SimpleUploadedFile("a.txt", b"a\n"), user=self.user)

        assert_constant_and_pinned(
            self, "api core.attachment list", make_rows, lambda: self.client.get(LIST, {"page_size": 100})
        )
