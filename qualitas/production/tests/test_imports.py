"""Work orders imported from an ERP's CSV export (production.imports and its job): a good file
creates exactly its work orders and parts, through the job; a file with any error lists every
error by row and column and creates nothing at all."""

import io
import os
import zipfile
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.core import background
from qualitas.core.background import JobCancelled
from qualitas.core.choices import JobStatusChoices
from qualitas.core.models import DomainEvent, ObjectChange
from qualitas.core.service_models import Job
from qualitas.production import imports, jobs, services
from qualitas.production.actions import CancelOrder, CancelWorkOrder, MakeProcessObsolete
from qualitas.production.choices import PartStatusChoices, PriorityChoices
from qualitas.production.imports import RowError
from qualitas.production.models import Part, WorkOrder
from qualitas.production.tests.shop_floor import admin, make_floor, make_order, make_routing, make_work_order
from qualitas.testing.factories import PASSWORD, make_company, make_user

pytestmark = pytest.mark.django_db

HEADER = "part_number,revision,process,quantity,priority,due_date,erp_id,order,line\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def planner():
    return make_user("Production Manager", full_name="Pat Planner")


@pytest.fixture
def floor():
    return make_floor()


@pytest.fixture
def signed_in(client, planner):
    client.login(email=planner.email, password=PASSWORD)
    return client


def upload(data, name="orders.csv"):
    return SimpleUploadedFile(name, data.encode() if isinstance(data, str) else data, content_type="text/csv")


def parse(text, user=None):
    return imports.parse_work_orders(text, user=user, name="orders.csv")


def errors_of(text, user=None):
    return [(error.row, error.column, error.message) for error in parse(text, user).errors]


def counts():
    return (
        WorkOrder.objects.count(),
        Part.objects.count(),
        ObjectChange.objects.count(),
        DomainEvent.objects.count(),
    )


def imported_files(media_root):
    return sorted(str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file())


# --- Through the pages and the job ------------------------------------------------------------------


