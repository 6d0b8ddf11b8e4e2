"""Scale data for the production and inspection benchmarks, loaded with COPY on PostgreSQL.

``generate(parts, results)`` fills a migrated database. The few configuration records (people,
work centres, part types, released routings with 10 numeric characteristics on their inspection
step) are made through the ORM and the routing's release action, so they are audited like real
ones. The bulk (work orders, parts, quality reports, measurement results, the step log and the
NCRs of failed reports) goes straight into the tables with psycopg's ``cursor.copy()``: text
COPY for the tables of up to a million rows, binary COPY built with numpy for the measurement
results and the step log. No audit entries are written for the copied rows (the list benchmark
measures reads).

While loading, the secondary indexes and the foreign-key constraints of the loaded tables are
dropped; afterwards the indexes are built again and the constraints added back, which checks
every foreign key of the generated rows (``--no-validate`` adds them ``NOT VALID`` instead).
Primary keys and unique constraints stay in place (the rows arrive in key order). Then
``VACUUM (ANALYZE)``: what autovacuum does after a bulk insert (statistics for the planner and the
visibility map for index-only scans). The record counters (serial numbers, WO-, QR- and NCR-
numbers) and the id sequences are moved past the generated rows, so the application carries on
numbering after them.

The routing of every part type (``STEPS``): Machine → Inspect → Decide; Decide on pass → Pack, on
fail → Rework → Pack; Pack needs QA sign-off. Work orders of ``work_order_size`` parts are spread
over ``days`` of history; the newest 8 % are in progress, the rest completed (the oldest half
closed). Parts of finished work orders are completed (a quarter of them shipped), a few scrapped
after a failed inspection, and some reworked: failed, NCR closed with a rework disposition that
sent the part back to Machine, inspected again and completed (their number makes the results add
up to ``results``). Parts of work orders in progress are spread over every step and status
(pending, in progress, awaiting QA, rework, quarantined with an open NCR), the share done growing
with the work order's age, and ``step_entered_at`` spread over the days since the work order
started.

``python -m benchmarks.production_data --database-url postgres --scale 0.1`` generates into a
throwaway database and prints the timings (the ``production-lists`` benchmark calls
``generate``).
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

DEFAULT_PARTS = 1_000_000
DEFAULT_RESULTS = 10_000_000
CHARACTERISTICS_PER_REPORT = 10

STEPS = (
    # name, kind, requires QA sign-off
    ("Machine", "operation", False),
    ("Inspect", "inspection", False),
    ("Decide", "decision", False),
    ("Rework", "rework", False),
    ("Pack", "operation", True),
)
MACHINE, INSPECT, DECIDE, REWORK, PACK = range(len(STEPS))
EDGES = (
    (MACHINE, INSPECT, "always"),
    (INSPECT, DECIDE, "always"),
    (DECIDE, PACK, "pass"),
    (DECIDE, REWORK, "fail"),
    (REWORK, PACK, "always"),
)

#: The 10 numeric characteristics of each inspection step: code, name, nominal, lower and upper
#: tolerance (mm), classification.
CHARACTERISTICS = (
    ("C1", "Bore diameter", 25.0, -0.021, 0.021, "critical"),
    ("C2", "Overall length", 120.0, -0.1, 0.1, "major"),
    ("C3", "Flange thickness", 8.0, -0.05, 0.05, "major"),
    ("C4", "Thread pitch diameter", 11.35, -0.03, 0.03, "critical"),
    ("C5", "Slot width", 6.0, -0.02, 0.04, "major"),
    ("C6", "Hole position X", 40.0, -0.05, 0.05, "major"),
    ("C7", "Hole position Y", 22.5, -0.05, 0.05, "major"),
    ("C8", "Chamfer", 0.5, -0.1, 0.1, "minor"),
    ("C9", "Groove depth", 2.4, -0.03, 0.03, "major"),
    ("C10", "Face flatness", 0.0, 0.0, 0.015, "minor"),
)

#: part number, name, serial prefix
PART_TYPES = (
    ("VB-100", "Valve body", "VB-"),
    ("BR-200", "Mounting bracket", "BR-"),
    ("SH-300", "Drive shaft", "SH-"),
    ("HS-400", "Pump housing", "HS-"),
    ("FL-500", "Flange", "FL-"),
    ("GR-600", "Gear blank", "GR-"),
)

ACTIVE_SHARE = 0.08  # work orders in progress, the newest
ACTIVE_DAYS = 10  # they started within this many days
SHIPPED_SHARE = 0.25  # of the completed parts of finished work orders
SCRAPPED_SHARE = 0.003

MINUTE_US = 60_000_000
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z in µs since 1970, binary COPY's zero
NULL = "\\N"  # text COPY's null

#: Loaded with COPY; their secondary indexes and foreign keys are dropped while loading.
BULK_TABLES = (
    "production_workorder",
    "production_part",
    "inspections_qualityreport",
    "inspections_measurementresult",
    "production_steptransition",
    "nonconformance_nonconformance",
)

# --- Categories of parts ------------------------------------------------------------------------
# code: (status, current step, reports: "" none, "p" pass, "f" fail, "fp" fail then pass)
CATEGORIES = {
    "done": ("completed", PACK, "p"),
    "shipped": ("shipped", PACK, "p"),
    "reworked": ("completed", PACK, "fp"),
    "scrapped": ("scrapped", INSPECT, "f"),
    "quarantined": ("quarantined", INSPECT, "f"),
    "m_pending": ("pending", MACHINE, ""),
    "m_progress": ("in_progress", MACHINE, ""),
    "i_pending": ("pending", INSPECT, ""),
    "i_progress": ("in_progress", INSPECT, ""),
    "d_pending": ("pending", DECIDE, "p"),
    "r_needed": ("rework_needed", REWORK, "f"),
    "r_progress": ("in_rework", REWORK, "f"),
    "p_pending": ("pending", PACK, "p"),
    "p_progress": ("in_progress", PACK, "p"),
    "p_qa": ("awaiting_qa", PACK, "p"),
}
CODES = {name: index for index, name in enumerate(CATEGORIES)}
#: Relative weights of the categories of the parts of a work order in progress that are not done.
WIP_WEIGHTS = {
    "m_pending": 24,
    "m_progress": 8,
    "i_pending": 14,
    "i_progress": 8,
    "d_pending": 6,
    "p_pending": 12,
    "p_progress": 6,
    "p_qa": 6,
    "quarantined": 3,
    "r_needed": 1,
    "r_progress": 1,
}

# The compact step log of each category: (kind, from step, to step, status before, status after,
# outcome, time base, minutes after it). ``None`` as a step: the part left the routing. Time bases:
# start (started at Machine), insp (first inspection), insp2 (second), end (arrived at the current
# step, or finished).
SAME = -1
STARTED_M = ("started", MACHINE, MACHINE, "pending", "in_progress", "", "start", 0)
MOVED_MI = ("moved", MACHINE, INSPECT, "passed_step", "pending", "", "insp", -15)
QUARANTINED_I = ("quarantined", INSPECT, INSPECT, "in_progress", "quarantined", "fail", "insp", 1)
TO_PACK = (
    ("moved", INSPECT, DECIDE, "passed_step", "pending", "", "insp", 5),
    ("moved", DECIDE, PACK, "passed_step", "pending", "", "insp", 10),
)
FINISHED = ("finished", PACK, None, "passed_step", "completed", "", "end", 0)
LOGS = {
    "done": (STARTED_M, MOVED_MI, *TO_PACK, FINISHED),
    "shipped": (
        STARTED_M,
        MOVED_MI,
        *TO_PACK,
        FINISHED,
        ("shipped", PACK, None, "completed", "shipped", "", "end", 1440),
    ),
    "reworked": (
        STARTED_M,
        MOVED_MI,
        QUARANTINED_I,
        ("sent_to_rework", INSPECT, MACHINE, "quarantined", "rework_needed", "", "insp", 240),
        ("moved", MACHINE, INSPECT, "passed_step", "pending", "", "insp2", -15),
        ("moved", INSPECT, DECIDE, "passed_step", "pending", "", "insp2", 5),
        ("moved", DECIDE, PACK, "passed_step", "pending", "", "insp2", 10),
        FINISHED,
    ),
    "scrapped": (
        STARTED_M,
        MOVED_MI,
        QUARANTINED_I,
        ("scrapped", INSPECT, None, "quarantined", "scrapped", "", "insp", 1440),
    ),
    "quarantined": (STARTED_M, MOVED_MI, QUARANTINED_I),
    "m_pending": (),
    "m_progress": (STARTED_M,),
    "i_pending": (STARTED_M, ("moved", MACHINE, INSPECT, "passed_step", "pending", "", "end", 0)),
    "i_progress": (
        STARTED_M,
        ("moved", MACHINE, INSPECT, "passed_step", "pending", "", "end", 0),
        ("started", INSPECT, INSPECT, "pending", "in_progress", "", "end", 10),
    ),
    "d_pending": (STARTED_M, MOVED_MI, ("moved", INSPECT, DECIDE, "passed_step", "pending", "", "end", 0)),
    "r_needed": (
        STARTED_M,
        MOVED_MI,
        QUARANTINED_I,
        ("sent_to_rework", INSPECT, REWORK, "quarantined", "rework_needed", "", "end", 0),
    ),
    "r_progress": (
        STARTED_M,
        MOVED_MI,
        QUARANTINED_I,
        ("sent_to_rework", INSPECT, REWORK, "quarantined", "rework_needed", "", "end", 0),
        ("started", REWORK, REWORK, "rework_needed", "in_rework", "", "end", 10),
    ),
    "p_pending": (
        STARTED_M,
        MOVED_MI,
        TO_PACK[0],
        ("moved", DECIDE, PACK, "passed_step", "pending", "", "end", 0),
    ),
    "p_progress": (
        STARTED_M,
        MOVED_MI,
        TO_PACK[0],
        ("moved", DECIDE, PACK, "passed_step", "pending", "", "end", 0),
        ("started", PACK, PACK, "pending", "in_progress", "", "end", 10),
    ),
    "p_qa": (
        STARTED_M,
        MOVED_MI,
        TO_PACK[0],
        ("moved", DECIDE, PACK, "passed_step", "pending", "", "end", 0),
        ("started", PACK, PACK, "pending", "in_progress", "", "end", 10),
        ("completed_step", PACK, PACK, "in_progress", "awaiting_qa", "pass", "end", 40),
    ),
}


# --- Configuration through the ORM --------------------------------------------------------------


@dataclass
class People:
    manager: object  # Production Manager: releases the routings
    qa_manager: object
    inspectors: list
    operators: list


@dataclass
class Routing:
    part_type: object
    process: object
    steps: list  # in STEPS order
    definitions: list  # the inspection step's, in CHARACTERISTICS order

    @property
    def inspect(self):
        return self.steps[INSPECT]


def make_people(inspectors=3, operators=4):
    from qualitas.testing.factories import make_user

    return People(
        manager=make_user(role="Production Manager", full_name="Pat Planner"),
        qa_manager=make_user(role="QA Manager", full_name="Quinn Quality"),
        inspectors=[
            make_user(role="QA Inspector", full_name=f"Inspector {n}") for n in range(1, inspectors + 1)
        ],
        operators=[
            make_user(role="Production Operator", full_name=f"Operator {n}") for n in range(1, operators + 1)
        ],
    )


def make_routings(count, manager):
    """``count`` part types (from ``PART_TYPES``), each with a released routing of ``STEPS`` and 10
    numeric characteristics on its inspection step. Made through the ORM and ``ReleaseProcess``."""
    from django.db import transaction

    from qualitas.inspections.models import MeasurementDefinition
    from qualitas.production.actions import ReleaseProcess
    from qualitas.production.models import PartType, Process, Step, StepEdge, WorkCenter

    if count > len(PART_TYPES):
        raise ValueError(f"At most {len(PART_TYPES)} part types.")
    with transaction.atomic():
        centres = {
            "operation": WorkCenter.objects.get_or_create(code="CNC-1", defaults={"name": "CNC cell 1"})[0],
            "inspection": WorkCenter.objects.get_or_create(code="QC-1", defaults={"name": "Measuring room"})[
                0
            ],
        }
        routings = []
        for part_number, name, prefix in PART_TYPES[:count]:
            part_type = PartType.objects.create(part_number=part_number, name=name, serial_prefix=prefix)
            process = Process.objects.create(name=f"{name} routing", part_type=part_type)
            steps = [
                Step.objects.create(
                    process=process,
                    name=step_name,
                    kind=kind,
                    sequence=(index + 1) * 10,
                    requires_qa=requires_qa,
                    work_center=centres.get(kind),
                    position_x=index * 180.0,
                )
                for index, (step_name, kind, requires_qa) in enumerate(STEPS)
            ]
            for source, target, condition in EDGES:
                StepEdge.objects.create(
                    process=process, source=steps[source], target=steps[target], condition=condition
                )
            definitions = [
                MeasurementDefinition.objects.create(
                    step=steps[INSPECT],
                    code=code,
                    name=label,
                    kind="numeric",
                    classification=classification,
                    unit="mm",
                    nominal=nominal,
                    lower_tolerance=lower,
                    upper_tolerance=upper,
                    decimals=3,
                    sequence=(index + 1) * 10,
                )
                for index, (code, label, nominal, lower, upper, classification) in enumerate(CHARACTERISTICS)
            ]
            ReleaseProcess(process, manager).execute()
            process.refresh_from_db()
            routings.append(Routing(part_type, process, steps, definitions))
    return routings


# --- Bulk loading helpers -----------------------------------------------------------------------


def _secondary_objects(cursor, table):
    """The table's indexes that back no constraint, and its foreign keys: ``(indexes, fks)`` as
    ``[(name, definition)]``."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY 1",
        [table],
    )
    return indexes, cursor.fetchall()


