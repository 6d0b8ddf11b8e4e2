"""The inspection pack of any record: its content read back from the PDF, permissions, the ZIP."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualitas.core import audit
from qualitas.core.attachments import archive_attachment, attach
from qualitas.core.comments import add_comment, remove_comment
from qualitas.core.models import ObjectChange
from qualitas.framework.context import change_context
from qualitas.reports import services
from qualitas.reports.tests.conftest import has_watermark, make_widget, pdf_text
from qualitas.signatures.services import sign
from qualitas.testing.database import append_only_suspended
from qualitas.testing.factories import PASSWORD, make_company, make_user
from qualitas.testing.records import user_with
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

REPORT = b"characteristic,nominal,measured\nthickness,3.00,3.02\n"
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def render(obj, user, tmp_path, raw=False):
    pack = services.collect_pack(obj, user)
    document = services.render_pack_pdf(pack)
    return pack, document, pdf_text(document.content, tmp_path, raw=raw)


def flat(pages):
    """The text of all pages with runs of spaces and line ends collapsed."""
    return " ".join(" ".join(pages).split())


def test_the_pack_prints_fields_history_and_signature_manifest(widget, manager, tmp_path):
    sign(manager, widget, "reviewed", password=PASSWORD, email=manager.email)
    pack, document, pages = render(widget, manager, tmp_path)
    text = flat(pages)

    # Title page
    assert "Inspection pack · " in pages[0]
    assert str(widget) in pages[0]
    assert "Draft" in pages[0] and "Not approved" in pages[0]
    assert f"Page 1 of {document.pages}" in pages[0]
    assert f"Page {document.pages} of {document.pages}" in pages[-1]
    assert "testapp.widget:" in text
    # Fields, with labels and display values (the customer by name, the status by label)
    for expected in ("Name Mounting bracket", "Customer Acme Dairy", "Status Draft", "Quantity 30"):
        assert expected in text, expected
    assert "Stainless steel, 3 mm" in text
    # The full history, oldest first, with reasons and values before and after
    entries = list(audit.history(widget).order_by("id"))
    assert len(pack.history) == len(entries) == 4
    positions = [text.index(f"#{entry.pk} ·") for entry in entries]
    assert positions == sorted(positions)
    assert "Reason: New customer order 4711" in text
    assert "Quantity: 12 → 20" in text and "Quantity: 20 → 30" in text
    assert "Reason: Customer asked for 30" in text
    assert "Specification: Steel, 3 mm ↵ Zinc plated → Stainless steel, 3 mm" in text
    assert "all 4 match" in text
    # The manifest
    assert "Signature manifest" in text and "Quinn Manager Reviewed" in text
    # Draft: the watermark on every page
    raw_pages = pdf_text(document.content, tmp_path, raw=True)
    assert all(has_watermark(page) for page in raw_pages)


def test_an_approved_record_has_no_watermark_and_says_approved(manager, tmp_path):
    approved = make_widget(status="approved")
    _pack, document, pages = render(approved, manager, tmp_path)
    assert "Approved" in pages[0]
    assert not any(has_watermark(page) for page in pdf_text(document.content, tmp_path, raw=True))
    assert "DRAFT" not in flat(pages)


def test_a_pack_without_signatures_says_so(widget, manager, tmp_path):
    _pack, _document, pages = render(widget, manager, tmp_path)
    assert "No electronic signatures are recorded for this widget." in flat(pages)


def test_a_tampered_history_entry_is_flagged(widget, manager, tmp_path):
    entry = audit.history(widget).order_by("id")[1]
    with append_only_suspended(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ObjectChange._meta.db_table} SET reason = %s WHERE id = %s", ["Nobody asked", entry.pk]
        )
    pack, _document, pages = render(widget, manager, tmp_path)
    assert pack.history_hash_failures == [entry.pk]
    text = flat(pages)
    assert f"#{entry.pk} · " in text and "HASH MISMATCH" in text
    assert "1 entry does not match its stored hash" in text


def test_related_records_are_listed_through_the_users_permissions_and_capped(manager, tmp_path, settings):
    settings.QUALITAS_INSPECTION_PACK_RELATED_LIMIT = 2
    company = make_company(name="Acme Dairy", kind="customer")
    for name in ("Bracket", "Hinge", "Spring"):
        make_widget(name=name, customer=company)

    pack, _document, pages = render(company, manager, tmp_path)
    group = next(group for group in pack.related if group.title == "Widgets")
    assert (group.total, len(group.rows), group.more) == (3, 2, 1)
    assert "… and 1 more not listed here." in flat(pages)

    # Someone who may see the company but not widgets gets no widgets at all.
    reader = user_with(type(company), ["view"])
    pack = services.collect_pack(company, reader)
    assert not any(group.title == "Widgets" for group in pack.related)
    assert "Widgets" in pack.empty_relations


def test_versions_are_related_records(widget, manager):
    second = widget.create_new_version(specification="Steel, 5 mm")
    pack = services.collect_pack(second, manager)
    group = next(group for group in pack.related if group.title == "Other versions")
    assert [row.text for row in group.rows] == [str(widget)]


def test_the_history_costs_the_same_queries_however_long_it_is(manager):
    def queries_for(changes):
        with change_context(user=manager):
            obj = make_widget(customer=make_company(kind="customer"))
            for index in range(changes):
                obj.quantity = 100 + index
                obj.customer = make_company(kind="customer") if index % 2 else obj.customer
                obj.save()
        with CaptureQueriesContext(connection) as captured:
            pack = services.collect_pack(obj, manager)
        assert len(pack.history) == changes + 1
        return len(captured.captured_queries)

    queries_for(1)  # content types and permissions cached, as in a running worker
    assert queries_for(3) == queries_for(30)


def test_redacted_fields_are_never_printed(manager, tmp_path):
    person = make_user(full_name="Pat Example")
    pack, _document, pages = render(person, manager, tmp_path)
    labels = {row.label for section in pack.sections for row in section.rows}
    assert "Password" not in labels
    assert person.password not in flat(pages)
    assert "pbkdf2" not in flat(pages) and "argon2" not in flat(pages)


def test_attachments_and_comments_are_in_the_pack(widget, manager, tmp_path):
    report = attach(widget, ContentFile(REPORT, name="inspection report.csv"), user=manager)
    photo = attach(widget, ContentFile(PNG, name="weld.png"), user=manager, description="Weld seam")
    question = add_comment(widget, manager, "Is the zinc layer thick enough?\nPlease check.")
    add_comment(widget, manager, "Measured 12 µm: fine.", parent=question)
    removed = add_comment(widget, manager, "Wrong record, sorry.")
    remove_comment(removed, manager, "Posted on the wrong widget")

    pack, _document, pages = render(widget, manager, tmp_path)
    text = flat(pages)
    assert [row.name for row in pack.attachments] == ["inspection report.csv", "weld.png"]
    for attachment in (report, photo):
        assert attachment.sha256 in text
        assert f"{attachment.name}" in text
    assert "image/png" in text and "by Quinn Manager" in text
    assert "Attachments 2" in text
    assert "Is the zinc layer thick enough? Please check." in text
    assert "Measured 12 µm: fine." in text
    assert "Comment removed by Quinn Manager" in text and "Posted on the wrong widget" in text
    # A removed comment's text is not in the thread (the event log, which says what was
    # written, is for those who may read events).
    thread = text[text.index("Comments 3") : text.index("Signature manifest", text.index("Comments 3"))]
    assert "Wrong record, sorry." not in thread and "Measured 12 µm: fine." in thread
    # Archived attachments are not part of the record any more.
    archive_attachment(photo, "Blurred; retaken")
    assert [row.name for row in services.collect_pack(widget, manager).attachments] == [
        "inspection report.csv"
    ]


# --- The ZIP --------------------------------------------------------------------------------------


def test_the_zip_holds_every_attachment_with_matching_checksums(widget, manager):
    attach(widget, ContentFile(REPORT, name="report.csv"), user=manager)
    attach(widget, ContentFile(REPORT + b"1,2\n", name="report.csv"), user=manager)
    attach(widget, ContentFile(PNG, name="weld.png"), user=manager)
    pack = services.collect_pack(widget, manager)
    document = services.render_pack_pdf(pack)
    archive = zipfile.ZipFile(io.BytesIO(services.build_pack_zip(pack, document.content)))

    names = archive.namelist()
    assert sorted(name for name in names if name.startswith("attachments/")) == [
        "attachments/report-2.csv",
        "attachments/report.csv",
        "attachments/weld.png",
    ]
    sums = dict(reversed(line.split("  ", 1)) for line in archive.read("SHA256SUMS").decode().splitlines())
    assert set(sums) == {name for name in names if name not in ("MANIFEST.csv", "SHA256SUMS")}
    for name, digest in sums.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    stored = {row.sha256 for row in pack.attachments}
    assert {sums[f"attachments/{name}"] for name in ("report.csv", "report-2.csv", "weld.png")} == stored
    manifest = list(csv.DictReader(io.StringIO(archive.read("MANIFEST.csv").decode())))
    assert [row["matches the sha256 stored at upload"] for row in manifest[1:]] == ["yes", "yes", "yes"]
    assert archive.read("attachments/weld.png") == PNG


def test_a_file_changed_in_storage_is_flagged_in_the_manifest(widget, manager):
    attachment = attach(widget, ContentFile(REPORT, name="report.csv"), user=manager)
    with attachment.file.storage.open(attachment.file.name, "wb") as handle:
        handle.write(b"tampered\n")
    pack = services.collect_pack(widget, manager)
    archive = zipfile.ZipFile(io.BytesIO(services.build_pack_zip(pack, b"%PDF-1.7 stand-in")))
    manifest = list(csv.DictReader(io.StringIO(archive.read("MANIFEST.csv").decode())))
    assert manifest[1]["file"] == "attachments/report.csv"
    assert manifest[1]["matches the sha256 stored at upload"] == "NO"
    assert manifest[1]["sha256"] == hashlib.sha256(b"tampered\n").hexdigest() != attachment.sha256


def test_the_zip_holds_the_pdf_and_checksums(widget, manager):
    pack = services.collect_pack(widget, manager)
    document = services.render_pack_pdf(pack)
    archive = zipfile.ZipFile(io.BytesIO(services.build_pack_zip(pack, document.content)))

    pdf_name = f"{widget.number}-v1-inspection-pack.pdf"
    assert set(archive.namelist()) == {pdf_name, "MANIFEST.csv", "SHA256SUMS"}
    assert archive.read(pdf_name) == document.content
    digest = hashlib.sha256(document.content).hexdigest()
    assert archive.read("SHA256SUMS").decode() == f"{digest}  {pdf_name}\n"
    rows = list(csv.DictReader(io.StringIO(archive.read("MANIFEST.csv").decode())))
    assert rows == [
        {
            "file": pdf_name,
            "bytes": str(len(document.content)),
            "sha256": digest,
            "what": "Inspection pack (PDF)",
            "matches the sha256 stored at upload": "",
        }
    ]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["report.pdf", "report.pdf", "REPORT.pdf"], ["report.pdf", "report-2.pdf", "REPORT-3.pdf"]),
        (["../../etc/passwd", "C:\\temp\\evil.exe"], ["passwd", "evil.exe"]),
        (["", ".", "..", "a\x00b\x07.txt"], ["file", "file-2", "file-3", "ab.txt"]),
        (["drawing rev B.dxf", "noext", "noext"], ["drawing_rev_B.dxf", "noext", "noext-2"]),
    ],
)
def test_file_names_in_the_zip_are_safe_and_unique(names, expected):
    assert services.unique_names(names) == expected


def test_a_widget_record_number_makes_the_file_name(widget, manager):
    pack = services.collect_pack(widget, manager)
    assert pack.base_name == f"{widget.number}-v1-inspection-pack"
    assert isinstance(widget, Widget)


def test_related_records_show_their_state_by_its_label(manager):
    company = make_company(name="Bolt Machining", kind="customer")
    make_user(full_name="Bea Buyer", company=company)
    pack = services.collect_pack(company, manager)
    group = next(group for group in pack.related if group.title == "Users")
    machine = type(manager).state_machine
    assert [(row.text, row.status.text) for row in group.rows] == [("Bea Buyer", machine.choices.label(True))]
    assert group.rows[0].status.text != "Yes"
