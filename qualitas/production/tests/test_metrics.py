"""The big screen's KPIs and the WIP page's counts (production.metrics), exact on a shop floor
built for the purpose: which parts count, in which window, for whom."""

import datetime as dt

import pytest
from django.utils import timezone

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.nonconformance.choices import NonConformanceStatusChoices as NCRStatus
from qualitas.nonconformance.choices import SeverityChoices
from qualitas.production import metrics
from qualitas.production.actions import CompleteStep, MakeProcessObsolete, MoveToStep, StartStep
from qualitas.production.choices import PartStatusChoices as Status
from qualitas.production.choices import ProcessStatusChoices
from qualitas.production.choices import TransitionKindChoices as Kind
from qualitas.production.models import Process
from qualitas.production.tests.shop_floor import (
    admin,
    customer_user,
    log,
    make_floor,
    make_order,
    make_routing,
    make_work_order,
    ncr_for,
    place,
    rework,
)
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db

#: 14:00 on a Tuesday: "today" began 14 hours ago, the last 24 hours began yesterday at 14:00.
NOW = timezone.make_aware(dt.datetime(2026, 3, 10, 14, 0), dt.UTC)


def at(hours_ago):
    return NOW - dt.timedelta(hours=hours_ago)


@pytest.fixture
def manager():
    return make_user("Production Manager")


@pytest.fixture
def floor():
    return make_floor()


@pytest.fixture
def day(floor, settings):
    """Twelve parts of one work order through a day:

    p1 completed 10:00, clean           p5 completed yesterday 20:00, clean
    p2 completed 11:00 after rework     p6 scrapped 13:00
    p3 completed 12:00 with a (closed) NCR
    p4 completed 12:30, its NCR cancelled (raised in error)
    p7 started 09:00, in progress at Drill      p8 started 28 h ago, pending at Cut
    p9, p10 awaiting QA and quarantined at Inspect, p11 pending at Pack, p12 pending at Cut
    """
    settings.TIME_ZONE = "UTC"
    work_order = make_work_order(floor, quantity=12)
    parts = {
        f"p{index}": part for index, part in enumerate(work_order.parts.order_by("serial_number"), start=1)
    }
    steps = floor.steps
    for name, hours in (("p1", 4), ("p2", 3), ("p3", 2), ("p4", 1.5), ("p5", 18)):
        place(parts[name], steps["Pack"], Status.COMPLETED, at(hours))
        log(parts[name], Kind.FINISHED, at(hours))
    log(parts["p2"], Kind.STARTED, at(6), step=steps["Rework"])
    rework(parts["p2"], steps["Rework"], started_at=at(5))
    ncr_for(parts["p3"], status=NCRStatus.CLOSED)
    ncr_for(parts["p4"], status=NCRStatus.CANCELLED)
    place(parts["p6"], steps["Inspect"], Status.SCRAPPED, at(1))
    log(parts["p6"], Kind.SCRAPPED, at(1))
    place(parts["p7"], steps["Drill"], Status.IN_PROGRESS, at(5))
    log(parts["p7"], Kind.STARTED, at(5))
    place(parts["p8"], steps["Cut"], Status.PENDING, at(28))
    log(parts["p8"], Kind.STARTED, at(28))
    place(parts["p9"], steps["Inspect"], Status.AWAITING_QA, at(0.5))
    place(parts["p10"], steps["Inspect"], Status.QUARANTINED, at(30))
    place(parts["p11"], steps["Pack"], Status.PENDING, at(9))
    place(parts["p12"], steps["Cut"], Status.PENDING, at(2))
    # A log entry after "now" is not counted yet.
    log(parts["p12"], Kind.STARTED, NOW + dt.timedelta(minutes=5))
    ncr_for(parts["p10"], severity=SeverityChoices.CRITICAL, status=NCRStatus.OPEN)
    ncr_for(None, severity=SeverityChoices.MAJOR, status=NCRStatus.UNDER_REVIEW)
    ncr_for(None, severity=SeverityChoices.MINOR, status=NCRStatus.DISPOSITION_DECIDED)
    archived = ncr_for(None, severity=SeverityChoices.CRITICAL, status=NCRStatus.OPEN)
    archived.archive("Raised twice")
    return parts


