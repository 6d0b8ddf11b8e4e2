"""Work orders imported from an ERP export: a CSV file is read and every row validated
(``parse_work_orders``), the person sees a preview with every error by row and column, and the
rows are created in one transaction, all or none (``commit_work_orders``), by the job
``production.import_work_orders`` (``production.jobs``).

The file:

- UTF-8 text, with or without a byte-order mark; comma or semicolon between cells (whichever the
  header row uses more of); a header row naming the columns, in any order.
- Columns (``COLUMNS``): ``part_number``, ``quantity`` and ``erp_id`` are required; ``revision``
  (default: the part type's current revision), ``process`` (the routing number; default: the
  part type's released routing), ``priority`` (urgent, high, normal, low or 1 to 4; default
  normal), ``due_date``, ``order`` (a customer order number) and ``line`` (its line number) may be
  left out or empty. An unknown column is an error, so that a misspelt one is not ignored.
- Dates are ISO (``2026-03-31``) or day first with dots (``31.03.2026``, as German ERP exports
  write them). Day and month separated by slashes are refused: ``03/04/2026`` is 3 April in
  Europe and 4 March in the US, and the wrong reading would not be noticed.
- ``erp_id`` is unique within the file and among open work orders (so one ERP order cannot be
  imported twice).
- A cell is text as it stands. A cell starting with ``=``, ``+``, ``-`` or ``@`` is never
  evaluated: it is kept as text (numbers and dates must be plain, so ``=2`` is not a quantity).
  The apostrophe that Qualitas' own exports put before such cells (``'=HYPERLINK``) is removed,
  so that an exported file reads back as it was.
- At most ``MAX_ROWS`` rows, ``MAX_QUANTITY`` parts per row and ``MAX_PARTS`` parts per file;
  the upload itself at most ``MAX_UPLOAD_BYTES`` and text by its content (``check_upload``).

Row numbers are those of the file, the header being row 1 (as a spreadsheet shows them).
Part types, routings, orders and existing ERP ids are read in a handful of queries whatever the
number of rows; with a ``user``, only what that user may view is found.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from qualitas.core import attachments
from qualitas.core.background import start_job
from qualitas.core.sequences import next_value
from qualitas.core.service_models import stored_path
from qualitas.framework.context import change_reason
from qualitas.framework.forms import style_widgets

from . import services
from .choices import (
    CustomerOrderStatusChoices,
    PriorityChoices,
    ProcessStatusChoices,
    WorkOrderStatusChoices,
)
from .models import CustomerOrder, CustomerOrderLine, PartType, Process, Step, StepEdge, WorkOrder

#: Rows a file may hold (besides its header).
MAX_ROWS = 5000
#: Bytes an uploaded file may have (5,000 rows of a typical export take about 400 KB).
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
#: Parts one row (one work order) may make.
MAX_QUANTITY = 10_000
#: Parts one file may make in all: the commit is one transaction and must stay reasonable.
MAX_PARTS = 200_000
#: The counter of committed imports; its row lock makes imports wait for one another.
IMPORT_COUNTER = "production.work_order_import"
#: How long an upload is kept for its preview and its job before it is removed.
UPLOAD_LIFETIME = timedelta(days=2)

COLUMNS = (
    "part_number",
    "revision",
    "process",
    "quantity",
    "priority",
    "due_date",
    "erp_id",
    "order",
    "line",
)
REQUIRED = ("part_number", "quantity", "erp_id")
#: What each column holds, in words for the upload page.
COLUMN_HELP = {
    "part_number": "The part type's number.",
    "revision": "Its design revision; empty: the current revision.",
    "process": "The routing number (RT-…); empty: the part type's released routing.",
    "quantity": f"Parts to make, 1 to {MAX_QUANTITY:,}.",
    "priority": "urgent, high, normal or low (or 1 to 4); empty: normal.",
    "due_date": "YYYY-MM-DD or DD.MM.YYYY.",
    "erp_id": "The ERP's order id: unique in the file and among open work orders.",
    "order": "A customer order number (SO-…), optional.",
    "line": "The line of that order; empty: its only line for the part type.",
}
DATE_FORMATS = (
    ("%Y-%m-%d", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("%d.%m.%Y", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")),
)
#: Content types (read by libmagic) that an upload may have.
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
#: What spreadsheet programs run as a formula (CSV injection), and the escape our exports add.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PRIORITIES = {
    **{label.lower(): value for value, label in PriorityChoices.choices()},
    **{str(value): value for value in PriorityChoices.values()},
}
CLOSED_ORDER_STATUSES = (
    CustomerOrderStatusChoices.SHIPPED,
    CustomerOrderStatusChoices.CLOSED,
    CustomerOrderStatusChoices.CANCELLED,
)
WHOLE_NUMBER = re.compile(r"^\d+$")
MAX_LENGTHS = {"part_number": 60, "revision": 20, "process": 50, "erp_id": 100, "order": 50}


@dataclass(frozen=True)
class RowError:
    """One problem: the row (as in the file, header = 1; None for the whole file), the column
    ("" when it concerns the whole row or file) and what is wrong."""

    row: int | None
    column: str
    message: str

    def __str__(self):
        where = f"row {self.row}" if self.row is not None else "file"
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass
class ImportRow:
    """A row that will become a work order."""

    row: int
    part_type: PartType
    process: Process
    quantity: int
    priority: str
    due_date: date | None
    erp_id: str
    order_line: CustomerOrderLine | None = None

    @property
    def priority_label(self):
        return PriorityChoices.label(self.priority)


@dataclass
class ImportPreview:
    """What a file would create, and everything wrong with it. ``rows`` holds only the rows without
    errors; nothing may be committed while ``errors`` is not empty."""

    name: str
    text: str = field(repr=False)
    sha256: str
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    row_count: int = 0

    @property
    def is_valid(self):
        return not self.errors and bool(self.rows)

    @property
    def part_count(self):
        return sum(row.quantity for row in self.rows)

    @property
    def error_rows(self):
        """How many rows of the file have at least one error."""
        return len({error.row for error in self.errors if error.row is not None})


class ImportRefused(ValidationError):
    """The file cannot be committed; ``errors`` lists every ``RowError``."""

    def __init__(self, errors):
        self.errors = list(errors)
        shown = "; ".join(str(error).rstrip(".") for error in self.errors[:10])
        more = f" (and {len(self.errors) - 10} more)" if len(self.errors) > 10 else ""
        count = len(self.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''}: {shown}{more}. Nothing was imported.")

    def __str__(self):
        return self.messages[0]


# --- Reading the file ---------------------------------------------------------------------------


def check_upload(upload, name):
    """Refuse an upload that is not a CSV text file (by content, never by name), is empty or is
    larger than ``MAX_UPLOAD_BYTES``. Returns the file's bytes; raises ``forms.ValidationError``."""
    try:
        name = attachments.clean_name(name)
    except attachments.AttachmentRejected as error:
        raise forms.ValidationError(error.message)
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            f"The file is {filesizeformat(size)}; an import may be at most {filesizeformat(MAX_UPLOAD_BYTES)}."
        )
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    upload.seek(0)
    if not data:
        raise forms.ValidationError("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(f"An import may be at most {filesizeformat(MAX_UPLOAD_BYTES)}.")
    mime = attachments.detect_type(upload, name)
    if mime not in TEXT_TYPES or b"\x00" in data:
        kind = attachments.describe(mime) if mime not in TEXT_TYPES else "binary data"
        raise forms.ValidationError(
            f"“{name}” is {kind}, not a CSV file. Export the work orders from the ERP (or save the "
            "spreadsheet) as CSV UTF-8 and upload that."
        )
    suffix = attachments.extension(name)
    if suffix not in ("csv", "txt"):
        raise forms.ValidationError(f"“{name}” is not named .csv; upload the CSV export.")
    return data


def _decode(data):
    """The file's text without a byte-order mark, or a ``RowError``."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    try:
        return bytes(data).decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return "", RowError(
            None,
            "",
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). Save it as CSV UTF-8.",
        )


def _delimiter(header_line):
    """Semicolon when the header row has more semicolons than commas (column names hold
    neither), else comma."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _header_name(cell):
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _cell(value):
    value = value.strip()
    if value[:1] == "'" and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _digest(data):
    raw = data.encode() if isinstance(data, str) else bytes(data)
    return hashlib.sha256(raw).hexdigest()


@dataclass
class _Row:
    number: int
    cells: dict


@dataclass
class _Table:
    header: list
    header_row: int = 1
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def read_rows(text):
    """The header's column names, the data rows and file-level errors of the decoded ``text``.
    Blank rows are skipped but counted, so that row numbers stay those of the file."""
    if "\x00" in text:
        return _Table([], errors=[RowError(None, "", "The file holds binary data, not CSV text.")])
    if not text.strip():
        return _Table(
            [], errors=[RowError(None, "", "The file is empty: it needs a header row and at least one row.")]
        )
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True)
    errors = []
    header = None
    header_row = 1
    rows = []
    number = 0
    try:
        for record in reader:
            number += 1
            if header is None:
                if not any(cell.strip() for cell in record):
                    continue
                header, header_row = [_header_name(cell) for cell in record], number
                continue
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= MAX_ROWS:
                too_many = RowError(None, "", f"The file has more than {MAX_ROWS:,} rows; split it.")
                return _Table(header, header_row, errors=[too_many])
            if len(record) != len(header):
                errors.append(
                    RowError(
                        number,
                        "",
                        f"The row has {len(record)} cells, the header {len(header)}: check the separators "
                        "and quotes.",
                    )
                )
                continue
            rows.append(
                _Row(number, {name: _cell(value) for name, value in zip(header, record, strict=True)})
            )
    except csv.Error as error:
        errors.append(RowError(number + 1, "", f"The row cannot be read as CSV ({error})."))
    return _Table(header or [], header_row, rows, errors)