class FastLoad:
    """Drops the secondary indexes and foreign keys of ``tables`` (``drop``) and puts them back
    (``restore``: indexes built, foreign keys added and validated unless ``validate`` is False)."""

    def __init__(self, tables):
        self.tables = tables
        self.saved = {}

    def drop(self, cursor):
        for table in self.tables:
            indexes, fks = _secondary_objects(cursor, table)
            self.saved[table] = (indexes, fks)
            for name, _definition in fks:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")

    def restore(self, cursor, validate=True, report=None):
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET max_parallel_maintenance_workers = 2")
        with _timer(report, "build indexes"):
            for table in self.tables:
                for _name, definition in self.saved[table][0]:
                    cursor.execute(definition)
        with _timer(report, "add foreign keys" + (" (validated)" if validate else " (NOT VALID)")):
            for table in self.tables:
                for name, definition in self.saved[table][1]:
                    suffix = "" if validate else " NOT VALID"
                    cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}{suffix}')
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("RESET max_parallel_maintenance_workers")


class _timer:
    def __init__(self, report, label):
        self.report, self.label = report, label

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        if self.report is not None and exc[0] is None:
            self.report(self.label, time.perf_counter() - self.start)


def text_copy(cursor, table, columns, lines, chunk=100_000):
    """COPY ``lines`` (tab-separated text rows without the newline) into ``table``."""
    sql = f'COPY "{table}" ({", ".join(columns)}) FROM STDIN'
    with cursor.copy(sql) as copy:
        for start in range(0, len(lines), chunk):
            copy.write("\n".join(lines[start : start + chunk]) + "\n")


BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
BINARY_TRAILER = (-1).to_bytes(2, "big", signed=True)
_DTYPES = {"i8": ">i8", "f8": ">f8", "ts": ">i8", "bool": "u1", "i4": ">i4"}
_SIZES = {"i8": 8, "f8": 8, "ts": 8, "bool": 1, "i4": 4}


def binary_rows(count, columns):
    """``count`` rows in PostgreSQL's binary COPY format (no header), built with numpy.

    ``columns`` are ``(kind, value)``: kind ``i8``, ``i4``, ``f8``, ``bool`` or ``ts`` (µs since
    1970, UTC) with a scalar or an array of ``count`` values; ``text`` with one constant string;
    ``null``. Rows of one call have the same shape, so a caller with varying texts groups its rows
    by them."""
    fields = [("n", ">i2")]
    for index, (kind, value) in enumerate(columns):
        fields.append((f"l{index}", ">i4"))
        if kind == "null" or value is None:
            continue
        if kind == "text":
            data = value.encode()
            if data:
                fields.append((f"v{index}", f"S{len(data)}"))
            continue
        fields.append((f"v{index}", _DTYPES[kind]))
    rows = np.empty(count, dtype=np.dtype(fields))
    rows["n"] = len(columns)
    for index, (kind, value) in enumerate(columns):
        if kind == "null" or value is None:
            rows[f"l{index}"] = -1
        elif kind == "text":
            data = value.encode()
            rows[f"l{index}"] = len(data)
            if data:
                rows[f"v{index}"] = data
        else:
            rows[f"l{index}"] = _SIZES[kind]
            rows[f"v{index}"] = (np.asarray(value) - PG_EPOCH_US) if kind == "ts" else value
    return rows.tobytes()


