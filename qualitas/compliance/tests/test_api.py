"""The standards and clauses API: the generic read-only API tests, lookups by code and key,
the clause filters, and the scoped evidence and coverage endpoints."""

import datetime

import pytest
from rest_framework.test import APIClient

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.compliance import services
from qualitas.compliance.models import Clause, Standard
from qualitas.compliance.tests.helpers import (
    ClauseRecords,
    StandardRecords,
    clause,
)
from qualitas.testing.api import ReadOnlyAPITests, assert_error
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import customer_of, user_with
from qualitas.testing.testapp.models import Widget


class TestStandardAPI(StandardRecords, ReadOnlyAPITests):
    pass


class TestClauseAPI(ClauseRecords, ReadOnlyAPITests):
    pass


# --- Lookups, filters and the evidence endpoints -----------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def auditor(api):
    user = make_user(role="Auditor")
    api.force_authenticate(user)
    return user


@pytest.fixture
def widgets(declare):
    declare(Widget, evidence_for=("iso9001:8.5.2",), evidence_date_field="due_date")
    company = make_company(kind=CompanyKindChoices.CUSTOMER)
    return [
        Widget.objects.create(name="Bracket", due_date=datetime.date(2026, 3, 1), customer=company),
        Widget.objects.create(name="Shaft", due_date=datetime.date(2026, 3, 9)),
    ]


def keys(response):
    assert response.status_code == 200, response.json()
    return [row["key"] for row in response.json()["results"]]


def test_a_clause_is_found_by_key_or_id(api, auditor):
    target = clause("iatf16949:7.1.5.1.1")
    by_key = api.get("/api/v1/clauses/iatf16949:7.1.5.1.1/")
    assert by_key.status_code == 200
    body = by_key.json()
    assert body["id"] == target.pk
    assert (body["standard"], body["number"], body["parent"], body["base_clause"]) == (
        "iatf16949",
        "7.1.5.1.1",
        "iatf16949:7.1.5.1",
        None,
    )
    assert body["origin"] == "sector" and body["level"] == 5 and body["is_heading"] is False
    assert body["url"].endswith("/compliance/clauses/iatf16949:7.1.5.1.1/")
    assert api.get(f"/api/v1/clauses/{target.pk}/").json() == body
    assert_error(api.get("/api/v1/clauses/iatf16949:7.1.5.1.9/"), 404)
    assert_error(api.get("/api/v1/clauses/99999999999999999999/"), 404)


def test_a_standard_is_found_by_code(api, auditor):
    body = api.get("/api/v1/standards/as9100d/").json()
    assert (body["code"], body["name"], body["edition"], body["base"]) == (
        "as9100d",
        "AS9100D",
        "2016",
        "iso9001",
    )
    assert_error(api.get("/api/v1/standards/iso14001/"), 404)


def test_clauses_filter_by_standard_parent_level_and_within(api, auditor):
    top = keys(api.get("/api/v1/clauses/", {"standard": "iatf16949", "level": 1, "ordering": "sort_key"}))
    assert top == [f"iatf16949:{number}" for number in ("4", "5", "6", "7", "8", "9", "10")]
    children = keys(api.get("/api/v1/clauses/", {"parent": "iso9001:7.1.5", "ordering": "sort_key"}))
    assert children == ["iso9001:7.1.5.1", "iso9001:7.1.5.2"]
    parent_id = clause("iso9001:7.1.5").pk
    assert keys(api.get("/api/v1/clauses/", {"parent": parent_id, "ordering": "sort_key"})) == children
    within = keys(
        api.get("/api/v1/clauses/", {"standard": "iatf16949", "within": "7.1.5", "ordering": "sort_key"})
    )
    assert within == [
        "iatf16949:7.1.5",
        "iatf16949:7.1.5.1",
        "iatf16949:7.1.5.1.1",
        "iatf16949:7.1.5.2",
        "iatf16949:7.1.5.2.1",
        "iatf16949:7.1.5.3",
        "iatf16949:7.1.5.3.1",
        "iatf16949:7.1.5.3.2",
    ]
    sector = keys(
        api.get("/api/v1/clauses/", {"standard": "as9100d", "origin": "sector", "ordering": "sort_key"})
    )
    assert len(sector) == 9 and sector[0] == "as9100d:8.1.1"
    assert keys(api.get("/api/v1/clauses/", {"base_clause": "iso9001:8.4.3", "ordering": "key"})) == [
        "as9100d:8.4.3",
        "iatf16949:8.4.3",
    ]


