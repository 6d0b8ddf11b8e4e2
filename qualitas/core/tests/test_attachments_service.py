"""The attachment service: what is accepted (type from the content), what is refused and why,
and that a refused upload leaves nothing behind."""

import hashlib
import io
import os
import time
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.template.defaultfilters import filesizeformat

from qualitas.core import attachments
from qualitas.core.attachments import AttachmentRejected, attach, attachments_for
from qualitas.core.models import DomainEvent, ObjectChange
from qualitas.core.service_models import Attachment
from qualitas.core.tests import samples
from qualitas.core.tests.conftest import stored_files
from qualitas.framework import jobs as periodic_registry
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import REASON
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget():
    return Widget.objects.create(name="Bracket")


@pytest.fixture
def inspector():
    return make_user(role="QA Inspector", full_name="Ines Inspector")


def upload(name, content):
    return SimpleUploadedFile(name, content() if callable(content) else content)


def assert_nothing_left(media_root):
    assert stored_files(media_root) == []
    assert not Attachment.objects.exists()
    assert not DomainEvent.objects.filter(name__startswith="attachment.").exists()
    assert not ObjectChange.objects.filter(content_type__model="attachment").exists()


@pytest.mark.parametrize(
    ("name", "content", "mime_type"), samples.ACCEPTED, ids=[a[0] for a in samples.ACCEPTED]
)
def test_every_accepted_type_is_recognised_from_its_content(widget, inspector, name, content, mime_type):
    data = content()
    attachment = attach(widget, upload(name, data), user=inspector)
    assert attachment.mime_type == mime_type
    assert attachment.size == len(data)
    assert attachment.file.read() == data


def test_attaching_stores_the_file_its_hash_and_says_so_on_the_record(widget, inspector, media_root):
    data = samples.pdf()

    attachment = attach(
        widget, upload("Calibration 2026.pdf", data), user=inspector, description=" Certificate "
    )

    assert attachment.record == widget and attachment.record_label == f"testapp.widget:{widget.pk}"
    assert (attachment.name, attachment.size, attachment.mime_type) == (
        "Calibration 2026.pdf",
        len(data),
        "application/pdf",
    )
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.description == "Certificate" and attachment.uploaded_by == inspector
    # Stored under a generated path with the storage API, never under the uploaded name.
    assert attachment.file.name.startswith("attachments/") and attachment.file.name.endswith(".pdf")
    assert "Calibration" not in attachment.file.name
    assert stored_files(media_root) == [attachment.file.name]
    assert default_storage.open(attachment.file.name).read() == data
    event = DomainEvent.objects.get(name="attachment.added")
    assert (event.content_type.model, event.object_id) == ("widget", str(widget.pk))
    assert event.message == f"Attached Calibration 2026.pdf ({filesizeformat(len(data))})"
    assert event.data == {
        "attachment": attachment.pk,
        "name": "Calibration 2026.pdf",
        "sha256": attachment.sha256,
        "size": len(data),
    }
    created = ObjectChange.objects.get(content_type__model="attachment", object_id=str(attachment.pk))
    assert created.action == "create" and created.changes["sha256"] == [None, attachment.sha256]
    assert list(attachments_for(widget)) == [attachment]


REFUSED = [
    ("empty.txt", b"", "The file is empty (0 bytes)."),
    ("report.pdf", samples.executable, "“report.pdf” is a program, which cannot be attached here."),
    (
        "invoice.pdf",
        samples.windows_executable,
        "“invoice.pdf” is a Windows program, which cannot be attached here.",
    ),
    ("page.html", samples.HTML, "“page.html” is an HTML page, which cannot be attached here."),
    (
        "logo.svg",
        samples.SVG,
        "“logo.svg” is an SVG image (which can hold scripts), which cannot be attached here.",
    ),
    ("cleanup.sh", samples.SHELL, "“cleanup.sh” is a shell script, which cannot be attached here."),
    ("notes.txt", samples.SHELL, "“notes.txt” is a shell script, which cannot be attached here."),
    ("photo.pdf", lambda: samples.image("PNG"), "“photo.pdf” is a PNG image, but its name ends in .pdf."),
    ("notes.html", b"just some words\n", "“notes.html” is plain text, but its name ends in .html."),
    ("bracket.step", b"not a model at all\n", "“bracket.step” is plain text, but its name ends in .step."),
    ("../../etc/passwd.txt", b"root:x:0:0\n", "The file name may not contain folders"),
    ("reports/march.txt", b"words\n", "The file name may not contain folders"),
    ("reports\\march.txt", b"words\n", "The file name may not contain folders"),
    ("..", b"words\n", "The file name may not contain folders"),
    ("nul\x00.txt", b"words\n", "The file name may not contain folders"),
    ("bell\x07.txt", b"words\n", "control characters"),
    ("x" * 252 + ".txt", b"words\n", "The file name is longer than 255 characters"),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED, ids=[repr(r[0][:30]) for r in REFUSED])
