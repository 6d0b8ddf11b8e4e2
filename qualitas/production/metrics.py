"""Shop-floor measures: work in progress by routing step with its ageing (the WIP page), and the
live KPIs of the big screen. Everything is counted in the database with aggregate queries, over
the records the user may view, so the pages cost the same few queries at a thousand parts as at
a million.

KPIs over a window (``window``: since midnight today, or the last 24 hours), from the step log
(``StepTransition``), rework attempts and NCRs:

    first-pass yield = parts completed in the window without any rework attempt or NCR
                       / parts completed in the window                (Breyfogle 2003, 1.19;
                                                                       ``stats.yields.first_pass_yield``)
    scrap rate       = parts scrapped in the window / parts finished in the window
                       (finished = completed the routing or scrapped; a cancelled part was not made)
    rework rate      = parts started at a step in the window that had a rework attempt in it
                       / parts started at a step in the window

A rate is None when its denominator is zero (nothing to measure yet). An NCR that was cancelled
(raised in error) does not spoil a part's first pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Aggregate, Count, F, FloatField, Min, Q, Window
from django.db.models.functions import Extract, RowNumber
from django.utils import timezone

from qualitas.nonconformance.choices import NonConformanceStatusChoices, SeverityChoices
from qualitas.nonconformance.models import NonConformance, ReworkAttempt
from qualitas.stats.yields import first_pass_yield

from .choices import PartStatusChoices, ProcessStatusChoices, TransitionKindChoices
from .models import Part, Process, Step, StepTransition

#: Ageing buckets of the WIP page: (key, label, at least, less than) the time at the step.
AGE_BUCKETS = (
    ("under_1h", "< 1 h", dt.timedelta(0), dt.timedelta(hours=1)),
    ("from_1h", "1–8 h", dt.timedelta(hours=1), dt.timedelta(hours=8)),
    ("from_8h", "8–24 h", dt.timedelta(hours=8), dt.timedelta(hours=24)),
    ("over_24h", "> 24 h", dt.timedelta(hours=24), None),
)
#: The windows of the big screen.
WINDOWS = {"today": "Today", "24h": "Last 24 hours"}


# --- Work in progress by step ---------------------------------------------------------------------


@dataclass
class StepWip:
    step: Step
    counts: dict = field(default_factory=lambda: dict.fromkeys(PartStatusChoices.WIP, 0))
    buckets: dict = field(default_factory=lambda: {key: 0 for key, *_ in AGE_BUCKETS})
    oldest: dt.timedelta | None = None
    median: dt.timedelta | None = None

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def oldest_label(self):
        return age_label(self.oldest)

    @property
    def median_label(self):
        return age_label(self.median)


def age_label(age):
    """A time at a step in words for the floor: "45 min", "3 h 20 min", "2 d 4 h" ("—" for None)."""
    if age is None:
        return "—"
    minutes = max(0, int(age.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


@dataclass
class RoutingWip:
    process: Process
    steps: list[StepWip]

    @property
    def total(self):
        return sum(step.total for step in self.steps)

    @property
    def counts(self):
        return {status: sum(step.counts[status] for step in self.steps) for status in PartStatusChoices.WIP}


def wip_parts(user, part_type=None, work_center=None, work_order=None):
    """The parts on the shop floor that ``user`` may view, narrowed by the filters."""
    parts = Part.objects.restrict(user, "view").filter(
        status__in=PartStatusChoices.WIP, current_step__isnull=False
    )
    if part_type is not None:
        parts = parts.filter(part_type__lineage=part_type.lineage)
    if work_center is not None:
        parts = parts.filter(current_step__work_center=work_center)
    if work_order is not None:
        parts = parts.filter(work_order=work_order)
    return parts


def wip_by_routing(user, part_type=None, work_center=None, work_order=None, now=None):
    """Every released routing (and every obsolete one that still has parts on the floor) that
    ``user`` may view, each step with its parts by WIP status and their ageing: the time since
    the part reached the step (oldest, median, and counts per ``AGE_BUCKETS``). Four queries."""
    now = now or timezone.now()
    parts = wip_parts(user, part_type, work_center, work_order)
    by_step = _counts_by_step(parts, now)
    medians = _median_entered(parts)
    processes = Process.objects.restrict(user, "view").filter(
        Q(status=ProcessStatusChoices.RELEASED, is_archived=False) | Q(steps__in=list(by_step))
    )
    if part_type is not None:
        processes = processes.filter(part_type__lineage=part_type.lineage)
    if work_order is not None:
        processes = processes.filter(pk=work_order.process_id)
    processes = list(processes.distinct().select_related("part_type").order_by("number", "version"))
    steps = Step.objects.filter(process__in=processes).filter(Q(is_archived=False) | Q(pk__in=list(by_step)))
    if work_center is not None:
        steps = steps.filter(work_center=work_center)
    grouped = {process.pk: [] for process in processes}
    for step in steps.select_related("work_center").order_by("process", "sequence", "pk"):
        wip = by_step.get(step.pk) or StepWip(step)
        wip.step = step
        entered = medians.get(step.pk)
        wip.median = now - entered if entered is not None else None
        grouped[step.process_id].append(wip)
    return [RoutingWip(process, grouped[process.pk]) for process in processes]


def _counts_by_step(parts, now):
    """{step id: StepWip} from one GROUP BY step and status with conditional counts per bucket."""
    aggregates = {"number": Count("pk"), "oldest": Min("step_entered_at")}
    for key, _label, least, below in AGE_BUCKETS:
        condition = Q(step_entered_at__lte=now - least)
        if below is not None:
            condition &= Q(step_entered_at__gt=now - below)
        aggregates[key] = Count("pk", filter=condition)
    rows = parts.values("current_step_id", "status").annotate(**aggregates).order_by()
    found = {}
    for row in rows:
        wip = found.setdefault(row["current_step_id"], StepWip(step=None))
        wip.counts[row["status"]] = row["number"]
        for key, *_ in AGE_BUCKETS:
            wip.buckets[key] += row[key]
        if row["oldest"] is not None:
            age = now - row["oldest"]
            wip.oldest = age if wip.oldest is None else max(wip.oldest, age)
    return found


class MedianEpoch(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median, interpolated between the middle two."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median_entered(parts):
    """{step id: the median time the step's parts arrived} in one query. PostgreSQL computes it
    with ``percentile_cont`` over the arrival times (an index-only scan of the WIP index); other
    databases rank the parts per step by arrival and keep the middle one (or the mean of the
    middle two). Both give the same median."""
    if connections[parts.db].vendor == "postgresql":
        rows = (
            parts.filter(step_entered_at__isnull=False)
            .values("current_step_id")
            .annotate(median=MedianEpoch(Extract("step_entered_at", "epoch")))
            .order_by()
        )
        return {row["current_step_id"]: dt.datetime.fromtimestamp(row["median"], tz=dt.UTC) for row in rows}
    ranked = (
        parts.filter(step_entered_at__isnull=False)
        .annotate(
            # Ties in arrival need no tie-break: any of them gives the same median.
            position=Window(
                RowNumber(), partition_by=[F("current_step_id")], order_by=[F("step_entered_at")]
            ),
            size=Window(Count("pk"), partition_by=[F("current_step_id")]),
        )
        .annotate(doubled=F("position") * 2)
        # The middle of n ranks: 2 x rank between n and n + 2 (one rank when n is odd, two when even).
        .filter(doubled__gte=F("size"), doubled__lte=F("size") + 2)
        .values_list("current_step_id", "step_entered_at")
        .order_by()
    )
    middles = {}
    for step_id, entered in ranked:
        middles.setdefault(step_id, []).append(entered)
    return {step_id: values[0] + (values[-1] - values[0]) / 2 for step_id, values in middles.items()}


# --- KPIs of the big screen ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimeWindow:
    name: str
    label: str
    start: dt.datetime
    end: dt.datetime


def start_of_day(now=None):
    """Midnight of today in the installation's time zone."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def time_window(name="today", now=None):
    """``today`` (since local midnight) or ``24h`` (the last 24 hours), ending at ``now``."""
    now = now or timezone.now()
    if name not in WINDOWS:
        name = "today"
    start = start_of_day(now) if name == "today" else now - dt.timedelta(hours=24)
    return TimeWindow(name, WINDOWS[name], start, now)


@dataclass(frozen=True)
class WorkCenterWip:
    code: str
    name: str
    count: int


@dataclass
class FloorMetrics:
    window: TimeWindow
    completed: int
    first_pass: int
    scrapped: int
    finished: int
    started: int
    reworked: int
    completed_today: int
    wip: int
    wip_by_work_center: list[WorkCenterWip]
    open_ncrs: int
    critical_ncrs: int

    @property
    def first_pass_yield(self):
        """Parts that finished without rework or NCR over the parts that finished (completed or
        scrapped): a scrapped part did not pass first time (FPY = units passing first time /
        units entering the process)."""
        return first_pass_yield(self.finished, self.first_pass) if self.finished else None

    @property
    def scrap_rate(self):
        return self.scrapped / self.finished if self.finished else None

    @property
    def rework_rate(self):
        return self.reworked / self.started if self.started else None


def floor_metrics(user, window="today", now=None):
    """The big screen's KPIs over ``window`` for the parts and NCRs ``user`` may view (three
    queries: the parts that moved in the window, WIP by work centre, open NCRs)."""
    now = now or timezone.now()
    span = time_window(window, now)
    parts = Part.objects.restrict(user, "view")
    flow = part_flow(parts, span.start, now)
    by_center = wip_by_work_center(parts)
    ncrs = open_ncr_counts(NonConformance.objects.restrict(user, "view"))
    return FloorMetrics(
        window=span,
        wip=sum(center.count for center in by_center),
        wip_by_work_center=by_center,
        **flow,
        **ncrs,
    )


def part_flow(parts, start, now):
    """Counts of the parts (of ``parts``) that moved between ``start`` and ``now``, and of those
    completed since midnight, in one query over the step log of that time (its time is indexed).
    Parts with a rework attempt or an NCR are a hashed set, so nothing is looked up per part."""
    kinds = TransitionKindChoices
    today = start_of_day(now)
    log = StepTransition.objects.filter(
        time__gte=min(start, today),
        time__lte=now,
        kind__in=(kinds.FINISHED, kinds.SCRAPPED, kinds.STARTED),
        part__in=parts.values("pk"),
    )
    in_window = Q(time__gte=start)
    completed = in_window & Q(kind=kinds.FINISHED)
    scrapped = in_window & Q(kind=kinds.SCRAPPED)
    started = in_window & Q(kind=kinds.STARTED)
    spoiled = Q(part__in=ReworkAttempt.objects.values("part_id")) | Q(
        part__in=NonConformance.objects.filter(part__isnull=False)
        .exclude(status=NonConformanceStatusChoices.CANCELLED)
        .values("part_id")
    )
    reworked_in_window = Q(
        part__in=ReworkAttempt.objects.filter(started_at__gte=start, started_at__lte=now).values("part_id")
    )

    def parts_where(condition):
        return Count("part", distinct=True, filter=condition)

    counts = log.aggregate(
        completed=parts_where(completed),
        completed_spoiled=parts_where(completed & spoiled),
        scrapped=parts_where(scrapped),
        finished=parts_where(completed | scrapped),
        started=parts_where(started),
        reworked=parts_where(started & reworked_in_window),
        completed_today=parts_where(Q(kind=kinds.FINISHED, time__gte=today)),
    )
    counts["first_pass"] = counts["completed"] - counts.pop("completed_spoiled")
    return counts


def wip_by_work_center(parts):
    """Parts on the shop floor per work centre of their step, by code; the parts at steps without
    a work centre last (code "")."""
    rows = (
        parts.filter(status__in=PartStatusChoices.WIP)
        .values("current_step__work_center__code", "current_step__work_center__name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    centres = [
        WorkCenterWip(
            row["current_step__work_center__code"] or "",
            row["current_step__work_center__name"] or "No work centre",
            row["count"],
        )
        for row in rows
    ]
    # Sorted here: databases disagree on where NULL sorts.
    return sorted(centres, key=lambda centre: (centre.code == "", centre.code))


def open_ncr_counts(ncrs):
    """Open (not closed or cancelled, not archived) NCRs, and how many of them are critical."""
    return ncrs.filter(status__in=NonConformanceStatusChoices.ACTIVE, is_archived=False).aggregate(
        open_ncrs=Count("pk"), critical_ncrs=Count("pk", filter=Q(severity=SeverityChoices.CRITICAL))
    )