def test_bad_filter_values_are_400_with_field_messages(api, auditor):
    body = assert_error(api.get("/api/v1/clauses/", {"standard": "iso14001"}), 400)
    assert "standard" in body["errors"]
    body = assert_error(api.get("/api/v1/clauses/", {"level": "one"}), 400)
    assert "level" in body["errors"]
    assert keys(api.get("/api/v1/clauses/", {"within": "seven"})) == []


def test_clauses_filter_by_evidence(api, auditor, widgets):
    with_evidence = keys(api.get("/api/v1/clauses/", {"has_evidence": "true", "page_size": 1000}))
    assert {"iso9001:8.5.2", "iatf16949:8.5.2", "as9100d:8.5.2", "iso9001:5.3"} <= set(with_evidence)
    assert "iso9001:9.2.2" not in with_evidence
    without = keys(
        api.get("/api/v1/clauses/", {"has_evidence": "false", "standard": "iso9001", "page_size": 1000})
    )
    assert "iso9001:9.2.2" in without and "iso9001:8.5.2" not in without
    assert "iso9001:8.5" not in without  # headings are in neither list
    expected = services.covered_clause_ids(auditor)
    assert {clause(key).pk for key in with_evidence} == expected


def test_the_evidence_endpoint_lists_record_types_with_counts_and_dates(api, auditor, widgets):
    response = api.get("/api/v1/clauses/iatf16949:8.5.2/evidence/")
    assert response.status_code == 200
    rows = {row["record_type"]: row for row in response.json()}
    row = rows["testapp.widget"]
    assert (row["name"], row["count"], row["declared_on"], row["tagged"], row["permitted"]) == (
        "widgets",
        2,
        "iso9001:8.5.2",
        False,
        True,
    )
    assert row["latest"].startswith("2026-03-09T00:00:00")
    assert row["list_url"] == "http://testserver/testapp/widgets/"
    assert [record["display"] for record in row["records"]] == [str(widgets[1]), str(widgets[0])]
    assert row["records"][0]["url"] == f"http://testserver{widgets[1].get_absolute_url()}"


def test_the_evidence_endpoint_is_scoped(api, widgets):
    operator = make_user(role="Production Operator")  # no access to widgets or the clause library
    api.force_authenticate(operator)
    assert_error(api.get("/api/v1/clauses/iso9001:8.5.2/evidence/"), 403)

    customer = customer_of(widgets[0].customer, Clause, ["view"])
    api.force_authenticate(customer)
    # Customers see no clauses: the clause itself is outside their scope.
    assert_error(api.get("/api/v1/clauses/iso9001:8.5.2/evidence/"), 404)

    reader = make_user(role="Auditor")
    api.force_authenticate(reader)
    rows = {row["record_type"]: row for row in api.get("/api/v1/clauses/iso9001:8.5.2/evidence/").json()}
    assert rows["testapp.widget"]["count"] == 2


def test_the_evidence_endpoint_without_permission_on_the_records(api, widgets):
    reader = user_with(Clause, ["view"])  # may read clauses, not widgets
    api.force_authenticate(reader)
    rows = api.get("/api/v1/clauses/iso9001:8.5.2/evidence/").json()
    assert [(row["record_type"], row["count"], row["permitted"], row["records"]) for row in rows] == [
        ("production.part", 0, False, []),
        ("testapp.widget", 0, False, []),
    ]


def test_the_evidence_endpoint_refuses_anonymous_and_writes(api, auditor):
    assert_error(api.post("/api/v1/clauses/iso9001:8.5.2/evidence/", {}), 405)
    api.force_authenticate(None)
    assert_error(api.get("/api/v1/clauses/iso9001:8.5.2/evidence/"), 401)


def test_the_coverage_endpoint(api, auditor, widgets):
    response = api.get("/api/v1/standards/iso9001/coverage/")
    assert response.status_code == 200
    body = response.json()
    coverage = services.standard_coverage(Standard.objects.get(code="iso9001"), auditor)
    assert (body["covered"], body["total"], body["percent"]) == (
        coverage.covered,
        coverage.total,
        coverage.percent,
    )
    assert body["total"] == 65
    rows = {row["key"]: row for row in body["clauses"]}
    assert len(rows) == 91
    assert rows["iso9001:8.5.2"]["status"] == "evidence"
    assert (rows["iso9001:8.5.2"]["count"], rows["iso9001:8.5.2"]["record_types"]) == (2, 1)
    assert rows["iso9001:8.5.2"]["latest"].startswith("2026-03-09")
    assert rows["iso9001:9.2.2"]["status"] == "no_evidence"
    assert rows["iso9001:8.5"]["status"] == "heading"
    assert (rows["iso9001:8.5"]["covered"], rows["iso9001:8.5"]["total"]) == (1, 6)
