"""The WIP page and the big screen: who may see them, what they count (exactly, and for a customer
only their own parts), where each count leads, and their pinned query counts."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.nonconformance.choices import SeverityChoices
from qualitas.production.choices import PartStatusChoices as Status
from qualitas.production.choices import TransitionKindChoices as Kind
from qualitas.production.tests.shop_floor import (
    customer_user,
    log,
    make_floor,
    make_order,
    make_work_order,
    ncr_for,
    place,
)
from qualitas.testing.factories import PASSWORD, make_company, make_user
from qualitas.testing.queries import assert_constant_and_pinned

pytestmark = pytest.mark.django_db

WIP = reverse("production:wip")
BIG_SCREEN = reverse("production:big_screen")
KPIS = reverse("production:big_screen_kpis")
PARTS = reverse("production:part_list")


class Pins:
    """Pinned query counts live in this folder's query_counts.json."""


def ago(hours):
    return timezone.now() - dt.timedelta(hours=hours)


@pytest.fixture
def floor():
    return make_floor()


@pytest.fixture
def shop(floor):
    """Six parts on the floor and two completed a moment ago:

    Cut: two pending (2 h, 30 h)    Drill: one in progress (30 min)    Rework: one in rework (5 h)
    Inspect: one quarantined (10 h) with a critical NCR    Pack: one pending (3 h), two completed
    """
    work_order = make_work_order(floor, quantity=8)
    parts = list(work_order.parts.order_by("serial_number"))
    steps = floor.steps
    place(parts[0], steps["Cut"], Status.PENDING, ago(2))
    place(parts[1], steps["Cut"], Status.PENDING, ago(30))
    place(parts[2], steps["Drill"], Status.IN_PROGRESS, ago(0.5))
    log(parts[2], Kind.STARTED, ago(0.5))
    place(parts[3], steps["Inspect"], Status.QUARANTINED, ago(10))
    ncr_for(parts[3], severity=SeverityChoices.CRITICAL)
    place(parts[4], steps["Rework"], Status.IN_REWORK, ago(5))
    place(parts[5], steps["Pack"], Status.PENDING, ago(3))
    for part in parts[6:]:
        place(part, steps["Pack"], Status.COMPLETED, ago(0.01))
        log(part, Kind.FINISHED, ago(0.01))
    return parts


def sign_in(client, user):
    client.login(email=user.email, password=PASSWORD)
    return user


@pytest.fixture
def operator(client):
    return sign_in(client, make_user("Production Operator"))