def _header_errors(header, row=1):
    errors = []
    seen = set()
    for name in header:
        if not name:
            errors.append(RowError(row, "", "A column has no name in the header row."))
        elif name not in COLUMNS:
            errors.append(
                RowError(row, name, f"Unknown column “{name}”. The columns are: {', '.join(COLUMNS)}.")
            )
        elif name in seen:
            errors.append(RowError(row, name, f"The column “{name}” appears twice."))
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            errors.append(RowError(row, name, f"The required column “{name}” is missing."))
    return errors


# --- Validating ----------------------------------------------------------------------------------


def parse_work_orders(data, user=None, name="import.csv"):
    """Read and validate a CSV export (bytes or text). Returns an ``ImportPreview`` with every
    error found (``RowError``: row, column, message) and the rows that would be created.

    With ``user``, part types, routings and orders are looked up among those the user may view.
    """
    text, error = _decode(data)
    preview = ImportPreview(name=name, text=text, sha256=_digest(data))
    if error is None and isinstance(data, bytes | bytearray) and len(data) > MAX_UPLOAD_BYTES:
        error = RowError(None, "", f"The file is larger than {filesizeformat(MAX_UPLOAD_BYTES)}.")
    if error is not None:
        preview.errors.append(error)
        return preview
    table = read_rows(text)
    header, rows, errors = table.header, table.rows, table.errors
    preview.row_count = len(rows)
    preview.errors.extend(errors)
    header_errors = _header_errors(header, table.header_row) if header else []
    preview.errors.extend(header_errors)
    if header and not rows and not errors:
        preview.errors.append(RowError(None, "", "The file has a header row but no work orders."))
    if header_errors or not rows:
        preview.errors.sort(key=_error_order)
        return preview
    lookup = Lookup.for_rows(rows, user)
    total_parts = 0
    for row in rows:
        item, row_errors = _validate(row, lookup)
        preview.errors.extend(row_errors)
        if item is not None:
            preview.rows.append(item)
            total_parts += item.quantity
    if total_parts > MAX_PARTS:
        preview.errors.append(
            RowError(
                None,
                "quantity",
                f"The file makes {total_parts:,} parts; one import may make at most {MAX_PARTS:,}. Split it.",
            )
        )
    preview.errors.sort(key=_error_order)
    return preview


