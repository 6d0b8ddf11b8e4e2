"""The figures of the NCR analysis and the defect Pareto pages: pure queries over the querysets the
caller passes in (already scoped to what the user may see, and filtered).

Weeks run Monday to Sunday in the installation's time zone, as Django's ``TruncWeek`` counts them.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, DateField, IntegerField, Sum, Value, When
from django.db.models.functions import TruncWeek

from qualitas.inspections.models import MeasurementResult, ReportDefect

from .choices import DispositionChoices, NonConformanceStatusChoices, SeverityChoices

# --- Trend ---------------------------------------------------------------------------------------


@dataclass
class Week:
    start: datetime.date
    created: int
    closed: int


def monday(day):
    return day - datetime.timedelta(days=day.weekday())


def weeks_ending(end, count=26):
    """The first day of the ``count`` weeks that end with the week of ``end``."""
    return monday(end) - datetime.timedelta(weeks=count - 1)


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def _per_week(queryset, field, first, last):
    rows = (
        queryset.filter(**{f"{field}__date__gte": first, f"{field}__date__lte": last})
        .annotate(week=TruncWeek(field, output_field=DateField()))
        .values("week")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {_as_date(row["week"]): row["count"] for row in rows}


def weekly_trend(ncrs, start, end):
    """Per week from the week of ``start`` to the week of ``end`` (both dates included): the NCRs
    opened (``created``) and the NCRs closed (``closed_at``) in it. Weeks without either are
    listed with zeros."""
    first = monday(start)
    last = monday(end) + datetime.timedelta(days=6)
    created = _per_week(ncrs, "created", first, last)
    closed = _per_week(ncrs.filter(closed_at__isnull=False), "closed_at", first, last)
    weeks = []
    week = first
    while week <= end:
        weeks.append(Week(week, created.get(week, 0), closed.get(week, 0)))
        week += datetime.timedelta(weeks=1)
    return weeks


# --- Ageing --------------------------------------------------------------------------------------

#: (label, oldest age in days in the bucket); the last bucket has no upper bound.
AGE_BUCKETS = (("0–7 days", 7), ("8–30 days", 30), ("31–90 days", 90), ("over 90 days", None))


@dataclass
class AgeingRow:
    label: str
    counts: list  # one per severity, in SeverityChoices.ORDER
    total: int


def open_ageing(ncrs, today):
    """Open NCRs (every status before closed or cancelled) by age and severity. The age is whole
    days from the day an NCR was opened to ``today``: 0–7, 8–30, 31–90 and over 90 days. Returns
    one AgeingRow per bucket, youngest first."""
    bucket = Case(
        *(
            When(created__date__gte=today - datetime.timedelta(days=oldest), then=Value(index))
            for index, (_label, oldest) in enumerate(AGE_BUCKETS)
            if oldest is not None
        ),
        default=Value(len(AGE_BUCKETS) - 1),
        output_field=IntegerField(),
    )
    rows = (
        ncrs.filter(status__in=NonConformanceStatusChoices.ACTIVE)
        .annotate(bucket=bucket)
        .values("bucket", "severity")
        .annotate(count=Count("pk"))
        .order_by()
    )
    found = {(row["bucket"], row["severity"]): row["count"] for row in rows}
    result = []
    for index, (label, _oldest) in enumerate(AGE_BUCKETS):
        counts = [found.get((index, severity), 0) for severity in SeverityChoices.ORDER]
        result.append(AgeingRow(label, counts, sum(counts)))
    return result


# --- Dispositions --------------------------------------------------------------------------------


@dataclass
class Share:
    value: str
    label: str
    color: str
    count: int


def disposition_breakdown(ncrs):
    """NCRs by disposition, in the order of DispositionChoices (not decided first), cancelled NCRs
    left out. Every disposition is listed, with 0 when none has it."""
    rows = (
        ncrs.exclude(status=NonConformanceStatusChoices.CANCELLED)
        .values("disposition")
        .annotate(count=Count("pk"))
        .order_by()
    )
    found = {row["disposition"]: row["count"] for row in rows}
    return [
        Share(value, label, DispositionChoices.color(value), found.get(value, 0))
        for value, label in DispositionChoices.choices()
    ]


# --- Pareto --------------------------------------------------------------------------------------


@dataclass
class ParetoRow:
    label: str
    count: int
    percent: float
    cumulative_percent: float
    detail: str = ""


def pareto(rows):
    """``(label, count, detail)`` rows, largest count first, with each row's share of the total
    and the running (cumulative) share, in percent."""
    total = sum(count for _label, count, _detail in rows)
    result, running = [], 0
    for label, count, detail in rows:
        running += count
        result.append(
            ParetoRow(
                label=label,
                count=count,
                percent=100.0 * count / total if total else 0.0,
                cumulative_percent=100.0 * running / total if total else 0.0,
                detail=detail,
            )
        )
    return result


def defect_pareto(reports):
    """Defects named on ``reports`` by error type: the summed quantities, largest first (ties by
    error-type code)."""
    rows = (
        ReportDefect.objects.filter(report__in=reports)
        .values("error_type", "error_type__code", "error_type__name", "error_type__part_type__part_number")
        .annotate(total=Sum("quantity"))
        .order_by("-total", "error_type__code", "error_type")
    )
    return pareto(
        [
            (
                f"{row['error_type__code']} {row['error_type__name']}",
                row["total"],
                row["error_type__part_type__part_number"] or "every part type",
            )
            for row in rows
        ]
    )


def failed_characteristic_pareto(reports):
    """Failed results on ``reports`` by characteristic, largest first. The copies of a
    characteristic that routing revisions make count as one: they are told apart by part number,
    step name, code and name."""
    keys = (
        "definition__step__process__part_type__part_number",
        "definition__step__name",
        "definition__code",
        "definition__name",
    )
    rows = (
        MeasurementResult.objects.filter(report__in=reports, is_pass=False)
        .values(*keys)
        .annotate(total=Count("pk"))
        .order_by("-total", *keys)
    )
    return pareto(
        [
            (
                f"{row['definition__code']} {row['definition__name']}".strip(),
                row["total"],
                f"{row['definition__step__process__part_type__part_number']} · {row['definition__step__name']}",
            )
            for row in rows
        ]
    )