def test_a_good_file_creates_exactly_its_work_orders_and_parts_through_the_job(
    signed_in, planner, floor, django_capture_on_commit_callbacks, media_root
):
    data = (
        "part_number,quantity,due_date,priority,erp_id\n"
        "BR-200,3,2026-04-30,high,SAP-4500012\n"
        "BR-200,2,15.05.2026,,SAP-4500013\n"
    )
    response = signed_in.post(reverse("production:workorder_import"), {"file": upload(data)})
    assert response.status_code == 302
    preview_url = response["Location"]
    assert WorkOrder.objects.count() == 0  # the upload creates nothing

    page = signed_in.get(preview_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "SAP-4500012" in html and "SAP-4500013" in html
    assert (
        'id="commit-import"' in html and "disabled" not in html.split('id="commit-import"')[1].split(">")[0]
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(preview_url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.kind, job.status, job.started_by, job.progress) == (
        imports.JOB_KIND,
        JobStatusChoices.SUCCEEDED,
        planner,
        100,
    )

    work_orders = list(WorkOrder.objects.order_by("erp_id"))
    assert [
        (wo.erp_id, wo.part_type, wo.process, wo.quantity, wo.priority, wo.due_date, wo.status)
        for wo in work_orders
    ] == [
        (
            "SAP-4500012",
            floor.part_type,
            floor.process,
            3,
            PriorityChoices.HIGH,
            date(2026, 4, 30),
            "planned",
        ),
        (
            "SAP-4500013",
            floor.part_type,
            floor.process,
            2,
            PriorityChoices.NORMAL,
            date(2026, 5, 15),
            "planned",
        ),
    ]
    assert work_orders[0].notes == f"Imported from orders.csv (job #{job.pk}), row 2."
    assert [
        (part.serial_number, part.work_order.erp_id, part.current_step, part.status)
        for part in Part.objects.order_by("serial_number")
    ] == [
        ("BR-000001", "SAP-4500012", floor.steps["Cut"], PartStatusChoices.PENDING),
        ("BR-000002", "SAP-4500012", floor.steps["Cut"], PartStatusChoices.PENDING),
        ("BR-000003", "SAP-4500012", floor.steps["Cut"], PartStatusChoices.PENDING),
        ("BR-000004", "SAP-4500013", floor.steps["Cut"], PartStatusChoices.PENDING),
        ("BR-000005", "SAP-4500013", floor.steps["Cut"], PartStatusChoices.PENDING),
    ]
    # The audit trail names the person and the job.
    change = ObjectChange.objects.filter(
        content_type__model="workorder", object_id=str(work_orders[0].pk)
    ).get()
    assert change.user == planner
    # The result lists the created work orders; the uploaded file is kept beside it.
    assert job.result_name.startswith("work-orders-imported-") and job.result_type == "text/csv"
    assert job.result.read().decode().splitlines() == [
        "row,erp_id,work_order,part_number,quantity",
        f"2,SAP-4500012,{work_orders[0].number},BR-200,3",
        f"3,SAP-4500013,{work_orders[1].number},BR-200,2",
    ]
    assert [file.name for file in job.files.all()] == ["orders.csv"]
    assert f"Work orders: {work_orders[0].number}, {work_orders[1].number}" in job.log
    # The upload is no longer in the session: the preview is gone.
    assert signed_in.get(preview_url).status_code == 404


def test_a_file_with_bad_rows_lists_every_error_and_commits_nothing(
    signed_in, floor, django_capture_on_commit_callbacks
):
    data = HEADER + (
        "BR-200,,,3,,2026-04-30,SAP-1,,\n"  # row 2: fine
        "XX-999,,,2,,,SAP-2,,\n"  # row 3
        "BR-200,Z,,0,soon,31/04/2026,SAP-3,,\n"  # row 4
        "BR-200,,RT-99999,=1+2,,2026-02-30,SAP-1,,\n"  # row 5
        ",,,,,,,,\n"  # row 6: blank, skipped
        "BR-200,,,5,,,,SO-404,2\n"  # row 7
        "BR-200,,,1,,,SAP-7,,3\n"  # row 8
    )
    before = counts()
    response = signed_in.post(reverse("production:workorder_import"), {"file": upload(data)})
    page = signed_in.get(response["Location"])

    preview = page.context["preview"]
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (3, "part_number", "There is no part type XX-999."),
        (4, "revision", "BR-200 has no revision Z (it has A)."),
        (4, "quantity", "A work order makes at least one part."),
        (4, "priority", "“soon” is not a priority: use urgent, high, normal, low or 1 to 4."),
        (4, "due_date", "“31/04/2026” is not a date: write YYYY-MM-DD or DD.MM.YYYY."),
        (5, "process", "There is no routing RT-99999."),
        (5, "quantity", "“=1+2” is not a whole number."),
        (5, "due_date", "“2026-02-30” is not a date of the calendar."),
        (5, "erp_id", "“SAP-1” is also on row 2."),
        (7, "erp_id", "Required."),
        (7, "order", "There is no customer order SO-404."),
        (8, "line", "A line number needs the order number."),
    ]
    assert [row.row for row in preview.rows] == [2]
    assert (preview.row_count, preview.error_rows) == (6, 5)  # the blank row is skipped
    html = page.content.decode()
    assert "12 errors" in html and "in 5 rows" in html
    assert "<code>due_date</code>" in html and "“2026-02-30” is not a date of the calendar." in html
    commit_button = html.split('id="commit-import"')[1].split(">")[0]
    assert "disabled" in commit_button

    # Committing anyway is refused: no job, nothing written.
    with django_capture_on_commit_callbacks(execute=True):
        refused = signed_in.post(response["Location"])
    assert refused.status_code == 400
    assert not Job.objects.exists()
    assert counts() == before


def test_the_service_refuses_to_commit_a_file_with_errors(planner, floor):
    preview = parse(HEADER + "BR-200,,,3,,,SAP-1,,\nBR-200,,,2,,,SAP-1,,\n", planner)
    before = counts()

    with pytest.raises(imports.ImportRefused) as refused:
        imports.commit_work_orders(preview, planner)

    assert refused.value.errors == [RowError(3, "erp_id", "“SAP-1” is also on row 2.")]
    assert "Nothing was imported" in refused.value.messages[0]
    assert counts() == before


def test_a_file_that_went_bad_before_the_job_ran_fails_the_job_and_creates_nothing(
    planner, floor, django_capture_on_commit_callbacks
):
    data = b"part_number,quantity,erp_id\nBR-200,2,SAP-1\n"
    stored = imports.store_upload(data, "orders.csv")
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.start_import(stored, planner)
    # Meanwhile the routing was made obsolete: the job validates again and refuses.
    MakeProcessObsolete(floor.process, admin()).execute(reason="Replaced")
    before = counts()

    assert background.execute(job.pk, eager=True) == JobStatusChoices.FAILED

    job.refresh_from_db()
    assert job.error == (
        "ImportRefused: 1 error: row 2, process: BR-200 has no released routing. Nothing was imported."
    )
    assert (WorkOrder.objects.count(), Part.objects.count()) == before[:2]


def test_a_job_interrupted_after_its_commit_does_not_import_twice(
    planner, floor, django_capture_on_commit_callbacks
):
    stored = imports.store_upload(
        b"part_number,quantity,erp_id\nBR-200,2,SAP-1\nBR-200,1,SAP-2\n", "orders.csv"
    )
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.start_import(stored, planner)
    assert background.execute(job.pk, eager=True) == JobStatusChoices.SUCCEEDED
    numbers = list(WorkOrder.objects.order_by("erp_id").values_list("number", flat=True))
    # The worker is lost after the commit: the job is claimed and run again.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatusChoices.RUNNING, finished_at=None, heartbeat=timezone.now() - timedelta(hours=1)
    )

    assert background.execute(job.pk, eager=True) == JobStatusChoices.SUCCEEDED

    job.refresh_from_db()
    assert list(WorkOrder.objects.order_by("erp_id").values_list("number", flat=True)) == numbers
    assert Part.objects.count() == 3
    assert "An earlier attempt had created the 2 work orders" in job.log
    assert job.result.read().decode().count("\n") == 3