def _error_order(error):
    return (error.row if error.row is not None else 0, _column_order(error.column))


def _column_order(column):
    return COLUMNS.index(column) if column in COLUMNS else -1


def _visible(queryset, user):
    return queryset if user is None else queryset.restrict(user, "view")


@dataclass
class Lookup:
    """Everything the rows refer to, read in a few queries."""

    part_types: dict = field(default_factory=lambda: defaultdict(list))
    processes: dict = field(default_factory=lambda: defaultdict(list))
    released_by_lineage: dict = field(default_factory=lambda: defaultdict(list))
    start_steps: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    lines: dict = field(default_factory=lambda: defaultdict(list))
    open_erp_ids: dict = field(default_factory=dict)
    #: The first row of each ERP id met so far.
    seen_erp_ids: dict = field(default_factory=dict)

    @classmethod
    def for_rows(cls, rows, user=None):
        lookup = cls()
        values = defaultdict(set)
        for row in rows:
            for column in ("part_number", "process", "order", "erp_id"):
                if row.cells.get(column):
                    values[column].add(row.cells[column])
        if values["part_number"]:
            part_types = _visible(PartType.objects.all(), user).filter(part_number__in=values["part_number"])
            for part_type in part_types.order_by("part_number", "version"):
                lookup.part_types[part_type.part_number].append(part_type)
        lineages = {p.lineage for versions in lookup.part_types.values() for p in versions}
        wanted = Q(number__in=values["process"]) if values["process"] else Q(pk__in=[])
        if lineages:
            wanted |= Q(
                part_type__lineage__in=lineages, status=ProcessStatusChoices.RELEASED, is_archived=False
            )
        for process in _visible(Process.objects.all(), user).filter(wanted).select_related("part_type"):
            lookup.processes[process.number].append(process)
            if process.status == ProcessStatusChoices.RELEASED and not process.is_archived:
                lookup.released_by_lineage[process.part_type.lineage].append(process)
        released = [p.pk for versions in lookup.released_by_lineage.values() for p in versions]
        if released:
            targets = StepEdge.objects.filter(process_id__in=released).values("target_id")
            starts = (
                Step.objects.filter(process_id__in=released)
                .exclude(pk__in=targets)
                .values("process_id")
                .annotate(count=Count("pk"))
                .order_by()
            )
            lookup.start_steps = {row["process_id"]: row["count"] for row in starts}
        if values["order"]:
            orders = _visible(CustomerOrder.objects.all(), user).filter(number__in=values["order"])
            lookup.orders = {order.number: order for order in orders}
        if lookup.orders:
            lines = CustomerOrderLine.objects.filter(
                order__in=list(lookup.orders.values()), is_archived=False
            )
            by_pk = {order.pk: order for order in lookup.orders.values()}
            for line in lines.select_related("part_type"):
                line.order = by_pk[line.order_id]
                lookup.lines[line.order_id].append(line)
        if values["erp_id"]:
            open_orders = WorkOrder.objects.filter(
                erp_id__in=values["erp_id"], status__in=WorkOrderStatusChoices.OPEN
            ).values_list("erp_id", "number")
            for erp_id, number in open_orders.order_by("number"):
                lookup.open_erp_ids.setdefault(erp_id, number)
        return lookup


