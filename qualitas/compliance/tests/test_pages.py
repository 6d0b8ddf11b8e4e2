"""The clause library's own pages: the library, a standard's coverage page and a clause's page,
under their stable URLs (``/compliance/iso9001/``, ``/compliance/clauses/iso9001:7.1.5/``)."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils.formats import date_format

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.compliance import services
from qualitas.compliance.models import Clause, Standard
from qualitas.compliance.tests.helpers import clause
from qualitas.core.choices import AccessKindChoices
from qualitas.core.models import AccessLog
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import customer_of, user_with
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(client):
    user = make_user(role="Auditor")
    client.force_login(user)
    return user


@pytest.fixture
def widgets(declare):
    declare(Widget, evidence_for=("iso9001:8.5.2",), evidence_date_field="due_date")
    return [
        Widget.objects.create(
            name=f"Widget {day}", due_date=datetime.date(2026, 3, 1) + datetime.timedelta(days=day)
        )
        for day in range(12)
    ]


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def shown_clauses(response):
    return re.findall(r'data-clause="([^"]+)"', html(response))


def shown_statuses(response):
    return dict(re.findall(r'data-clause="([^"]+)".*?data-status="([^"]+)"', html(response), re.S))


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/compliance/", "/compliance/iso9001/", "/compliance/clauses/iso9001:7.1.5.2/"]
)
def test_pages_ask_anonymous_users_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


@pytest.mark.parametrize(
    "url", ["/compliance/", "/compliance/iso9001/", "/compliance/clauses/iso9001:7.1.5.2/"]
)
def test_pages_need_the_clause_library_permission(client, url):
    client.force_login(make_user(role="Production Operator"))
    assert client.get(url).status_code == 403


def test_customers_find_no_clauses(client):
    customer = customer_of(make_company(kind=CompanyKindChoices.CUSTOMER), Clause, ["view"])
    client.force_login(customer)
    assert client.get("/compliance/clauses/iso9001:7.1.5.2/").status_code == 404


def test_unknown_standards_and_clauses_are_404(client, auditor):
    assert client.get("/compliance/iso14001/").status_code == 404
    assert client.get("/compliance/clauses/iso9001:7.1.9/").status_code == 404
    assert client.get("/compliance/clauses/iso9001:7.1.9/history/").status_code == 404
    assert client.get("/compliance/standards/999999/").status_code == 404


# --- The library -------------------------------------------------------------------------------


def test_the_library_shows_each_standard_with_its_coverage(client, auditor, widgets):
    page = html(client.get("/compliance/"))
    coverages = {coverage.standard.code: coverage for coverage in services.all_coverage(auditor)}
    for code in ("iso9001", "iso22000", "iatf16949", "as9100d"):
        assert f'data-standard="{code}"' in page
        coverage = coverages[code]
        assert f"{coverage.covered} of {coverage.total} clauses" in page
    assert "ISO 9001:2015" in page and "IATF 16949:2016" in page
    # The record types giving evidence, with their clauses and counts.
    assert "Widgets" in page and 'href="/compliance/clauses/iatf16949:8.5.2/"' in page
    assert "Counts include only the records you may see." in page


def test_the_library_page_queries_do_not_grow_with_records(client, auditor, declare):
    declare(Widget, evidence_for=("iso9001:8.5.2",), evidence_date_field="due_date")
    client.get("/compliance/")
    with CaptureQueriesContext(connection) as few:
        client.get("/compliance/")
    for day in range(30):
        Widget.objects.create(name=f"W{day}", due_date=datetime.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as many:
        page = html(client.get("/compliance/"))
    assert len(few) == len(many) < 30
    assert re.search(r'href="/testapp/widgets/">Widgets</a>.*?<td class="text-end">30</td>', page, re.S)


# --- A standard's coverage page ----------------------------------------------------------------


def test_the_coverage_page_lists_every_clause_with_its_status(client, auditor, widgets):
    response = client.get("/compliance/iso9001/")
    statuses = shown_statuses(response)
    assert len(shown_clauses(response)) == 91
    assert statuses["iso9001:8.5.2"] == "evidence"
    assert statuses["iso9001:9.2.2"] == "no_evidence"
    assert statuses["iso9001:8.5"] == "heading"
    page = html(response)
    coverage = services.standard_coverage(Standard.objects.get(code="iso9001"), auditor)
    assert f"{coverage.covered} of {coverage.total} clauses with requirements have evidence" in page
    assert re.search(r"Widgets \(12\)", page)
    assert date_format(datetime.date(2026, 3, 12), "DATE_FORMAT") in page  # the latest widget's date
    assert "Counts include only the records you may see." in page


def test_the_coverage_page_filters_clauses_without_evidence(client, auditor, widgets):
    statuses = shown_statuses(client.get("/compliance/iso9001/", {"show": "missing"}))
    assert "iso9001:8.5.2" not in statuses and "iso9001:5.3" not in statuses
    assert statuses["iso9001:9.2.2"] == "no_evidence"
    # Headings stay to give context when something below them is shown.
    assert statuses["iso9001:9.2"] == "heading"
    assert set(statuses.values()) <= {"no_evidence", "no_records", "heading"}

    statuses = shown_statuses(client.get("/compliance/iso9001/", {"show": "evidence"}))
    requirements = {key for key, status in statuses.items() if status != "heading"}
    assert {"iso9001:8.5.2", "iso9001:5.3", "iso9001:7.5.3.2"} <= requirements
    assert {statuses[key] for key in requirements} == {"evidence"}

    assert len(shown_clauses(client.get("/compliance/iso9001/", {"show": "nonsense"}))) == 91


def test_the_coverage_page_by_id_and_its_history(client, auditor):
    standard = Standard.objects.get(code="iatf16949")
    assert "IATF 16949:2016" in html(client.get(f"/compliance/standards/{standard.pk}/"))
    history = html(client.get("/compliance/iatf16949/history/"))
    assert services.SYNC_REASON in history


def test_the_coverage_page_queries_do_not_grow_with_records(client, auditor, declare):
    declare(Widget, evidence_for=("iso9001:8.5.2",), evidence_date_field="due_date")
    client.get("/compliance/iatf16949/")
    with CaptureQueriesContext(connection) as few:
        client.get("/compliance/iatf16949/")
    for day in range(30):
        Widget.objects.create(name=f"W{day}", due_date=datetime.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as many:
        client.get("/compliance/iatf16949/")
    assert len(few) == len(many)
    assert len(many) < 30


# --- A clause's page ---------------------------------------------------------------------------


def test_the_clause_page_lists_record_types_and_records(client, auditor, widgets):
    page = html(client.get("/compliance/clauses/iso9001:8.5.2/"))
    assert "ISO 9001:2015 8.5.2 Identification and traceability" in page
    assert clause("iso9001:8.5.2").summary in page
    row = re.search(r'<tr data-record-type="testapp.widget">(.*?)</tr>', page, re.S).group(1)
    assert 'href="/testapp/widgets/"' in row
    assert re.search(r'evidence-count">\s*12\s*<', row)
    # The latest ten records, newest first, with a link to all of them.
    assert "latest 10 of 12" in page
    listed = re.findall(r'href="/testapp/widgets/\d+/">([^<]+)</a>', page)
    assert listed == [str(widget) for widget in reversed(widgets[2:])]
    assert "Counts and records include only what you may see." in page


def test_the_clause_page_of_a_sector_clause_shows_the_inherited_evidence(client, auditor, widgets):
    page = html(client.get("/compliance/clauses/as9100d:8.5.2/"))
    assert 'href="/compliance/clauses/iso9001:8.5.2/">iso9001:8.5.2</a> (ISO 9001)' in page
    assert "with additions of AS9100D" in page
    assert "configuration identification" in page  # the aerospace addition in the summary
    # The same requirement in the other standards.
    assert 'href="/compliance/clauses/iatf16949:8.5.2/"' in page


def test_the_clause_page_of_a_heading_shows_its_sub_clauses(client, auditor):
    page = html(client.get("/compliance/clauses/iso9001:7.5.3/"))
    assert "Evidence is given for the sub-clauses below." in page
    assert 'data-clause="iso9001:7.5.3.1"' in page and 'data-clause="iso9001:7.5.3.2"' in page
    # Breadcrumbs: the library, the standard, clause 7, clause 7.5.
    assert re.search(
        r'href="/compliance/iso9001/">ISO 9001:2015</a>.*href="/compliance/clauses/iso9001:7.5/"', page, re.S
    )


def test_the_clause_page_is_scoped(client, widgets):
    reader = user_with(Clause, ["view"])
    client.force_login(reader)
    page = html(client.get("/compliance/clauses/iso9001:8.5.2/"))
    row = re.search(r'<tr data-record-type="testapp.widget">(.*?)</tr>', page, re.S).group(1)
    assert "not visible to you" in row and 'href="/testapp/widgets/"' not in row
    assert "Widget 11" not in page


def test_the_clause_page_by_id_records_the_view(client, auditor):
    target = clause("iso22000:8.5.4.3")
    before = AccessLog.objects.filter(kind=AccessKindChoices.VIEW).count()
    page = html(client.get(f"/compliance/clauses/{target.pk}/"))
    assert "ISO 22000:2018 8.5.4.3" in page
    assert AccessLog.objects.filter(kind=AccessKindChoices.VIEW).count() == before + 1
    entry = AccessLog.objects.order_by("-id").first()
    assert (entry.object_id, entry.user_id) == (str(target.pk), auditor.pk)


def test_the_clause_history_under_its_key(client, auditor):
    target = clause("iso9001:7.1.5.2")
    page = html(client.get("/compliance/clauses/iso9001:7.1.5.2/history/"))
    assert 'aria-current="page' in page and "History" in page
    assert str(target) in page


def test_there_is_no_way_to_add_or_edit_clauses(client):
    client.force_login(make_user(role="Admin"))
    target = clause("iso9001:7.2")
    assert client.get("/compliance/clauses/add/").status_code == 404
    assert client.get(f"/compliance/clauses/{target.pk}/edit/").status_code == 404
    assert client.post(f"/compliance/clauses/{target.pk}/archive/", {"reason": "x"}).status_code == 404