def test_refused_files_say_why_and_leave_nothing_behind(
    widget, inspector, media_root, name, content, message
):
    with pytest.raises(AttachmentRejected) as refused:
        attach(widget, upload("upload.bin", content), user=inspector, name=name)
    assert message in refused.value.message
    assert refused.value.errors == {"file": [refused.value.message]}
    assert_nothing_left(media_root)


def test_a_file_over_the_limit_is_refused(widget, inspector, media_root, settings):
    settings.QUALITAS_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(AttachmentRejected) as refused:
        attach(widget, upload("notes.txt", b"x" * 1001), user=inspector)
    assert refused.value.message == "The file is 1001\xa0bytes; attachments may be at most 1000\xa0bytes."
    assert refused.value.code == "too_large"
    assert_nothing_left(media_root)
    assert attach(widget, upload("notes.txt", b"x" * 1000), user=inspector).size == 1000


def test_the_accepted_types_are_configurable(widget, inspector, media_root, settings):
    settings.QUALITAS_ATTACHMENT_TYPES = ["application/pdf"]
    with pytest.raises(AttachmentRejected, match="“photo.png” is a PNG image, which cannot be attached here"):
        attach(widget, upload("photo.png", samples.image("PNG")), user=inspector)
    assert_nothing_left(media_root)


def test_a_database_failure_removes_the_stored_file(widget, inspector, media_root, monkeypatch):
    def broken(**fields):
        raise IntegrityError("the database refused the row")

    monkeypatch.setattr(Attachment.objects, "create", broken)
    with pytest.raises(IntegrityError):
        attach(widget, upload("notes.txt", b"words\n"), user=inspector)
    assert stored_files(media_root) == []


def test_an_office_file_libmagic_sees_as_zip_is_recognised_by_its_parts(widget, inspector):
    # A .docx whose first part is not [Content_Types].xml: libmagic reports a plain ZIP archive.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("docProps/app.xml", "<Properties/>" * 200)
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    attachment = attach(widget, upload("late-parts.docx", buffer.getvalue()), user=inspector)
    assert attachment.mime_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_archiving_keeps_the_file_and_is_recorded(widget, inspector, media_root):
    attachment = attach(widget, upload("notes.txt", b"words\n"), user=inspector)
    attachments.archive_attachment(attachment, REASON)
    assert list(attachments_for(widget)) == []
    assert list(attachments_for(widget, include_archived=True)) == [attachment]
    assert stored_files(media_root) == [attachment.file.name]
    assert DomainEvent.objects.filter(name="attachment.archived", object_id=str(widget.pk)).count() == 1
    archived = ObjectChange.objects.filter(content_type__model="attachment", action="archive").get()
    assert archived.reason == REASON
    attachments.restore_attachment(attachment, "Archived by mistake")
    assert list(attachments_for(widget)) == [attachment]


def test_attachments_are_seen_by_whoever_sees_the_record(inspector):
    company, other_company = make_company(kind="customer"), make_company(kind="customer")
    own = Widget.objects.create(name="Own", customer=company)
    other = Widget.objects.create(name="Other", customer=other_company)
    on_own = attach(own, upload("a.txt", b"a\n"), user=inspector)
    on_other = attach(other, upload("b.txt", b"b\n"), user=inspector)
    customer = make_user(role="Customer", company=company)
    customer.user_permissions.add(*_permissions("view_widget"))
    customer = type(customer).objects.get(pk=customer.pk)

    assert set(Attachment.objects.restrict(customer)) == {on_own}
    assert set(Attachment.objects.restrict(make_user(role="QA Manager"))) == {on_own, on_other}
    auditor = make_user(role="Auditor")
    assert set(Attachment.objects.restrict(auditor)) == {on_own, on_other}
    # Changing (archiving, adding) needs the right to change the record.
    assert not Attachment.objects.restrict(auditor, "change").exists()
    assert not Attachment.objects.restrict(customer, "change").exists()
    assert not Attachment.objects.restrict(None).exists()


def test_orphaned_files_older_than_a_day_are_removed(widget, inspector, media_root):
    kept = attach(widget, upload("kept.txt", b"kept\n"), user=inspector)
    orphan = default_storage.save("attachments/2026/01/orphan.txt", ContentFile(b"left behind"))
    fresh = default_storage.save("attachments/2026/01/fresh.txt", ContentFile(b"being uploaded"))
    old = time.time() - 2 * 86400
    os.utime(default_storage.path(orphan), (old, old))
    os.utime(default_storage.path(kept.file.name), (old, old))

    assert attachments.remove_orphaned_files() == 1

    assert stored_files(media_root) == sorted([kept.file.name, fresh])
    job = periodic_registry.periodic_jobs()["Remove orphaned attachment files"]
    assert job.task == "qualitas.core.jobs.remove_orphaned_attachment_files"


def _permissions(*codenames):
    return Permission.objects.filter(codename__in=codenames)