def _validate(row, lookup):
    """(an ``ImportRow`` or None, the row's errors). Every cell is checked, so that one pass
    shows everything wrong with the row."""
    errors = []
    cells = row.cells

    def error(column, message):
        errors.append(RowError(row.number, column, message))

    for column, limit in MAX_LENGTHS.items():
        if len(cells.get(column, "")) > limit:
            error(column, f"At most {limit} characters.")
    if errors:
        return None, errors
    part_type = _part_type(cells, lookup, error)
    process = _process(cells, part_type, lookup, error) if part_type is not None else None
    quantity = _quantity(cells.get("quantity", ""), error)
    priority = _priority(cells.get("priority", ""), error)
    due_date = _date(cells.get("due_date", ""), error)
    erp_id = _erp_id(cells.get("erp_id", ""), lookup, row.number, error)
    order_line = _order_line(cells, part_type, lookup, error)
    if errors:
        return None, errors
    return ImportRow(row.number, part_type, process, quantity, priority, due_date, erp_id, order_line), []


def _part_type(cells, lookup, error):
    number = cells.get("part_number", "")
    if not number:
        error("part_number", "Required.")
        return None
    versions = lookup.part_types.get(number)
    if not versions:
        error("part_number", f"There is no part type {number}.")
        return None
    revision = cells.get("revision", "")
    if revision:
        chosen = next((p for p in versions if p.revision.lower() == revision.lower()), None)
        if chosen is None:
            known = ", ".join(p.revision for p in versions)
            error("revision", f"{number} has no revision {revision} (it has {known}).")
            return None
    else:
        chosen = next((p for p in versions if p.is_current), None)
        if chosen is None:
            error("revision", f"{number} has no current revision: give the revision.")
            return None
    if chosen.is_archived:
        error("part_number", f"{number} rev {chosen.revision} is archived.")
        return None
    return chosen


