"""The generic list page on the test app's widgets: filters, sorting, pagination, the htmx partial,
and CSV/XLSX exports that hold exactly the filtered rows in the order shown."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from qualitas.testing.factories import make_company
from qualitas.testing.records import REASON, read_csv, read_xlsx, user_with
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

LIST = "/testapp/widgets/"


@pytest.fixture
def web():
    client = Client()
    client.force_login(user_with(Widget, ("view",)))
    return client


@pytest.fixture
def widgets():
    acme = make_company(name="Acme Dairy", kind="customer")
    bolt = make_company(name="Bolt Machining", kind="customer")
    rows = [
        ("Bracket", acme, 5, "approved", datetime.date(2027, 1, 10)),
        ("Hinge", bolt, 50, "draft", None),
        ("Spring", None, 500, "approved", datetime.date(2026, 12, 1)),
        ("Axle", acme, 7, "review", None),
        ("Gear", bolt, 12, "approved", None),
        ("=cmd|' /C calc'!A0", None, 1, "draft", None),
    ]
    return {
        name: Widget.objects.create(
            name=name, customer=customer, quantity=quantity, status=status, due_date=due
        )
        for name, customer, quantity, status, due in rows
    }


def shown(response):
    """The names in the table, top to bottom."""
    return [record.name for record, _cells in response.context["rows"]]


def test_the_list_shows_active_widgets_in_number_order(web, widgets):
    widgets["Gear"].archive(REASON)
    response = web.get(LIST, {"q": ""})
    assert response.status_code == 200
    assert shown(response) == ["Bracket", "Hinge", "Spring", "Axle", "=cmd|' /C calc'!A0"]
    assert "5 widgets" in response.content.decode()
    assert shown(web.get(LIST, {"archived": "yes"})) == ["Gear"]
    assert len(shown(web.get(LIST, {"archived": "all"}))) == 6


def test_the_bare_list_url_hides_archived_widgets(web, widgets):
    widgets["Gear"].archive(REASON)
    assert "Gear" not in shown(web.get(LIST))


def test_filters_narrow_the_rows(web, widgets):
    assert shown(web.get(LIST, {"status": "approved"})) == ["Bracket", "Spring", "Gear"]
    assert shown(web.get(LIST, {"status": ["approved", "review"], "quantity_max": 10})) == ["Bracket", "Axle"]
    assert shown(web.get(LIST, {"customer": widgets["Hinge"].customer_id})) == ["Hinge", "Gear"]
    assert shown(web.get(LIST, {"q": "ring"})) == ["Spring"]
    assert shown(web.get(LIST, {"archived": "yes"})) == []


def test_an_invalid_filter_shows_its_error_and_no_rows(web, widgets):
    response = web.get(LIST, {"quantity_min": "lots"})
    assert response.status_code == 200
    assert shown(response) == []
    assert "Enter a number." in response.content.decode()


def test_sorting_by_a_column_both_ways(web, widgets):
    assert shown(web.get(LIST, {"sort": "quantity"})) == [
        "=cmd|' /C calc'!A0",
        "Bracket",
        "Axle",
        "Gear",
        "Hinge",
        "Spring",
    ]
    response = web.get(LIST, {"sort": "-name"})
    assert shown(response) == ["Spring", "Hinge", "Gear", "Bracket", "Axle", "=cmd|' /C calc'!A0"]
    assert 'aria-sort="descending"' in response.content.decode()
    # Sorting by a related column, and an unknown column falls back to the default order.
    assert shown(web.get(LIST, {"sort": "customer", "customer": widgets["Axle"].customer_id})) == [
        "Bracket",
        "Axle",
    ]
    assert shown(web.get(LIST, {"sort": "no_such_column"})) == shown(web.get(LIST))


def test_pagination(web):
    for index in range(30):
        Widget.objects.create(name=f"Widget {index:02d}")
    first = web.get(LIST, {"per_page": 25})
    assert len(shown(first)) == 25 and first.context["page"].paginator.num_pages == 2
    second = web.get(LIST, {"per_page": 25, "page": 2})
    assert shown(second) == [f"Widget {index:02d}" for index in range(25, 30)]
    assert "Page 2 of 2" in second.content.decode()
    # Out-of-range and nonsense pages show the nearest page; page sizes outside the list are ignored.
    assert shown(web.get(LIST, {"per_page": 25, "page": 99})) == shown(second)
    assert shown(web.get(LIST, {"per_page": 25, "page": "last-one"})) == shown(first)
    assert web.get(LIST, {"per_page": 7}).context["per_page"] == 50


def test_an_htmx_request_gets_only_the_table(web, widgets):
    response = web.get(LIST, {"status": "approved"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="card">')
    assert "<table" in html and "<html" not in html and "Filters" not in html
    # The export links are part of the partial, so they follow the filters the table shows.
    assert 'href="?status=approved&amp;export=csv"' in html
    assert shown(response) == ["Bracket", "Spring", "Gear"]
    # A boosted navigation is a whole page.
    boosted = web.get(LIST, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.content.decode()


def test_the_export_links_carry_the_filters_and_sort_but_not_the_page(web, widgets):
    html = web.get(
        LIST, {"status": "approved", "sort": "-quantity", "page": 1, "per_page": 25}
    ).content.decode()
    assert 'href="?status=approved&amp;sort=-quantity&amp;export=csv"' in html
    assert 'href="?status=approved&amp;sort=-quantity&amp;export=xlsx"' in html


def test_csv_export_holds_exactly_the_filtered_rows_in_the_shown_order(web, widgets):
    params = {"status": ["approved", "draft"], "sort": "-quantity"}
    page = shown(web.get(LIST, params))
    assert page == ["Spring", "Hinge", "Gear", "Bracket", "=cmd|' /C calc'!A0"]
    rows = read_csv(web.get(LIST, {**params, "export": "csv"}))
    assert rows[0] == ["Number", "Name", "Customer", "Status", "Quantity", "Due date", "Version"]
    assert [row[1] for row in rows[1:]] == [
        "Spring",
        "Hinge",
        "Gear",
        "Bracket",
        # Spreadsheet formulas are neutralised.
        "'=cmd|' /C calc'!A0",
    ]
    spring, bracket = widgets["Spring"], widgets["Bracket"]
    assert rows[1] == [spring.number, "Spring", "", "Approved", "500", "2026-12-01", "1"]
    assert rows[4] == [bracket.number, "Bracket", "Acme Dairy", "Approved", "5", "2027-01-10", "1"]


def test_xlsx_export_holds_exactly_the_filtered_rows_in_the_shown_order(web, widgets):
    params = {"customer": [widgets["Bracket"].customer_id], "sort": "name"}
    assert shown(web.get(LIST, params)) == ["Axle", "Bracket"]
    response = web.get(LIST, {**params, "export": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows = read_xlsx(response)
    axle, bracket = widgets["Axle"], widgets["Bracket"]
    assert rows == [
        ["Number", "Name", "Customer", "Status", "Quantity", "Due date", "Version"],
        [axle.number, "Axle", "Acme Dairy", "In review", 7, None, 1],
        [bracket.number, "Bracket", "Acme Dairy", "Approved", 5, datetime.datetime(2027, 1, 10), 1],
    ]


def test_the_export_is_not_paginated(web):
    for index in range(30):
        Widget.objects.create(name=f"Widget {index:02d}")
    rows = read_csv(web.get(LIST, {"per_page": 25, "page": 2, "export": "csv"}))
    assert len(rows) == 31


def test_an_invalid_filter_exports_nothing(web, widgets):
    rows = read_csv(web.get(LIST, {"quantity_min": "lots", "export": "csv"}))
    assert rows == [["Number", "Name", "Customer", "Status", "Quantity", "Due date", "Version"]]


def test_the_api_export_matches_the_list(web, widgets):
    api = APIClient()
    api.force_login(user_with(Widget, ("view",)))
    params = {"status": ["approved", "draft"], "sort": "-quantity"}
    page_rows = read_csv(web.get(LIST, {**params, "export": "csv"}))
    api_rows = read_csv(api.get("/api/v1/widgets/export/", {**params, "format": "csv"}))
    assert api_rows == page_rows