def iso(us):
    """µs since 1970 (numpy int64 array) as ISO 8601 UTC strings for text COPY."""
    return np.char.add(np.datetime_as_string(np.asarray(us).astype("datetime64[us]"), unit="us"), "+00")


def _next_id(cursor, table):
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
    return cursor.fetchone()[0] + 1


def _set_sequence(cursor, table):
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
        f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
    )


def _reserve(key, count):
    """Take ``count`` values of a record counter; returns the first."""
    from qualitas.core.sequences import reserve_values

    return reserve_values(key, count) if count else 0


def _counter_key(model, when):
    from qualitas.core.sequences import _counter

    return _counter(model, when, {})[0]


# --- The plan -----------------------------------------------------------------------------------


@dataclass
class Generated:
    parts: int = 0
    reports: int = 0
    results: int = 0
    transitions: int = 0
    work_orders: int = 0
    ncrs: int = 0
    by_status: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)  # (label, seconds)
    routings: list = field(default_factory=list)
    people: object = None
    #: A work order in progress with parts in progress (for the filtered list), a part with a
    #: long step log and two reports (for the detail page).
    sample_work_order: int | None = None
    sample_part: int | None = None

    @property
    def seconds(self):
        return sum(seconds for label, seconds in self.timings if not label.startswith("  "))