def test_cancelling_the_job_during_the_commit_rolls_everything_back(planner, floor):
    rows = "".join(f"BR-200,1,SAP-{number}\n" for number in range(30))
    preview = parse("part_number,quantity,erp_id\n" + rows, planner)

    class CancelledMidway:
        pk = 99
        calls = 0

        def progress(self, percent, message=""):
            pass

        def check_cancelled(self):
            self.calls += 1
            if self.calls == 2:  # after 25 work orders were made
                raise JobCancelled("cancelled")

    before = counts()
    with pytest.raises(JobCancelled):
        imports.commit_work_orders(preview, planner, job=CancelledMidway())
    assert counts() == before


def test_the_import_needs_permission_to_add_work_orders(client, floor):
    operator = make_user("Production Operator")
    client.login(email=operator.email, password=PASSWORD)
    assert client.get(reverse("production:workorder_import")).status_code == 403
    assert client.post(reverse("production:workorder_import"), {"file": upload("x")}).status_code == 403
    with pytest.raises(PermissionDenied):
        imports.commit_work_orders(parse("part_number,quantity,erp_id\nBR-200,1,A\n"), operator)
    assert WorkOrder.objects.count() == 0


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("production:workorder_import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_persons_upload_cannot_be_previewed_or_committed(signed_in, client, floor):
    response = signed_in.post(
        reverse("production:workorder_import"), {"file": upload("part_number,quantity,erp_id\nBR-200,1,A\n")}
    )
    preview_url = response["Location"]
    signed_in.logout()
    other = make_user("Production Manager")
    client.login(email=other.email, password=PASSWORD)
    assert client.get(preview_url).status_code == 404
    assert client.post(preview_url).status_code == 404
    assert WorkOrder.objects.count() == 0


def test_the_menu_links_to_the_import(signed_in):
    html = signed_in.get("/").content.decode()
    assert f'href="{reverse("production:workorder_import")}"' in html


# --- Uploads that are not CSV -------------------------------------------------------------------


def xlsx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
            "orders.csv",
            "is a PDF document, not a CSV file",
        ),
        (xlsx_bytes(), "orders.csv", "not a CSV file"),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "orders.csv", "not a CSV file"),
        (b"part_number,quantity,erp_id\nBR-200,1,A\x00\n", "orders.csv", "not a CSV file"),
        (b"part_number,quantity,erp_id\nBR-200,1,A\n", "orders.pdf", "is not named .csv"),
        (b"", "orders.csv", "The submitted file is empty."),
    ],
)
def test_a_file_that_is_not_csv_text_is_refused_whatever_its_name(
    signed_in, media_root, content, name, message
):
    response = signed_in.post(reverse("production:workorder_import"), {"file": upload(content, name)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert imported_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused(signed_in, media_root, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 100)
    data = "part_number,quantity,erp_id\n" + "BR-200,1,SAP-12345\n" * 10

    response = signed_in.post(reverse("production:workorder_import"), {"file": upload(data)})

    assert response.status_code == 400
    assert "an import may be at most 100" in response.content.decode()
    assert imported_files(media_root) == []


def test_the_stored_upload_must_be_the_previewed_one(floor):
    stored = imports.store_upload(b"part_number,quantity,erp_id\nBR-200,1,A\n", "orders.csv")
    with pytest.raises(imports.UploadUnavailable, match="not the one that was previewed"):
        imports.load_upload(stored.path, "0" * 64)
    with pytest.raises(imports.UploadUnavailable, match="not a stored work order import"):
        imports.load_upload("attachments/2026/01/secret.pdf", stored.sha256)
    with pytest.raises(imports.UploadUnavailable, match="not a stored work order import"):
        imports.load_upload("imports/work-orders/../../settings.py", stored.sha256)


def test_old_uploads_are_removed(media_root):
    stored = imports.store_upload(b"part_number,quantity,erp_id\n", "orders.csv")
    assert jobs.remove_old_work_order_uploads() == 0
    old = timezone.now() - imports.UPLOAD_LIFETIME - timedelta(minutes=1)
    path = media_root / stored.path
    os.utime(path, (old.timestamp(), old.timestamp()))
    assert jobs.remove_old_work_order_uploads() == 1
    assert not path.exists()


# --- Reading the file -------------------------------------------------------------------------------


def test_a_semicolon_separated_file_with_day_first_dates(planner, floor):
    preview = parse(
        "part_number;quantity;due_date;erp_id\nBR-200;4;31.12.2026;SAP-1\nBR-200;1;1.2.2027;SAP-2\n"
    )

    assert preview.errors == []
    assert [(row.quantity, row.due_date) for row in preview.rows] == [
        (4, date(2026, 12, 31)),
        (1, date(2027, 2, 1)),
    ]


def test_a_byte_order_mark_and_windows_line_ends_are_read(planner, floor):
    data = "\ufeffpart_number,quantity,erp_id\r\nBR-200,2,SAP-1\r\n".encode()

    preview = parse(data)

    assert preview.errors == []
    assert [(row.part_type, row.quantity, row.erp_id) for row in preview.rows] == [
        (floor.part_type, 2, "SAP-1")
    ]


def test_header_names_are_read_loosely(floor):
    preview = parse("Part Number,QUANTITY,due-date,ERP_ID\nBR-200,2,,SAP-1\n")
    assert preview.errors == [] and len(preview.rows) == 1


def test_unknown_and_missing_columns_are_errors_of_the_header(floor):
    assert errors_of("part_number,qty,erp_id,colour\nBR-200,2,SAP-1,red\n") == [
        (1, "qty", f"Unknown column “qty”. The columns are: {', '.join(imports.COLUMNS)}."),
        (1, "colour", f"Unknown column “colour”. The columns are: {', '.join(imports.COLUMNS)}."),
        (1, "quantity", "The required column “quantity” is missing."),
    ]
    assert errors_of("erp_id,part_number,erp_id\nA,BR-200,B\n") == [
        (1, "quantity", "The required column “quantity” is missing."),
        (1, "erp_id", "The column “erp_id” appears twice."),
    ]


def test_empty_files_header_only_files_and_files_over_the_row_limit(floor, monkeypatch):
    assert errors_of(b"") == [(None, "", "The file is empty: it needs a header row and at least one row.")]
    assert errors_of("\n\n") == [(None, "", "The file is empty: it needs a header row and at least one row.")]
    assert errors_of("part_number,quantity,erp_id\n") == [
        (None, "", "The file has a header row but no work orders.")
    ]
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = "".join(f"BR-200,1,SAP-{number}\n" for number in range(4))
    assert errors_of("part_number,quantity,erp_id\n" + rows) == [
        (None, "", "The file has more than 3 rows; split it.")
    ]


def test_a_file_that_is_not_utf8_is_refused(floor):
    assert errors_of("part_number,quantity,erp_id\nBR-200,1,Müller\n".encode("latin-1")) == [
        (None, "", "The file is not UTF-8 text (byte 39 cannot be read). Save it as CSV UTF-8.")
    ]


def test_rows_with_the_wrong_number_of_cells(floor):
    assert errors_of("part_number,quantity,erp_id\nBR-200,1\nBR-200,1,A,extra\nBR-200,1,B\n") == [
        (2, "", "The row has 2 cells, the header 3: check the separators and quotes."),
        (3, "", "The row has 4 cells, the header 3: check the separators and quotes."),
    ]


def test_cells_that_look_like_formulas_are_text(planner, floor):
    preview = parse(
        'part_number,quantity,erp_id\nBR-200,1,"=HYPERLINK(""http://x"",""y"")"\nBR-200,1,\'=SUM(A1)\nBR-200,+3,C\n'
    )

    assert [row.erp_id for row in preview.rows] == ['=HYPERLINK("http://x","y")', "=SUM(A1)"]
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (4, "quantity", "“+3” is not a whole number.")
    ]
    created = imports.commit_work_orders(parse(preview.text.rsplit("\n", 2)[0] + "\n"), planner)
    assert sorted(WorkOrder.objects.values_list("erp_id", flat=True)) == [
        '=HYPERLINK("http://x","y")',
        "=SUM(A1)",
    ]
    # The result file escapes them again for spreadsheet programs.
    assert "'=SUM(A1)" in imports.result_csv(created)


def test_quantities_and_priorities(floor):
    data = HEADER + "BR-200,,,10001,,,A,,\nBR-200,,,2,1,,B,,\nBR-200,,,2,Urgent,,C,,\nBR-200,,,2,5,,D,,\n"
    preview = parse(data)
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (2, "quantity", "At most 10,000 parts per work order."),
        (5, "priority", "“5” is not a priority: use urgent, high, normal, low or 1 to 4."),
    ]
    assert [row.priority for row in preview.rows] == [PriorityChoices.URGENT, PriorityChoices.URGENT]