def _process(cells, part_type, lookup, error):
    number = cells.get("process", "")
    if number:
        versions = lookup.processes.get(number)
        if not versions:
            error("process", f"There is no routing {number}.")
            return None
        released = [p for p in versions if p.status == ProcessStatusChoices.RELEASED and not p.is_archived]
        if not released:
            error("process", f"Routing {number} has no released version.")
            return None
        process = released[-1]
        if process.part_type.lineage != part_type.lineage:
            error(
                "process",
                f"{number} is a routing of {process.part_type.part_number}, not of {part_type.part_number}.",
            )
            return None
    else:
        candidates = lookup.released_by_lineage.get(part_type.lineage, [])
        current = [p for p in candidates if p.is_current]
        for_revision = [p for p in current if p.part_type_id == part_type.pk]
        if len(current) == 1:
            process = current[0]
        elif len(for_revision) == 1:
            process = for_revision[0]
        elif not current:
            error("process", f"{part_type.part_number} has no released routing.")
            return None
        else:
            numbers = ", ".join(sorted(p.number for p in current))
            error("process", f"{part_type.part_number} has several released routings ({numbers}): name one.")
            return None
    if lookup.start_steps.get(process.pk) != 1:
        error("process", f"{process} has no single start step.")
        return None
    return process


def _quantity(value, error):
    if not value:
        error("quantity", "Required.")
        return None
    if not WHOLE_NUMBER.match(value):
        error("quantity", f"“{value}” is not a whole number.")
        return None
    quantity = int(value)
    if quantity < 1:
        error("quantity", "A work order makes at least one part.")
        return None
    if quantity > MAX_QUANTITY:
        error("quantity", f"At most {MAX_QUANTITY:,} parts per work order.")
        return None
    return quantity


def _priority(value, error):
    if not value:
        return PriorityChoices.NORMAL
    priority = PRIORITIES.get(value.lower())
    if priority is None:
        error("priority", f"“{value}” is not a priority: use urgent, high, normal, low or 1 to 4.")
    return priority


def _date(value, error):
    if not value:
        return None
    for pattern, shape in DATE_FORMATS:
        if shape.match(value):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                error("due_date", f"“{value}” is not a date of the calendar.")
                return None
    error("due_date", f"“{value}” is not a date: write YYYY-MM-DD or DD.MM.YYYY.")
    return None


def _erp_id(value, lookup, row_number, error):
    if not value:
        error("erp_id", "Required.")
        return None
    first = lookup.seen_erp_ids.setdefault(value, row_number)
    if first != row_number:
        error("erp_id", f"“{value}” is also on row {first}.")
        return None
    existing = lookup.open_erp_ids.get(value)
    if existing is not None:
        error("erp_id", f"Open work order {existing} already has ERP id “{value}”.")
        return None
    return value