def test_today_counts_what_happened_since_midnight(manager, day):
    kpis = metrics.floor_metrics(manager, "today", now=NOW)

    assert (kpis.window.start, kpis.window.end) == (at(14), NOW)
    assert (kpis.completed, kpis.first_pass) == (4, 2)  # p1 to p4; p1 and p4 first time
    # First-pass yield counts the scrapped part as not passing: 2 of the 5 that finished.
    assert kpis.first_pass_yield == 0.4
    assert (kpis.scrapped, kpis.finished, kpis.scrap_rate) == (1, 5, 0.2)
    assert (kpis.started, kpis.reworked, kpis.rework_rate) == (2, 1, 0.5)  # p2 and p7; p2
    assert kpis.completed_today == 4


def test_the_last_24_hours_reach_back_into_yesterday(manager, day):
    kpis = metrics.floor_metrics(manager, "24h", now=NOW)

    assert kpis.window.start == at(24)
    assert (kpis.completed, kpis.first_pass) == (5, 3)  # and p5, clean
    assert kpis.first_pass_yield == 0.5  # 3 of the 6 that finished
    assert (kpis.scrapped, kpis.finished) == (1, 6)
    assert kpis.scrap_rate == pytest.approx(1 / 6)
    assert (kpis.started, kpis.reworked) == (2, 1)  # p8 started 28 hours ago
    assert kpis.completed_today == 4


def test_wip_open_ncrs_and_wip_by_work_centre(manager, day):
    kpis = metrics.floor_metrics(manager, "today", now=NOW)

    assert kpis.wip == 6  # p7 to p12
    assert [(c.code, c.name, c.count) for c in kpis.wip_by_work_center] == [
        ("CNC-1", "CNC mill", 3),  # p7, p8, p12
        ("QC", "Quality lab", 2),  # p9, p10
        ("", "No work centre", 1),  # p11 at Pack
    ]
    # Open, under review and decided; not the closed, the cancelled or the archived one.
    assert (kpis.open_ncrs, kpis.critical_ncrs) == (3, 1)


def test_rates_are_none_before_anything_happened(manager, floor):
    make_work_order(floor, quantity=2)

    kpis = metrics.floor_metrics(manager, "today", now=NOW)

    assert (kpis.completed, kpis.finished, kpis.started) == (0, 0, 0)
    assert (kpis.first_pass_yield, kpis.scrap_rate, kpis.rework_rate) == (None, None, None)
    assert kpis.wip == 2