def test_a_file_may_make_at_most_so_many_parts(floor, monkeypatch):
    monkeypatch.setattr(imports, "MAX_PARTS", 5)
    assert errors_of("part_number,quantity,erp_id\nBR-200,3,A\nBR-200,3,B\n") == [
        (None, "quantity", "The file makes 6 parts; one import may make at most 5. Split it.")
    ]


# --- What the rows refer to ---------------------------------------------------------------------------


def test_duplicate_erp_ids_in_the_file_and_among_open_work_orders(floor):
    open_one = make_work_order(floor, quantity=1, erp_id="SAP-9")
    cancelled = make_work_order(floor, quantity=1, erp_id="SAP-8", release=False)
    CancelWorkOrder(cancelled, admin()).execute(reason="Entered twice")
    data = "part_number,quantity,erp_id\nBR-200,1,SAP-9\nBR-200,1,SAP-8\nBR-200,1,SAP-5\nBR-200,1,SAP-5\n"

    assert errors_of(data) == [
        (2, "erp_id", f"Open work order {open_one.number} already has ERP id “SAP-9”."),
        (5, "erp_id", "“SAP-5” is also on row 4."),
    ]


def test_the_revision_defaults_to_the_current_one(floor):
    revision_b = services.revise_part_type(floor.part_type, "B")

    preview = parse("part_number,revision,quantity,erp_id\nBR-200,,1,A\nBR-200,a,1,B\n")

    assert preview.errors == []
    assert [(row.part_type, row.process) for row in preview.rows] == [
        (revision_b, floor.process),  # the routing of revision A serves the part type's lineage
        (floor.part_type, floor.process),
    ]