def _order_line(cells, part_type, lookup, error):
    number = cells.get("order", "")
    line_value = cells.get("line", "")
    if not number:
        if line_value:
            error("line", "A line number needs the order number.")
        return None
    order = lookup.orders.get(number)
    if order is None:
        error("order", f"There is no customer order {number}.")
        return None
    if order.status in CLOSED_ORDER_STATUSES:
        error("order", f"{number} is {order.get_status_display().lower()}.")
        return None
    lines = lookup.lines.get(order.pk, [])
    if line_value:
        if not WHOLE_NUMBER.match(line_value):
            error("line", f"“{line_value}” is not a line number.")
            return None
        line = next((line for line in lines if line.line_number == int(line_value)), None)
        if line is None:
            error("line", f"{number} has no line {line_value}.")
            return None
    else:
        if part_type is None:
            return None
        matching = [line for line in lines if line.part_type.lineage == part_type.lineage]
        if len(matching) != 1:
            error(
                "line",
                f"{number} has {len(matching) or 'no'} line{'s' if len(matching) != 1 else ''} for "
                f"{part_type.part_number}: give the line number.",
            )
            return None
        line = matching[0]
    if part_type is not None and line.part_type.lineage != part_type.lineage:
        error("line", f"Line {line.line_number} of {number} is for {line.part_type.part_number}.")
        return None
    return line


# --- Committing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedWorkOrder:
    row: int
    number: str
    erp_id: str
    part_number: str
    quantity: int


def import_note(name, job_id=None):
    """The note each imported work order carries: where it came from (and, in a job, which one,
    which also tells a re-run of the job that its work is done)."""
    source = f"Imported from {name}"
    return f"{source} (job #{job_id})" if job_id else source


def commit_work_orders(preview, user, job=None, progress: Callable | None = None):
    """Validate the file of ``preview`` again (the database may have changed since the preview)
    and create every work order with its parts through ``services.create_work_order``, in one
    transaction: all of them or, on any error, none. Returns the ``CreatedWorkOrder``s.

    Raises ``ImportRefused`` (every error) and ``PermissionDenied`` (no
    ``production.add_workorder``). ``job`` (a ``JobRun``) is told the progress and checked for
    cancellation; cancelling rolls everything back.
    """
    if user is None or not user.has_perm("production.add_workorder"):
        raise PermissionDenied("You do not have permission to add work orders.")
    report = progress or (job.progress if job is not None else None)
    if report:
        report(10, f"Validating {preview.name} again and creating its work orders in one transaction")
    note = import_note(preview.name, job.pk if job is not None else None)
    created = []
    # Progress written inside the transaction would be invisible until it commits (and would lock
    # the job's row against its heartbeat), so in there the job is only asked whether it was
    # cancelled.
    with transaction.atomic(), change_reason(note):
        # One import at a time: the counter's row lock is held until the transaction ends, so
        # two imports of one file (a double click) cannot both pass the ERP id check.
        next_value(IMPORT_COUNTER)
        checked = parse_work_orders(preview.text, user=user, name=preview.name)
        if not checked.is_valid:
            raise ImportRefused(checked.errors or [RowError(None, "", "The file has no work orders.")])
        for index, row in enumerate(checked.rows):
            if job is not None and index % 25 == 0:
                job.check_cancelled()
            try:
                work_order = services.create_work_order(
                    row.part_type,
                    row.process,
                    row.quantity,
                    priority=row.priority,
                    due_date=row.due_date,
                    erp_id=row.erp_id,
                    order_line=row.order_line,
                    notes=f"{note}, row {row.row}.",
                )
            except ValidationError as error:
                raise ImportRefused(_row_errors(row.row, error))
            created.append(
                CreatedWorkOrder(
                    row.row, work_order.number, row.erp_id, row.part_type.part_number, row.quantity
                )
            )
    return created