def cell(html, step, status):
    """The text of the WIP table's cell for ``step`` and ``status`` (a status or "total")."""
    row = re.search(rf'<tr data-step="{step.pk}">(.*?)</tr>', html, re.S).group(1)
    found = re.search(rf'data-status="{status}">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"<[^>]+>", "", found).strip()


def ageing(html, step, key):
    row = re.search(rf'<tr data-step="{step.pk}">(.*?)</tr>', html, re.S).group(1)
    found = re.search(rf'data-(?:age|bucket)="{key}">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"<[^>]+>", "", found).strip()


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [WIP, BIG_SCREEN])
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_a_signed_out_big_screen_asks_for_the_sign_in_instead_of_polling_it(client):
    response = client.get(KPIS, headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == f"{reverse('accounts:login')}?next={BIG_SCREEN}"


@pytest.mark.parametrize("url", [WIP, BIG_SCREEN, KPIS])
def test_without_permission_to_view_parts_the_pages_are_refused(client, url):
    sign_in(client, make_user())
    assert client.get(url).status_code == 403


def test_the_menu_links_to_both_pages(client, operator):
    html = client.get("/").content.decode()
    assert f'href="{WIP}"' in html and f'href="{BIG_SCREEN}"' in html
    assert f'href="{reverse("production:workorder_import")}"' not in html  # operators add no work orders


# --- The WIP page ----------------------------------------------------------------------------------


def test_the_wip_page_counts_each_step_by_status_and_age(client, operator, floor, shop):
    response = client.get(WIP)

    assert response.status_code == 200
    html = response.content.decode()
    steps = floor.steps
    assert (cell(html, steps["Cut"], "pending"), cell(html, steps["Cut"], "total")) == ("2", "2")
    assert cell(html, steps["Drill"], "in_progress") == "1"
    assert cell(html, steps["Inspect"], "quarantined") == "1"
    assert cell(html, steps["Rework"], "in_rework") == "1"
    assert (cell(html, steps["Pack"], "pending"), cell(html, steps["Pack"], "total")) == ("1", "1")
    assert cell(html, steps["Pack"], "passed_step") == "0"
    assert [ageing(html, steps["Cut"], key) for key in ("under_1h", "from_1h", "from_8h", "over_24h")] == [
        "0",
        "1",
        "0",
        "1",
    ]
    assert ageing(html, steps["Cut"], "oldest") == "1 d 6 h"
    assert ageing(html, steps["Cut"], "median") == "16 h 0 min"
    assert ageing(html, steps["Drill"], "oldest") == "30 min"
    assert ageing(html, steps["Rework"], "median") == "5 h 0 min"
    assert "6 parts on the shop floor" in html


def test_each_count_opens_the_parts_behind_it(client, operator, floor, shop):
    html = client.get(WIP).content.decode()
    cut = floor.steps["Cut"]
    link = f"{PARTS}?current_step={cut.pk}&amp;status=pending"
    assert f'<a href="{link}">2</a>' in html

    listed = client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert sorted(part.serial_number for part in listed.context["page"].object_list) == [
        shop[0].serial_number,
        shop[1].serial_number,
    ]
    total = client.get(PARTS, {"current_step": floor.steps["Pack"].pk, "status": list(Status.WIP)})
    assert [part.serial_number for part in total.context["page"].object_list] == [shop[5].serial_number]


def test_the_wip_page_filters(client, operator, floor, shop):
    other = make_floor(part_number="SH-300", prefix="SH-")
    other_order = make_work_order(other, quantity=4)

    by_type = client.get(WIP, {"part_type": other.part_type.pk}).context["routings"]
    assert [(routing.process, routing.total) for routing in by_type] == [(other.process, 4)]

    by_centre = client.get(WIP, {"work_center": floor.centres["CNC-1"].pk}).context["routings"]
    assert [(r.process, [w.step.name for w in r.steps], r.total) for r in by_centre] == [
        (floor.process, ["Cut", "Drill", "Rework"], 4),
        (other.process, ["Cut", "Drill", "Rework"], 4),
    ]

    response = client.get(WIP, {"work_order": other_order.pk})
    assert [(r.process, r.total) for r in response.context["routings"]] == [(other.process, 4)]
    # The links keep the work order.
    assert f"work_order={other_order.pk}" in response.content.decode()

    refused = client.get(WIP, {"work_order": 999_999})
    assert refused.status_code == 200 and refused.context["routings"] == []
    assert "Select a valid choice" in refused.content.decode()


def test_a_customer_sees_only_their_own_parts(client, floor, shop):
    acme = make_company(name="Acme", kind=CompanyKindChoices.CUSTOMER)
    order = make_order(acme, floor.part_type)
    theirs = make_work_order(floor, quantity=3, order_line=order.lines.get())
    floor.part_type.customer = acme
    floor.part_type.save()
    other = make_floor(part_number="SH-300", prefix="SH-")
    make_work_order(other, quantity=4)
    sign_in(
        client,
        customer_user(acme, "production.view_part", "production.view_process", "production.view_parttype"),
    )

    response = client.get(WIP)

    assert response.status_code == 200
    routings = response.context["routings"]
    assert [(routing.process, routing.total) for routing in routings] == [(floor.process, 3)]
    assert cell(response.content.decode(), floor.steps["Cut"], "pending") == "3"
    assert set(theirs.parts.values_list("status", flat=True)) == {Status.PENDING}
    form = response.context["form"]
    assert list(form.fields["part_type"].queryset) == [floor.part_type]


def test_the_wip_page_runs_a_constant_pinned_number_of_queries(client, floor):
    user = sign_in(client, make_user("Production Manager"))
    work_order = make_work_order(floor, quantity=30)
    parts = list(work_order.parts.order_by("serial_number"))
    statuses = list(Status.WIP)
    steps = list(floor.steps.values())

    def make_rows(total):
        for index, part in enumerate(parts[:total]):
            place(part, steps[index % len(steps)], statuses[index % len(statuses)], ago(index))

    assert user.is_authenticated
    assert_constant_and_pinned(Pins(), "page production.wip", make_rows, lambda: client.get(WIP))


# --- The big screen ---------------------------------------------------------------------------------


def tile(html, key):
    """The value shown on the big screen's tile ``key``, its unit after a space ("96.2 %")."""
    found = re.search(
        rf'data-kpi="{key}">\s*<div class="kpi-label">.*?</div>\s*<div class="kpi-value">(.*?)</div>',
        html,
        re.S,
    )
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_big_screen_is_a_dark_page_without_navigation_that_polls_its_kpis(client, operator, shop):
    response = client.get(BIG_SCREEN)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en" data-bs-theme="dark">' in html
    assert "navbar" not in html and "global-search" not in html
    assert f'hx-get="{KPIS}?window=today" hx-trigger="every 15s" hx-swap="outerHTML"' in html
    assert tile(html, "wip") == "6"


def test_the_kpi_fragment_counts_exactly(client, operator, shop):
    response = client.get(KPIS, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert 'id="big-screen-kpis"' in html
    assert "<html" not in html  # a fragment, swapped into the page
    assert tile(html, "first-pass-yield") == "100.0 %"  # two completed, neither reworked nor with an NCR
    assert tile(html, "scrap-rate") == "0.0 %"
    assert tile(html, "rework-rate") == "0.0 %"  # one part started today, not reworked
    assert tile(html, "open-ncrs") == "1"
    assert 'data-kpi="open-ncrs"' in html and "kpi-tile is-alert" in html  # it is critical
    assert tile(html, "wip") == "6"
    assert tile(html, "completed-today") == "2"
    centres = re.findall(r'data-centre="([^"]*)">.*?<div class="centre-count">(\d+)</div>', html, re.S)
    assert centres == [("CNC-1", "4"), ("QC", "1"), ("", "1")]


def test_the_fragment_keeps_the_window(client, operator, shop):
    html = client.get(KPIS, {"window": "24h"}).content.decode()
    assert f'hx-get="{KPIS}?window=24h"' in html
    assert "Last 24 hours" in html


def test_polling_the_kpis_does_not_keep_the_session_alive(client, operator, shop):
    assert settings.SESSION_COOKIE_NAME in client.get(BIG_SCREEN).cookies  # a page renews it
    response = client.get(KPIS, headers={"HX-Request": "true"})
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_customer_big_screen_counts_only_their_parts(client, floor, shop):
    acme = make_company(name="Acme", kind=CompanyKindChoices.CUSTOMER)
    order = make_order(acme, floor.part_type)
    make_work_order(floor, quantity=3, order_line=order.lines.get())
    sign_in(client, customer_user(acme, "production.view_part"))

    html = client.get(KPIS).content.decode()

    assert tile(html, "wip") == "3"
    assert tile(html, "completed-today") == "0"
    assert tile(html, "first-pass-yield") == "—"
    assert tile(html, "open-ncrs") == "0"  # no permission to view NCRs: none counted


def test_the_kpi_fragment_runs_a_constant_pinned_number_of_queries(client, floor):
    sign_in(client, make_user("Production Manager"))
    work_order = make_work_order(floor, quantity=30)
    parts = list(work_order.parts.order_by("serial_number"))
    steps = list(floor.steps.values())

    def make_rows(total):
        for index, part in enumerate(parts[:total]):
            if index % 3 == 0:
                place(part, floor.steps["Pack"], Status.COMPLETED, ago(0.2))
                log(part, Kind.FINISHED, ago(0.2))
            else:
                place(part, steps[index % len(steps)], Status.IN_PROGRESS, ago(1))
                log(part, Kind.STARTED, ago(1))
            ncr_for(part, severity=SeverityChoices.MINOR)

    assert_constant_and_pinned(
        Pins(),
        "page production.big_screen_kpis",
        make_rows,
        lambda: client.get(KPIS, headers={"HX-Request": "true"}),
    )