def test_the_routing_defaults_to_the_released_one_and_may_be_named(floor):
    second, _steps = make_routing(floor.part_type, name="Second line")
    other = make_floor(part_number="SH-300", prefix="SH-")
    draft, _steps = make_routing(other.part_type, name="Draft", release=False)
    data = (
        f"part_number,process,quantity,erp_id\nBR-200,,1,A\nBR-200,{second.number},1,B\n"
        f"BR-200,{other.process.number},1,C\nSH-300,{draft.number},1,D\nSH-300,,1,E\n"
    )
    preview = parse(data)

    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (
            2,
            "process",
            f"BR-200 has several released routings ({floor.process.number}, {second.number}): name one.",
        ),
        (4, "process", f"{other.process.number} is a routing of SH-300, not of BR-200."),
        (5, "process", f"Routing {draft.number} has no released version."),
    ]
    assert [(row.row, row.process) for row in preview.rows] == [(3, second), (6, other.process)]


def test_a_routing_without_a_single_start_step_is_refused(floor):
    floor.steps["Drill"].incoming.get().delete()  # the process is released, but test the check itself
    assert errors_of("part_number,quantity,erp_id\nBR-200,1,A\n") == [
        (2, "process", f"{floor.process} has no single start step.")
    ]


def test_customer_orders_and_their_lines(floor):
    acme = make_company(name="Acme", kind=CompanyKindChoices.CUSTOMER)
    one_line = make_order(acme, floor.part_type)
    two_lines = make_order(acme, floor.part_type, number_of_lines=2)
    cancelled = make_order(acme, floor.part_type)
    CancelOrder(cancelled, admin()).execute(reason="Customer withdrew")
    other = make_floor(part_number="SH-300", prefix="SH-")
    wrong_part = make_order(acme, other.part_type)
    data = (
        "part_number,quantity,erp_id,order,line\n"
        f"BR-200,1,A,{one_line.number},\n"
        f"BR-200,1,B,{two_lines.number},2\n"
        f"BR-200,1,C,{two_lines.number},\n"
        f"BR-200,1,D,{two_lines.number},7\n"
        f"BR-200,1,E,{cancelled.number},1\n"
        f"BR-200,1,F,{wrong_part.number},1\n"
        f"BR-200,1,G,{two_lines.number},x\n"
    )
    preview = parse(data)

    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (4, "line", f"{two_lines.number} has 2 lines for BR-200: give the line number."),
        (5, "line", f"{two_lines.number} has no line 7."),
        (6, "order", f"{cancelled.number} is cancelled."),
        (7, "line", f"Line 1 of {wrong_part.number} is for SH-300."),
        (8, "line", "“x” is not a line number."),
    ]
    assert [(row.row, row.order_line) for row in preview.rows] == [
        (2, one_line.lines.get()),
        (3, two_lines.lines.get(line_number=2)),
    ]