def _row_errors(row_number, error):
    if hasattr(error, "error_dict"):
        return [
            RowError(row_number, name if name in COLUMNS else "", message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [RowError(row_number, "", message) for message in error.messages]


def already_committed(preview, job_id):
    """The work orders a previous run of job ``job_id`` created from this file (a job interrupted
    after its transaction committed), in row order; empty when it had not committed."""
    rows = {row.cells.get("erp_id", ""): row.number for row in read_rows(preview.text).rows}
    work_orders = WorkOrder.objects.filter(
        erp_id__in=list(rows), notes__startswith=import_note(preview.name, job_id)
    ).select_related("part_type")
    found = sorted(work_orders, key=lambda work_order: rows[work_order.erp_id])
    return [
        CreatedWorkOrder(rows[wo.erp_id], wo.number, wo.erp_id, wo.part_type.part_number, wo.quantity)
        for wo in found
    ]


def result_csv(created):
    """The job's result: one line per created work order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "erp_id", "work_order", "part_number", "quantity"])
    for item in created:
        writer.writerow([item.row, _formula_safe(item.erp_id), item.number, item.part_number, item.quantity])
    return buffer.getvalue()


def _formula_safe(value):
    return "'" + value if value[:1] in FORMULA_PREFIXES else value


# --- The stored upload and the job -------------------------------------------------------------

#: The job that commits an import (``production.jobs``).
JOB_KIND = "production.import_work_orders"
#: Where uploads wait between the preview and the job (generated names, never the user's).
UPLOAD_FOLDER = "imports/work-orders"


class UploadUnavailable(Exception):
    """The stored upload is gone, too large or not the file that was previewed."""


@dataclass(frozen=True)
class StoredUpload:
    """An upload kept in storage for its preview and its job (``as_params`` is the job's input)."""

    path: str
    name: str
    sha256: str
    size: int

    def as_params(self):
        return {"upload": self.path, "name": self.name, "sha256": self.sha256}


def store_upload(data, name):
    """Keep a checked upload (``check_upload``'s bytes) under a generated path."""
    path = default_storage.save(stored_path(UPLOAD_FOLDER, ".csv"), ContentFile(data))
    return StoredUpload(path=path, name=attachments.clean_name(name), sha256=_digest(data), size=len(data))


def load_upload(path, sha256):
    """The bytes of a stored upload, refused unless it is one of ours, within the size limit and
    exactly the file that was previewed (same SHA-256)."""
    if not str(path).startswith(f"{UPLOAD_FOLDER}/") or ".." in str(path).split("/"):
        raise UploadUnavailable("This is not a stored work order import.")
    try:
        if default_storage.size(path) > MAX_UPLOAD_BYTES:
            raise UploadUnavailable(f"The upload is larger than {filesizeformat(MAX_UPLOAD_BYTES)}.")
        with default_storage.open(path, "rb") as handle:
            data = handle.read(MAX_UPLOAD_BYTES + 1)
    except (FileNotFoundError, OSError):
        raise UploadUnavailable("The uploaded file is no longer available: upload it again.")
    if _digest(data) != sha256:
        raise UploadUnavailable("The stored file is not the one that was previewed: upload it again.")
    return data


def discard_upload(path):
    if str(path).startswith(f"{UPLOAD_FOLDER}/"):
        default_storage.delete(path)


def stale_uploads(older_than=UPLOAD_LIFETIME):
    """Stored uploads older than ``older_than`` (previews nobody committed, imports done)."""
    cutoff = timezone.now() - older_than
    found = []

    def walk(folder):
        try:
            folders, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            return
        for sub in folders:
            walk(f"{folder}/{sub}")
        for file_name in files:
            path = f"{folder}/{file_name}"
            try:
                if default_storage.get_modified_time(path) < cutoff:
                    found.append(path)
            except (NotImplementedError, OSError):
                continue

    walk(UPLOAD_FOLDER)
    return found


def start_import(upload, user):
    """Start the job that commits the stored ``upload`` for ``user``; returns the ``core.Job``."""
    if user is None or not user.has_perm("production.add_workorder"):
        raise PermissionDenied("You do not have permission to add work orders.")
    return start_job(
        JOB_KIND, user=user, params=upload.as_params(), label=f"Import work orders from {upload.name}"
    )


# --- The upload form ------------------------------------------------------------------------------


class WorkOrderImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8, comma or semicolon separated, with a header row; at most {MAX_ROWS:,} rows "
            f"and {filesizeformat(MAX_UPLOAD_BYTES)}."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        #: The file's bytes, checked.
        self.content = check_upload(upload, upload.name)
        return upload
