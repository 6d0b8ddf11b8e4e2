"""The figures of the NCR analysis and the defect Pareto (``nonconformance.analysis``), with exact
expected numbers."""

import datetime

import pytest
from django.utils import timezone

from qualitas.inspections import services
from qualitas.inspections.models import QualityReport
from qualitas.inspections.tests import factories
from qualitas.nonconformance import analysis
from qualitas.nonconformance.analysis import AgeingRow, ParetoRow, Week
from qualitas.nonconformance.choices import NonConformanceStatusChoices
from qualitas.nonconformance.models import NonConformance
from qualitas.production.actions import ReleaseProcess
from qualitas.production.services import revise_process

pytestmark = pytest.mark.django_db

#: A Wednesday, so that weeks start on the Monday before.
TODAY = datetime.date(2026, 3, 18)


def at(day, hour=12):
    """Noon (local time) on ``day``: far from the midnight where a week starts."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def ncr(created, closed=None, status=None, **fields):
    record = factories.make_ncr(**fields)
    changes = {"created": at(created)}
    if closed is not None:
        changes.update(closed_at=at(closed), status=NonConformanceStatusChoices.CLOSED)
    if status is not None:
        changes["status"] = status
    NonConformance._base_manager.filter(pk=record.pk).update(**changes)
    return record


def days_before(days):
    return TODAY - datetime.timedelta(days=days)


# --- Trend ---------------------------------------------------------------------------------------


def test_weeks_ending():
    assert analysis.monday(TODAY) == datetime.date(2026, 3, 16)
    assert analysis.weeks_ending(TODAY) == datetime.date(2025, 9, 22)
    assert analysis.weeks_ending(TODAY, 4) == datetime.date(2026, 2, 23)


def test_weekly_trend():
    # Given NCRs opened and closed around four weeks (Monday 23 February to Sunday 22 March)
    ncr(datetime.date(2026, 3, 16))  # this week's Monday
    ncr(datetime.date(2026, 3, 18))
    ncr(datetime.date(2026, 3, 4), closed=datetime.date(2026, 3, 17))
    ncr(datetime.date(2025, 12, 1), closed=datetime.date(2026, 2, 27))  # opened before the range
    ncr(datetime.date(2026, 2, 22))  # the Sunday before the range
    ncr(
        datetime.date(2026, 2, 23), closed=datetime.date(2026, 3, 1)
    )  # the range's first day, closed on Sunday
    # When the trend of four weeks to today is counted
    weeks = analysis.weekly_trend(NonConformance.objects.all(), datetime.date(2026, 2, 25), TODAY)
    # Then each week counts the NCRs opened and closed in it
    assert weeks == [
        Week(datetime.date(2026, 2, 23), created=1, closed=2),
        Week(datetime.date(2026, 3, 2), created=1, closed=0),
        Week(datetime.date(2026, 3, 9), created=0, closed=0),
        Week(datetime.date(2026, 3, 16), created=2, closed=1),
    ]


def test_weekly_trend_counts_only_the_queryset():
    mine = ncr(datetime.date(2026, 3, 17), title="Mine")
    ncr(datetime.date(2026, 3, 17), title="Theirs")
    weeks = analysis.weekly_trend(NonConformance.objects.filter(pk=mine.pk), TODAY, TODAY)
    assert weeks == [Week(datetime.date(2026, 3, 16), created=1, closed=0)]


# --- Ageing --------------------------------------------------------------------------------------


def test_open_ageing_by_bucket_and_severity():
    # Given open NCRs at the edges of each age bucket, and NCRs no longer open
    for days, severity in [
        (0, "critical"),
        (7, "major"),
        (8, "major"),
        (30, "minor"),
        (31, "critical"),
        (90, "critical"),
        (91, "minor"),
        (400, "minor"),
    ]:
        ncr(days_before(days), severity=severity)
    ncr(days_before(2), severity="critical", status=NonConformanceStatusChoices.UNDER_REVIEW)
    ncr(days_before(3), severity="critical", closed=TODAY)
    ncr(days_before(4), severity="critical", status=NonConformanceStatusChoices.CANCELLED)
    # When the open NCRs are aged on TODAY
    rows = analysis.open_ageing(NonConformance.objects.all(), TODAY)
    # Then (critical, major, minor) per bucket
    assert rows == [
        AgeingRow("0–7 days", [2, 1, 0], 3),
        AgeingRow("8–30 days", [0, 1, 1], 2),
        AgeingRow("31–90 days", [2, 0, 0], 2),
        AgeingRow("over 90 days", [0, 0, 2], 2),
    ]


def test_open_ageing_of_nothing():
    assert [row.total for row in analysis.open_ageing(NonConformance.objects.none(), TODAY)] == [0, 0, 0, 0]


# --- Dispositions --------------------------------------------------------------------------------


def test_disposition_breakdown():
    for disposition in ("rework", "rework", "scrap", "use_as_is", ""):
        record = ncr(TODAY)
        NonConformance._base_manager.filter(pk=record.pk).update(disposition=disposition)
    cancelled = ncr(TODAY, status=NonConformanceStatusChoices.CANCELLED)
    NonConformance._base_manager.filter(pk=cancelled.pk).update(disposition="scrap")
    shares = analysis.disposition_breakdown(NonConformance.objects.all())
    assert [(share.value, share.label, share.count) for share in shares] == [
        ("", "Not decided", 1),
        ("rework", "Rework", 2),
        ("repair", "Repair", 0),
        ("scrap", "Scrap", 1),
        ("use_as_is", "Use as is", 1),
        ("return_to_supplier", "Return to supplier", 0),
    ]
    assert shares[1].color == "warning"


# --- Pareto --------------------------------------------------------------------------------------


def test_pareto_shares():
    assert analysis.pareto([("A", 5, ""), ("B", 2, ""), ("C", 1, "x")]) == [
        ParetoRow("A", 5, 62.5, 62.5),
        ParetoRow("B", 2, 25.0, 87.5),
        ParetoRow("C", 1, 12.5, 100.0, "x"),
    ]
    assert analysis.pareto([]) == []


def test_defect_pareto_sums_quantities_by_error_type():
    # Given defects on three reports, and a report outside the queryset
    line = factories.shop()
    dent = factories.make_error_type(None, code="DNT", name="Dent")
    burr = factories.make_error_type(line.part_type, code="BUR", name="Burr")
    factories.make_report(defects=[{"error_type": line.scratch.pk, "quantity": 3}, {"error_type": dent.pk}])
    factories.make_report(defects=[{"error_type": line.scratch.pk, "quantity": 2}])
    factories.make_report(defects=[{"error_type": burr.pk, "quantity": 2}])
    outside = factories.make_report(defects=[{"error_type": dent.pk, "quantity": 9}])
    reports = QualityReport.objects.exclude(pk=outside.pk)
    # Then: scratch 5, burr 2, dent 1 (a tie between equal totals goes by code)
    assert analysis.defect_pareto(reports) == [
        ParetoRow("SCR Scratch", 5, 62.5, 62.5, line.part_type.part_number),
        ParetoRow("BUR Burr", 2, 25.0, 87.5, line.part_type.part_number),
        ParetoRow("DNT Dent", 1, 12.5, 100.0, "every part type"),
    ]


def test_failed_characteristic_pareto_counts_revisions_of_a_characteristic_as_one():
    # Given failed results on the routing and on its revision (whose characteristics are copies)
    line = factories.shop()
    factories.make_report(diameter=25.2)
    factories.make_report(diameter=25.2, surface=False)
    factories.make_report(diameter=25.0, surface=False)
    factories.make_report(diameter=25.0)  # passed: not counted
    revision = revise_process(line.process)
    ReleaseProcess(revision, factories.factory_user()).execute()
    inspection = revision.steps.get(name="Final inspection")
    part = factories.at_step(factories.make_part(process=revision), inspection)
    diameter = inspection.measurements.get(code="C1")
    surface = inspection.measurements.get(code="C2")
    assert diameter.pk != line.diameter.pk
    services.record_report(
        part,
        inspection,
        factories.factory_user(),
        results=[
            {"definition": diameter.pk, "value": 24.9},
            {"definition": surface.pk, "attribute_ok": True},
        ],
    )
    # Then the bore diameter failed three times, the surface twice
    where = f"{line.part_type.part_number} · Final inspection"
    assert analysis.failed_characteristic_pareto(QualityReport.objects.all()) == [
        ParetoRow("C1 Bore diameter", 3, 60.0, 60.0, where),
        ParetoRow("C2 Surface finish", 2, 40.0, 100.0, where),
    ]