def test_today_begins_at_local_midnight(manager, floor, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    part = make_work_order(floor, quantity=1).parts.get()
    # 23:30 UTC on the 9th is 00:30 on the 10th in Berlin: today there, yesterday in UTC.
    late = timezone.make_aware(dt.datetime(2026, 3, 9, 23, 30), dt.UTC)
    place(part, floor.steps["Pack"], Status.COMPLETED, late)
    log(part, Kind.FINISHED, late)

    kpis = metrics.floor_metrics(manager, "today", now=NOW)

    assert kpis.window.start == timezone.make_aware(dt.datetime(2026, 3, 9, 23, 0), dt.UTC)
    assert (kpis.completed, kpis.completed_today) == (1, 1)


def test_an_unknown_window_is_today(manager, day):
    assert metrics.floor_metrics(manager, "week", now=NOW).window.name == "today"


def test_the_real_station_flow_is_counted(manager, floor):
    """Parts moved by the actions (not set up by hand) count the same way."""
    operator = make_user("Production Operator")
    first, second = make_work_order(floor, quantity=2).parts.order_by("serial_number")
    StartStep(first, operator).execute()
    CompleteStep(first, operator).execute()
    MoveToStep(first, operator).execute()
    StartStep(second, operator).execute()

    kpis = metrics.floor_metrics(manager, "today", now=timezone.now())

    assert (kpis.started, kpis.reworked, kpis.completed) == (2, 0, 0)
    assert kpis.wip == 2
    assert [(c.code, c.count) for c in kpis.wip_by_work_center] == [("CNC-1", 2)]


def test_a_customer_counts_only_the_parts_and_ncrs_of_their_company(floor, day):
    acme = make_company(name="Acme", kind=CompanyKindChoices.CUSTOMER)
    order = make_order(acme, floor.part_type)
    theirs = make_work_order(floor, quantity=2, order_line=order.lines.get())
    first, second = theirs.parts.order_by("serial_number")
    place(first, floor.steps["Pack"], Status.COMPLETED, at(1))
    log(first, Kind.FINISHED, at(1))
    ncr_for(second, customer=acme, severity=SeverityChoices.CRITICAL)
    customer = customer_user(acme, "production.view_part", "nonconformance.view_nonconformance")

    kpis = metrics.floor_metrics(customer, "today", now=NOW)

    assert (kpis.completed, kpis.first_pass, kpis.first_pass_yield) == (1, 1, 1.0)
    assert (kpis.scrapped, kpis.started) == (0, 0)
    assert kpis.wip == 1
    assert (kpis.open_ncrs, kpis.critical_ncrs) == (1, 1)


def test_without_permissions_everything_is_zero(day):
    nobody = make_user()

    kpis = metrics.floor_metrics(nobody, "today", now=NOW)

    assert (kpis.completed, kpis.wip, kpis.open_ncrs, kpis.wip_by_work_center) == (0, 0, 0, [])


def test_the_kpis_cost_three_queries(manager, day, django_assert_num_queries):
    manager.has_perm("production.view_part")  # permissions cached, as in a request
    with django_assert_num_queries(3):
        metrics.floor_metrics(manager, "today", now=NOW)


# --- WIP by routing step ---------------------------------------------------------------------------


def step_rows(routings):
    return {
        (routing.process.number, wip.step.name): (
            {status: count for status, count in wip.counts.items() if count},
            wip.buckets,
            wip.oldest,
            wip.median,
        )
        for routing in routings
        for wip in routing.steps
    }


def test_wip_by_step_and_status_with_ageing(manager, floor, day):
    routings = metrics.wip_by_routing(manager, now=NOW)

    assert [routing.process for routing in routings] == [floor.process]
    assert [wip.step.name for wip in routings[0].steps] == ["Cut", "Drill", "Inspect", "Rework", "Pack"]
    buckets = lambda a, b, c, d: {"under_1h": a, "from_1h": b, "from_8h": c, "over_24h": d}  # noqa: E731
    hours = lambda value: dt.timedelta(hours=value)  # noqa: E731
    number = floor.process.number
    assert step_rows(routings) == {
        # p8 (28 h) and p12 (2 h): the median is halfway, 15 h.
        (number, "Cut"): ({Status.PENDING: 2}, buckets(0, 1, 0, 1), hours(28), hours(15)),
        (number, "Drill"): ({Status.IN_PROGRESS: 1}, buckets(0, 1, 0, 0), hours(5), hours(5)),
        (number, "Inspect"): (
            {Status.AWAITING_QA: 1, Status.QUARANTINED: 1},
            buckets(1, 0, 0, 1),
            hours(30),
            hours(15.25),
        ),
        (number, "Rework"): ({}, buckets(0, 0, 0, 0), None, None),
        # Completed and scrapped parts are not WIP.
        (number, "Pack"): ({Status.PENDING: 1}, buckets(0, 0, 1, 0), hours(9), hours(9)),
    }
    assert routings[0].total == 6


def test_the_median_of_an_odd_number_is_the_middle_part(manager, floor):
    parts = list(make_work_order(floor, quantity=5).parts.order_by("serial_number"))
    for part, hours in zip(parts, (1, 2, 3, 10, 50), strict=True):
        place(part, floor.steps["Drill"], Status.PENDING, at(hours))

    (routing,) = metrics.wip_by_routing(manager, now=NOW)
    drill = next(wip for wip in routing.steps if wip.step.name == "Drill")

    assert (drill.total, drill.median, drill.oldest) == (5, dt.timedelta(hours=3), dt.timedelta(hours=50))


def test_bucket_edges_belong_to_the_older_bucket(manager, floor):
    parts = list(make_work_order(floor, quantity=4).parts.order_by("serial_number"))
    for part, hours in zip(parts, (1, 8, 24, 0), strict=True):
        place(part, floor.steps["Drill"], Status.PENDING, at(hours))

    (routing,) = metrics.wip_by_routing(manager, now=NOW)
    drill = next(wip for wip in routing.steps if wip.step.name == "Drill")

    assert drill.buckets == {"under_1h": 1, "from_1h": 1, "from_8h": 1, "over_24h": 1}


def test_an_obsolete_routing_is_shown_while_it_has_wip(manager, floor):
    old_parts = make_work_order(floor, quantity=2).parts.all()
    newer, _steps = make_routing(floor.part_type, name="Bracket machining v2")
    MakeProcessObsolete(floor.process, admin()).execute(reason="Replaced by the new routing")
    floor.process.refresh_from_db()
    assert floor.process.status == ProcessStatusChoices.OBSOLETE
    make_routing(floor.part_type, name="Never released", release=False)

    routings = metrics.wip_by_routing(manager, now=NOW)
    assert [routing.process for routing in routings] == [floor.process, newer]
    assert [routing.total for routing in routings] == [2, 0]

    for part in old_parts:
        place(part, None, Status.COMPLETED, NOW)
    assert [routing.process for routing in metrics.wip_by_routing(manager, now=NOW)] == [newer]


def test_filters_by_part_type_work_centre_and_work_order(manager, floor, day):
    other = make_floor(part_number="SH-300", prefix="SH-")
    other_order = make_work_order(other, quantity=3)
    work_order = day["p1"].work_order

    by_type = metrics.wip_by_routing(manager, part_type=other.part_type, now=NOW)
    assert [(r.process, r.total) for r in by_type] == [(other.process, 3)]

    qc = floor.centres["QC"]
    by_centre = metrics.wip_by_routing(manager, work_center=qc, now=NOW)
    assert [(r.process, [w.step.name for w in r.steps], r.total) for r in by_centre] == [
        (floor.process, ["Inspect"], 2),
        (other.process, ["Inspect"], 0),
    ]

    by_order = metrics.wip_by_routing(manager, work_order=other_order, now=NOW)
    assert [(r.process, r.total) for r in by_order] == [(other.process, 3)]
    assert metrics.wip_by_routing(manager, work_order=work_order, now=NOW)[0].total == 6


def test_wip_for_a_customer_is_their_parts_only(floor, day):
    acme = make_company(name="Acme", kind=CompanyKindChoices.CUSTOMER)
    order = make_order(acme, floor.part_type)
    make_work_order(floor, quantity=2, order_line=order.lines.get())
    floor.part_type.customer = acme
    floor.part_type.save()
    customer = customer_user(acme, "production.view_part", "production.view_process")

    (routing,) = metrics.wip_by_routing(customer, now=NOW)

    assert routing.total == 2
    assert routing.counts[Status.PENDING] == 2


def test_routings_the_user_may_not_view_are_left_out(floor, day):
    operator_without_routings = make_user()
    assert metrics.wip_by_routing(operator_without_routings, now=NOW) == []
    assert Process.objects.count() == 1