def test_what_the_user_may_not_view_is_not_found(floor):
    nobody = make_user()
    assert errors_of("part_number,quantity,erp_id\nBR-200,1,A\n", user=nobody) == [
        (2, "part_number", "There is no part type BR-200.")
    ]


def test_the_rows_are_resolved_in_a_few_queries_whatever_their_number(planner, floor):
    acme = make_company(name="Acme", kind=CompanyKindChoices.CUSTOMER)
    order = make_order(acme, floor.part_type)

    def queries_for(rows):
        data = "part_number,process,quantity,erp_id,order\n" + "".join(
            f"BR-200,{floor.process.number},1,SAP-{number},{order.number}\n" for number in range(rows)
        )
        with CaptureQueriesContext(connection) as captured:
            preview = parse(data, planner)
        assert preview.errors == [] and len(preview.rows) == rows
        return len(captured.captured_queries)

    planner.has_perm("production.view_part")  # permissions cached, as in a request
    assert queries_for(3) == queries_for(300) == 6


def test_an_error_raised_while_creating_names_its_row(planner, floor, monkeypatch):
    preview = parse("part_number,quantity,erp_id\nBR-200,1,A\nBR-200,1,B\n", planner)
    real = services.create_work_order

    def refuse_second(part_type, process, quantity, **fields):
        if fields["erp_id"] == "B":
            raise ValidationError({"due_date": "The ERP sent a date the plant is closed."})
        return real(part_type, process, quantity, **fields)

    monkeypatch.setattr(services, "create_work_order", refuse_second)
    before = counts()
    with pytest.raises(imports.ImportRefused) as refused:
        imports.commit_work_orders(preview, planner)
    assert refused.value.errors == [RowError(3, "due_date", "The ERP sent a date the plant is closed.")]
    assert counts() == before


def test_blank_lines_before_the_header_keep_the_row_numbers(floor):
    assert errors_of("\n\npart_number,qty,erp_id\nBR-200,1,A\nBR-200,,B\n") == [
        (3, "qty", f"Unknown column “qty”. The columns are: {', '.join(imports.COLUMNS)}."),
        (3, "quantity", "The required column “quantity” is missing."),
    ]
    assert errors_of("\npart_number,quantity,erp_id\nBR-200,1,A\n\nBR-200,,B\n") == [
        (5, "quantity", "Required.")
    ]


def test_a_row_that_breaks_the_csv_quoting_is_named(floor):
    assert errors_of('part_number,quantity,erp_id\nBR-200,1,A\nBR-200,1,"B"x\n') == [
        (3, "", "The row cannot be read as CSV (',' expected after '\"')."),
    ]