def generate(
    parts=DEFAULT_PARTS,
    results=DEFAULT_RESULTS,
    work_order_size=500,
    part_types=3,
    days=120,
    seed=2026,
    validate=True,
    verbose=True,
):
    """Fill the (migrated, PostgreSQL) default database; returns a ``Generated`` summary."""
    from django.db import connection, transaction
    from django.utils import timezone

    from qualitas.framework.context import change_context
    from qualitas.inspections.models import QualityReport
    from qualitas.nonconformance.models import NonConformance
    from qualitas.production.models import WorkOrder

    if connection.vendor != "postgresql":
        raise SystemExit("The scale-data generator loads with COPY: it needs PostgreSQL.")
    summary = Generated()

    def report(label, seconds):
        summary.timings.append((label, seconds))
        if verbose:
            print(f"    {label}: {seconds:.1f} s", flush=True)

    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    now = timezone.now()
    now_us = int(now.timestamp() * 1_000_000)

    # --- Configuration (ORM, audited) ---
    with _timer(report, "people and routings (ORM)"), change_context(reason="benchmark scale data"):
        people = make_people()
        routings = make_routings(part_types, people.manager)
    summary.routings, summary.people = routings, people
    T = len(routings)
    step_ids = np.array([[step.pk for step in r.steps] for r in routings], dtype=np.int64)
    definition_ids = np.array([[d.pk for d in r.definitions] for r in routings], dtype=np.int64)
    type_ids = np.array([r.part_type.pk for r in routings], dtype=np.int64)
    process_ids = np.array([r.process.pk for r in routings], dtype=np.int64)
    nominal = np.array([c[2] for c in CHARACTERISTICS])
    lsl = nominal + np.array([c[3] for c in CHARACTERISTICS])
    usl = nominal + np.array([c[4] for c in CHARACTERISTICS])
    inspector_ids = np.array([u.pk for u in people.inspectors], dtype=np.int64)
    operator_ids = np.array([u.pk for u in people.operators], dtype=np.int64)

    # --- The plan, vectorized ---
    t0 = time.perf_counter()
    N = int(parts)
    W = max(1, math.ceil(N / work_order_size))
    sizes = np.full(W, work_order_size, dtype=np.int64)
    sizes[-1] = N - work_order_size * (W - 1)
    wo_of_part = np.repeat(np.arange(W), sizes)
    pos_in_wo = np.arange(N) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    type_of_wo = np.arange(W) % T
    type_of_part = type_of_wo[wo_of_part]
    active_count = max(1, round(W * ACTIVE_SHARE)) if W > 1 else 1
    first_active = W - active_count
    is_active_wo = np.arange(W) >= first_active
    # Work orders: finished ones spread over the history before the last ACTIVE_DAYS, active ones
    # over the last ACTIVE_DAYS (the newest started 12 hours ago).
    wo_created = np.empty(W, dtype=np.int64)
    history_start = now_us - days * DAY_US
    active_start = now_us - ACTIVE_DAYS * DAY_US
    if first_active:
        wo_created[:first_active] = history_start + (
            np.arange(first_active) * ((active_start - 3 * DAY_US - history_start) / max(1, first_active))
        ).astype(np.int64)
    wo_created[first_active:] = active_start + (
        np.arange(active_count) * ((now_us - 12 * HOUR_US - active_start) / active_count)
    ).astype(np.int64)
    # Progress of an active work order: the oldest nearly done, the newest just started.
    progress = np.zeros(W)
    progress[first_active:] = np.linspace(0.95, 0.05, active_count)
    created = wo_created[wo_of_part]

    category = np.full(N, CODES["done"], dtype=np.int8)
    active_part = is_active_wo[wo_of_part]
    u = rng.random(N)
    finished_part = ~active_part
    category[finished_part & (u < SHIPPED_SHARE)] = CODES["shipped"]
    category[finished_part & (u >= SHIPPED_SHARE) & (u < SHIPPED_SHARE + SCRAPPED_SHARE)] = CODES["scrapped"]
    # Active: done with probability 0.9 * progress, else a WIP category by weight.
    done_here = u < 0.9 * progress[wo_of_part]
    wip = active_part & ~done_here
    names = list(WIP_WEIGHTS)
    weights = np.array([WIP_WEIGHTS[n] for n in names], dtype=float)
    choice = rng.choice(len(names), size=int(wip.sum()), p=weights / weights.sum())
    category[wip] = np.array([CODES[n] for n in names], dtype=np.int8)[choice]

    report_pattern = {CODES[name]: spec[2] for name, spec in CATEGORIES.items()}
    has_report = np.isin(category, [c for c, p in report_pattern.items() if p])
    target_reports = int(results) // CHARACTERISTICS_PER_REPORT
    extra = target_reports - int(has_report.sum())
    candidates = np.flatnonzero(finished_part & (category == CODES["done"]))
    if extra > 0:
        chosen = rng.choice(candidates, size=min(extra, len(candidates)), replace=False)
        category[np.sort(chosen)] = CODES["reworked"]

    # Times per part (µs since 1970).
    t_end = np.empty(N, dtype=np.int64)
    t_start = np.empty(N, dtype=np.int64)
    t_insp = np.empty(N, dtype=np.int64)
    # Finished work orders: parts made over two days after the work order was created.
    span = (pos_in_wo / work_order_size * 2 * DAY_US + rng.random(N) * 4 * HOUR_US).astype(np.int64)
    t_start[:] = created + span
    t_insp[:] = t_start + 40 * MINUTE_US
    t_end[:] = t_insp + 2 * HOUR_US + (rng.random(N) * HOUR_US).astype(np.int64)
    reworked = category == CODES["reworked"]
    t_insp2 = t_insp + DAY_US
    t_end[reworked] = t_insp2[reworked] + 2 * HOUR_US
    scrapped = category == CODES["scrapped"]
    t_end[scrapped] = t_insp[scrapped] - 15 * MINUTE_US  # still at Inspect, since its arrival
    # Active work orders: arrived at the current step some time since the work order started.
    if active_part.any():
        a = active_part
        elapsed = (now_us - HOUR_US) - created[a]
        f = 0.2 + 0.8 * rng.random(int(a.sum()))
        arrival = created[a] + (elapsed * f).astype(np.int64)
        t_start[a] = created[a] + ((arrival - created[a]) * 0.2).astype(np.int64)
        t_insp[a] = created[a] + ((arrival - created[a]) * 0.6).astype(np.int64)
        t_end[a] = arrival
        done_active = a & (category == CODES["done"])
        t_end[done_active] = t_insp[done_active] + 2 * HOUR_US
        quarantined = a & (category == CODES["quarantined"])
        t_end[quarantined] = t_insp[quarantined] - 15 * MINUTE_US
        at_machine = a & np.isin(category, [CODES["m_pending"], CODES["m_progress"]])
        t_end[at_machine] = created[at_machine]  # parts are generated at the start step
        t_start[at_machine] = arrival[at_machine[a]]
    step_entered = t_end
    inspector_of_part = inspector_ids[rng.integers(0, len(inspector_ids), N)]
    operator_of_part = operator_ids[rng.integers(0, len(operator_ids), N)]
    year = now.year
    report(f"  plan of {N:,} parts", time.perf_counter() - t0)

    with connection.cursor() as cursor:
        with transaction.atomic():
            loader = FastLoad(BULK_TABLES)
            loader.drop(cursor)
        ids = {table: _next_id(cursor, table) for table in BULK_TABLES}

        # --- Work orders ---
        with _timer(report, f"work orders ({W:,}, text COPY)"), transaction.atomic():
            first_number = _reserve(_counter_key(WorkOrder, now), W)
            wo_ids = ids["production_workorder"] + np.arange(W)
            wo_status = np.where(
                is_active_wo, "in_progress", np.where(np.arange(W) < first_active // 2, "closed", "completed")
            )
            wo_started = wo_created + 2 * HOUR_US
            wo_completed = wo_created + 3 * DAY_US
            created_s, started_s, completed_s = iso(wo_created), iso(wo_started), iso(wo_completed)
            due = np.datetime_as_string((wo_created + 14 * DAY_US).astype("datetime64[us]"), unit="D")
            priority = np.array(["3", "3", "3", "2", "3", "1", "3", "4"])[np.arange(W) % 8]
            lines = [
                f"{wo_ids[k]}\t{created_s[k]}\t{created_s[k]}\tf\t\\N\t\t"
                f"WO-{year}-{first_number + k:05d}\t{sizes[k]}\t{priority[k]}\t{due[k]}\t"
                f"ERP-{100000 + first_number + k}\t{wo_status[k]}\t{started_s[k]}\t"
                f"{NULL if is_active_wo[k] else completed_s[k]}\t\t\\N\t{people.manager.pk}\t\\N\t"
                f"{type_ids[type_of_wo[k]]}\t{process_ids[type_of_wo[k]]}\t{people.manager.pk}"
                for k in range(W)
            ]
            text_copy(
                cursor,
                "production_workorder",
                (
                    "id",
                    "created",
                    "updated",
                    "is_archived",
                    "archived_at",
                    "archive_reason",
                    "number",
                    "quantity",
                    "priority",
                    "due_date",
                    "erp_id",
                    "status",
                    "started_at",
                    "completed_at",
                    "notes",
                    "archived_by_id",
                    "created_by_id",
                    "order_line_id",
                    "part_type_id",
                    "process_id",
                    "updated_by_id",
                ),
                lines,
            )
        summary.work_orders = W

        # --- Parts ---
        with _timer(report, f"parts ({N:,}, text COPY)"), transaction.atomic():
            part_ids = ids["production_part"] + np.arange(N)
            serial_index = np.empty(N, dtype=np.int64)
            serials = np.empty(N, dtype=object)
            for t, routing in enumerate(routings):
                mine = np.flatnonzero(type_of_part == t)
                prefix = routing.part_type.serial_prefix
                first = _reserve(f"production.part:{prefix}", len(mine))
                serial_index[mine] = first + np.arange(len(mine))
                digits = routing.part_type.serial_digits
                serials[mine] = [f"{prefix}{value:0{digits}d}" for value in serial_index[mine].tolist()]
            status_of = np.array([spec[0] for spec in CATEGORIES.values()])[category]
            step_of = step_ids[type_of_part, np.array([spec[1] for spec in CATEGORIES.values()])[category]]
            created_s, entered_s = iso(created), iso(step_entered)
            pid, ptype, wo = part_ids.tolist(), type_ids[type_of_part].tolist(), wo_ids[wo_of_part].tolist()
            step_list, status_list = step_of.tolist(), status_of.tolist()
            created_l, entered_l = created_s.tolist(), entered_s.tolist()
            serial_l = serials.tolist()
            lines = [
                f"{pid[i]}\t{created_l[i]}\t{entered_l[i]}\tf\t\\N\t\t{serial_l[i]}\t{status_list[i]}\t"
                f"{entered_l[i]}\t\t\\N\t\\N\t\\N\t{ptype[i]}\t{step_list[i]}\t{wo[i]}"
                for i in range(N)
            ]
            text_copy(
                cursor,
                "production_part",
                (
                    "id",
                    "created",
                    "updated",
                    "is_archived",
                    "archived_at",
                    "archive_reason",
                    "serial_number",
                    "status",
                    "step_entered_at",
                    "erp_id",
                    "archived_by_id",
                    "created_by_id",
                    "updated_by_id",
                    "part_type_id",
                    "current_step_id",
                    "work_order_id",
                ),
                lines,
            )
            del lines
        summary.parts = N
        summary.by_status = {
            name: int((category == CODES[name]).sum())
            for name in CATEGORIES
            if (category == CODES[name]).any()
        }

        # --- Quality reports: one per inspection visit, the reworked parts' second right after ---
        t0 = time.perf_counter()
        pattern_of_cat = [spec[2] for spec in CATEGORIES.values()]
        first_status = np.array([p[0] if p else "" for p in pattern_of_cat])[category]
        count_of_cat = np.array([len(p) for p in pattern_of_cat])[category]
        report_part = np.repeat(np.arange(N), count_of_cat)  # part index per report, in part order
        visit = np.arange(len(report_part)) - np.repeat(np.cumsum(count_of_cat) - count_of_cat, count_of_cat)
        R = len(report_part)
        report_fail = (visit == 0) & (first_status[report_part] == "f")
        report_time = np.where(visit == 0, t_insp[report_part], t_insp2[report_part])
        report_ids = ids["inspections_qualityreport"] + np.arange(R)
        report(f"  plan of {R:,} reports", time.perf_counter() - t0)
        with _timer(report, f"quality reports ({R:,}, text COPY)"), transaction.atomic():
            first_number = _reserve(_counter_key(QualityReport, now), R)
            time_l = iso(report_time).tolist()
            status_l = np.where(report_fail, "fail", "pass").tolist()
            rid = report_ids.tolist()
            rpart = part_ids[report_part].tolist()
            rstep = step_ids[type_of_part[report_part], INSPECT].tolist()
            rwo = wo_ids[wo_of_part[report_part]].tolist()
            rinsp = inspector_of_part[report_part].tolist()
            lines = [
                f"{rid[r]}\t{time_l[r]}\t{time_l[r]}\tf\t\\N\t\tQR-{year}-{first_number + r:06d}\t{status_l[r]}\t"
                f"{time_l[r]}\t\t\\N\t{rinsp[r]}\t\\N\t{rinsp[r]}\t{rpart[r]}\t{rstep[r]}\t{rinsp[r]}\t{rwo[r]}"
                for r in range(R)
            ]
            text_copy(
                cursor,
                "inspections_qualityreport",
                (
                    "id",
                    "created",
                    "updated",
                    "is_archived",
                    "archived_at",
                    "archive_reason",
                    "number",
                    "status",
                    "inspected_at",
                    "notes",
                    "archived_by_id",
                    "created_by_id",
                    "equipment_id",
                    "inspector_id",
                    "part_id",
                    "step_id",
                    "updated_by_id",
                    "work_order_id",
                ),
                lines,
            )
            del lines
        summary.reports = R
        report_numbers_first = first_number

        # --- Measurement results: 10 per report, binary COPY in chunks ---
        K = CHARACTERISTICS_PER_REPORT
        sigma = (usl - lsl) / 8  # Cp about 1.33: values well inside the limits
        failed_char = rng.integers(0, K, R)
        result_first_id = ids["inspections_measurementresult"]
        with _timer(report, f"measurement results ({R * K:,}, binary COPY)"), transaction.atomic():
            columns = "id, created, updated, value, attribute_ok, is_pass, recorded_at, created_by_id, definition_id, updated_by_id, report_id"
            with cursor.copy(
                f"COPY inspections_measurementresult ({columns}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.write(BINARY_HEADER)
                chunk = 100_000
                for start in range(0, R, chunk):
                    stop = min(R, start + chunk)
                    n = stop - start
                    values = np.round(nominal + rng.standard_normal((n, K)) * sigma, 4)
                    np.clip(values, lsl, usl, out=values)
                    fail_rows = np.flatnonzero(report_fail[start:stop])
                    if len(fail_rows):
                        c = failed_char[start:stop][fail_rows]
                        values[fail_rows, c] = np.round(
                            usl[c] + (usl[c] - nominal[c] + 0.01) * (0.2 + rng.random(len(fail_rows))), 4
                        )
                    passed = (values >= lsl) & (values <= usl)
                    when = np.repeat(report_time[start:stop], K)
                    who = np.repeat(inspector_of_part[report_part[start:stop]], K)
                    copy.write(
                        binary_rows(
                            n * K,
                            [
                                ("i8", result_first_id + start * K + np.arange(n * K)),
                                ("ts", when),
                                ("ts", when),
                                ("f8", values.ravel()),
                                ("null", None),
                                ("bool", passed.ravel()),
                                ("ts", when),
                                ("i8", who),
                                ("i8", definition_ids[type_of_part[report_part[start:stop]]].ravel()),
                                ("i8", who),
                                ("i8", np.repeat(report_ids[start:stop], K)),
                            ],
                        )
                    )
                copy.write(BINARY_TRAILER)
        summary.results = R * K

        # --- The step log, binary COPY grouped by the rows' texts ---
        with _timer(report, "step log (binary COPY)"), transaction.atomic():
            columns = "id, kind, status_before, status_after, outcome, time, note, equipment_id, from_step_id, operator_id, part_id, to_step_id"
            bases = {"start": t_start, "insp": t_insp, "insp2": t_insp2, "end": t_end}
            next_id = ids["production_steptransition"]
            with cursor.copy(
                f"COPY production_steptransition ({columns}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.write(BINARY_HEADER)
                for name, rows in LOGS.items():
                    members = np.flatnonzero(category == CODES[name])
                    if not len(members):
                        continue
                    ptype = type_of_part[members]
                    for kind, source, target, before, after, outcome, base, minutes in rows:
                        n = len(members)
                        copy.write(
                            binary_rows(
                                n,
                                [
                                    ("i8", next_id + np.arange(n)),
                                    ("text", kind),
                                    ("text", before),
                                    ("text", after),
                                    ("text", outcome),
                                    ("ts", bases[base][members] + minutes * MINUTE_US),
                                    ("text", ""),
                                    ("null", None),
                                    ("i8", step_ids[ptype, source]),
                                    ("i8", operator_of_part[members]),
                                    ("i8", part_ids[members]),
                                    ("i8", step_ids[ptype, target]) if target is not None else ("null", None),
                                ],
                            )
                        )
                        next_id += n
                        summary.transitions += n
                copy.write(BINARY_TRAILER)

        # --- NCRs of the failed reports ---
        fail_reports = np.flatnonzero(report_fail)
        F = len(fail_reports)
        with _timer(report, f"NCRs ({F:,}, text COPY)"), transaction.atomic():
            first_number = _reserve(_counter_key(NonConformance, now), F)
            ncr_ids = ids["nonconformance_nonconformance"] + np.arange(F)
            f_part = report_part[fail_reports]
            f_cat = category[f_part]
            f_char = failed_char[fail_reports]
            f_time = report_time[fail_reports]
            opened_s, decided_s, closed_s = iso(f_time), iso(f_time + 2 * HOUR_US), iso(f_time + 2 * DAY_US)
            names = list(CATEGORIES)
            qa = people.qa_manager.pk
            lines = []
            for k in range(F):
                i = int(f_part[k])
                t = int(type_of_part[i])
                name = names[int(f_cat[k])]
                code, label, nom, _lower, upper, severity = CHARACTERISTICS[int(f_char[k])]
                opened = updated = opened_s[k]
                decided = closed = rework = decided_by = NULL
                disposition = ""
                if name == "quarantined":
                    status = "open" if k % 3 else "under_review"
                elif name in ("r_needed", "r_progress"):
                    status, disposition, rework = "disposition_decided", "rework", step_ids[t, REWORK]
                    decided, decided_by, updated = decided_s[k], qa, decided_s[k]
                else:  # scrapped, or reworked and inspected again: closed
                    status = "closed"
                    disposition = "scrap" if name == "scrapped" else "rework"
                    rework = step_ids[t, MACHINE] if name == "reworked" else NULL
                    decided, decided_by, closed, updated = decided_s[k], qa, closed_s[k], closed_s[k]
                number = f"NCR-{year}-{first_number + k:04d}"
                report_number = f"QR-{year}-{report_numbers_first + int(fail_reports[k]):06d}"
                inspector = inspector_of_part[i]
                lines.append(
                    f"{ncr_ids[k]}\t{opened}\t{updated}\tf\t\\N\t\t{number}\t"
                    f"{serials[i]} failed Inspect: {code} {label}\tinspection\t{severity}\t"
                    f"Quality report {report_number} failed.\\n{code} {label}: above the upper limit "
                    f"{nom + upper:.3f} mm\t{status}\t1\t{disposition}\t\t{decided}\t\tf\t\t\t{closed}\t"
                    f"\\N\t\\N\t{inspector}\t\\N\t{decided_by}\t{part_ids[i]}\t{type_ids[t]}\t"
                    f"{report_ids[fail_reports[k]]}\t{rework}\t{step_ids[t, INSPECT]}\t\\N\t{inspector}\t"
                    f"{wo_ids[wo_of_part[i]]}"
                )
            text_copy(
                cursor,
                "nonconformance_nonconformance",
                (
                    "id",
                    "created",
                    "updated",
                    "is_archived",
                    "archived_at",
                    "archive_reason",
                    "number",
                    "title",
                    "source",
                    "severity",
                    "description",
                    "status",
                    "quantity",
                    "disposition",
                    "disposition_notes",
                    "disposition_decided_at",
                    "concession_reference",
                    "is_escalated",
                    "escalation_reason",
                    "resolution",
                    "closed_at",
                    "archived_by_id",
                    "assignee_id",
                    "created_by_id",
                    "customer_id",
                    "disposition_decided_by_id",
                    "part_id",
                    "part_type_id",
                    "quality_report_id",
                    "rework_step_id",
                    "step_id",
                    "supplier_id",
                    "updated_by_id",
                    "work_order_id",
                ),
                lines,
            )
        summary.ncrs = F

        for table in BULK_TABLES:
            _set_sequence(cursor, table)
        loader.restore(cursor, validate=validate, report=report)
        with _timer(report, "VACUUM (ANALYZE)"):
            for table in BULK_TABLES:
                cursor.execute(f'VACUUM (ANALYZE) "{table}"')
            cursor.execute("ANALYZE")

    # Samples for the list benchmark: the active work order with the most parts in progress, and
    # a reworked part (two reports, the longest step log).
    active_wo_ids = np.flatnonzero(is_active_wo)
    in_progress = np.bincount(wo_of_part[category == CODES["m_progress"]], minlength=W) + np.bincount(
        wo_of_part[np.isin(category, [CODES["i_progress"], CODES["p_progress"]])], minlength=W
    )
    summary.sample_work_order = int(wo_ids[active_wo_ids[np.argmax(in_progress[active_wo_ids])]])
    reworked_parts = np.flatnonzero(category == CODES["reworked"])
    sample = reworked_parts[len(reworked_parts) // 2] if len(reworked_parts) else N // 2
    summary.sample_part = int(part_ids[sample])
    total = time.perf_counter() - started
    summary.timings.append(("total", total))
    if verbose:
        print(f"    total: {total:.1f} s", flush=True)
    return summary


def describe(summary):
    """A few lines on what was generated."""
    statuses = ", ".join(f"{name} {count:,}" for name, count in summary.by_status.items())
    return (
        f"{summary.parts:,} parts in {summary.work_orders:,} work orders of {len(summary.routings)} part types, "
        f"{summary.reports:,} quality reports, {summary.results:,} measurement results, "
        f"{summary.transitions:,} step-log rows, {summary.ncrs:,} NCRs.\n  Parts by category: {statuses}"
    )


# --- Stand-alone -------------------------------------------------------------------------------

DEFAULT_DATABASE = "postgres"


def add_arguments(parser):
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1,000,000 parts, 10,000,000 results")
    parser.add_argument("--parts", type=int, help="parts (overrides --scale)")
    parser.add_argument("--results", type=int, help="measurement results (overrides --scale)")
    parser.add_argument("--part-types", type=int, default=3)
    parser.add_argument("--work-order-size", type=int, default=500)
    parser.add_argument(
        "--no-validate", dest="validate", action="store_false", help="add the foreign keys NOT VALID"
    )


def sizes_from(options):
    parts = options.parts or round(DEFAULT_PARTS * options.scale)
    results = options.results or round(DEFAULT_RESULTS * options.scale)
    return parts, results


def run(options, database):
    parts, results = sizes_from(options)
    print(f"Generating {parts:,} parts and {results:,} measurement results:")
    summary = generate(
        parts,
        results,
        work_order_size=options.work_order_size,
        part_types=options.part_types,
        validate=options.validate,
    )
    print(describe(summary))


def main(argv=None):
    import argparse

    from benchmarks.harness import run_benchmark

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.production_data", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    add_arguments(parser)
    options = parser.parse_args(argv)
    return run_benchmark("production_data", options.database_url, run, options)


if __name__ == "__main__":
    raise SystemExit(main())
