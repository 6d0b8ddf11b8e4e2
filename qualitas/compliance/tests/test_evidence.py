"""Evidence and coverage as a user may see them: counts, latest dates and records per record
type, inheritance into IATF 16949 and AS9100D, scoping, and query counts that do not grow with
clauses or records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import User
from qualitas.compliance import services
from qualitas.compliance.choices import EvidenceStatusChoices
from qualitas.compliance.models import Clause, Standard
from qualitas.compliance.tests.helpers import clause
from qualitas.testing.factories import make_company, make_user
from qualitas.testing.records import customer_of
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 1)


@pytest.fixture
def widgets_give_evidence(declare):
    """Widgets stand for a record type such as identification and traceability records."""
    declare(Widget, evidence_for=("iso9001:8.5.2", "iatf16949:8.5.2.1"), evidence_date_field="due_date")


def make_widget(name, due_days=0, **fields):
    return Widget.objects.create(name=name, due_date=DAY + datetime.timedelta(days=due_days), **fields)


def widget_row(rows):
    matching = [row for row in rows if row.source.model is Widget]
    assert len(matching) == 1, rows
    return matching[0]


@pytest.fixture
def manager():
    return make_user(role="QA Manager")


def test_a_clause_lists_the_record_type_with_count_latest_date_and_records(widgets_give_evidence, manager):
    given = [make_widget("Bracket", 0), make_widget("Shaft", 5), make_widget("Gear", 2)]

    row = widget_row(services.clause_evidence(clause("iso9001:8.5.2"), manager))

    assert row.count == 3
    assert row.latest == DAY + datetime.timedelta(days=5)
    assert row.via is None and not row.tagged and row.permitted
    assert [record for record, _date in row.records] == [given[1], given[2], given[0]]
    assert [date for _record, date in row.records] == [DAY + datetime.timedelta(days=d) for d in (5, 2, 0)]
    assert row.list_url == "/testapp/widgets/"


def test_only_the_latest_records_are_listed(widgets_give_evidence, manager):
    for day in range(12):
        make_widget(f"Widget {day}", day)
    row = widget_row(services.clause_evidence(clause("iso9001:8.5.2"), manager, limit=10))
    assert row.count == 12
    assert len(row.records) == 10
    assert row.records[0][0].name == "Widget 11" and row.records[-1][0].name == "Widget 2"


def test_iso_9001_evidence_counts_for_iatf_16949_and_as9100d(widgets_give_evidence, manager):
    make_widget("Bracket")
    for key in ("iatf16949:8.5.2", "as9100d:8.5.2"):
        row = widget_row(services.clause_evidence(clause(key), manager))
        assert (row.count, row.via) == (1, "iso9001:8.5.2")
    row = widget_row(services.clause_evidence(clause("iatf16949:8.5.2.1"), manager))
    assert (row.count, row.via) == (1, None)
    # Not the other way round: IATF-only evidence does not count for ISO 9001 or ISO 22000.
    assert services.clause_evidence(clause("iso22000:8.3"), manager) == []


def test_the_evidence_filter_narrows_the_records_and_the_link(declare, manager):
    declare(Widget, evidence_for=("iso9001:8.6",), evidence_filter={"status": "approved"})
    make_widget("Draft one")
    approved = make_widget("Released one")
    Widget.objects.filter(pk=approved.pk).update(status="approved")
    row = widget_row(services.clause_evidence(clause("iso9001:8.6"), manager))
    assert row.count == 1 and row.records[0][0] == approved
    assert row.list_url == "/testapp/widgets/?status=approved"


def test_counts_are_scoped_to_what_the_user_may_see(widgets_give_evidence):
    company_a = make_company(kind=CompanyKindChoices.CUSTOMER)
    company_b = make_company(kind=CompanyKindChoices.CUSTOMER)
    in_a = make_widget("For A", 1, customer=company_a)
    make_widget("For B", 9, customer=company_b)
    make_widget("In house", 4)
    key = clause("iso9001:8.5.2")

    customer = customer_of(company_a, Widget, ["view"])
    row = widget_row(services.clause_evidence(key, customer))
    assert (row.count, row.latest) == (1, in_a.due_date)
    assert [record for record, _date in row.records] == [in_a]

    # Without the permission to view widgets: the type is named, nothing is counted or shown.
    operator = make_user(role="Production Operator")
    row = widget_row(services.clause_evidence(key, operator))
    assert (row.count, row.latest, row.records, row.permitted, row.list_url) == (0, None, [], False, "")


def test_a_customer_counts_only_their_own_company_people(manager):
    company_a = make_company(kind=CompanyKindChoices.CUSTOMER)
    make_user(company=company_a)
    make_user(company=make_company(kind=CompanyKindChoices.CUSTOMER))
    customer = customer_of(company_a, User, ["view"])
    rows = services.clause_evidence(clause("iso9001:5.3"), customer)
    assert [(row.source.model, row.count) for row in rows] == [(User, 2)]  # the customer and the colleague
    staff_rows = services.clause_evidence(clause("iso9001:5.3"), manager)
    assert staff_rows[0].count == User.objects.filter(is_active=True).count()


def test_coverage_shows_covered_and_uncovered_clauses(widgets_give_evidence, manager):
    standard = Standard.objects.get(code="iso9001")
    before = services.standard_coverage(standard, manager)
    nodes = {node.clause.key: node for node in before.nodes}
    # Declared, nothing recorded yet.
    assert nodes["iso9001:8.5.2"].status == EvidenceStatusChoices.NO_RECORDS
    # Nothing in Qualitas gives evidence for internal audits yet.
    assert nodes["iso9001:9.2.2"].status == EvidenceStatusChoices.NO_EVIDENCE
    assert nodes["iso9001:9.2.2"].rows == []
    # People with roles exist (the manager): 5.3 is covered.
    assert nodes["iso9001:5.3"].status == EvidenceStatusChoices.EVIDENCE
    assert nodes["iso9001:8.5"].status == EvidenceStatusChoices.HEADING

    make_widget("Bracket", 3)
    after = services.standard_coverage(standard, manager)
    nodes = {node.clause.key: node for node in after.nodes}
    node = nodes["iso9001:8.5.2"]
    assert node.status == EvidenceStatusChoices.EVIDENCE
    assert (node.count, node.latest) == (1, DAY + datetime.timedelta(days=3))
    assert after.covered == before.covered + 1

    # The rollups: clause 8.5 has six requirement sub-clauses, one with evidence now.
    assert (nodes["iso9001:8.5"].covered, nodes["iso9001:8.5"].total) == (1, 6)
    requirement_clauses = Clause.objects.filter(standard=standard, is_heading=False).count()
    assert after.total == requirement_clauses == 65
    covered = [n for n in after.nodes if n.status == EvidenceStatusChoices.EVIDENCE]
    assert after.covered == len(covered)
    assert after.percent == round(100 * len(covered) / 65)
    eight = next(root for root in after.roots if root.clause.number == "8")
    assert eight.total == sum(
        1 for n in after.nodes if n.clause.number.startswith("8.") and not n.clause.is_heading
    )
    assert [root.clause.number for root in after.roots] == ["4", "5", "6", "7", "8", "9", "10"]


def test_coverage_for_a_user_who_sees_nothing(widgets_give_evidence):
    make_widget("Bracket")
    customer = customer_of(make_company(kind=CompanyKindChoices.CUSTOMER))
    coverage = services.standard_coverage(Standard.objects.get(code="iso9001"), customer)
    assert coverage.covered == 0 and coverage.percent == 0
    assert all(node.count == 0 for node in coverage.nodes)


def test_the_coverage_queries_do_not_grow_with_clauses_or_records(widgets_give_evidence, manager):
    standard = Standard.objects.get(code="iatf16949")
    services.standard_coverage(standard, manager)  # warm the permission cache
    with CaptureQueriesContext(connection) as few:
        services.standard_coverage(standard, manager)
    for day in range(30):
        make_widget(f"Widget {day}", day)
    with CaptureQueriesContext(connection) as many:
        coverage = services.standard_coverage(standard, manager)
    # One query for the clauses and one aggregate per record type giving evidence.
    assert len(few) == len(many) == 1 + len(services.evidence_sources())
    assert len(coverage.nodes) == 195


def test_the_library_shares_one_set_of_aggregates_across_the_standards(manager):
    services.all_coverage(manager)
    with CaptureQueriesContext(connection) as queries:
        coverages = services.all_coverage(manager)
    # The standards, the clauses of all of them, one aggregate per record type.
    assert len(queries) == 2 + len(services.evidence_sources())
    assert [coverage.standard.code for coverage in coverages] == [
        "iso9001",
        "iso22000",
        "iatf16949",
        "as9100d",
    ]


def test_records_that_tag_clauses_themselves(declare, manager):
    # Clause.parent stands in for the clause tags documents will have: the "records" tagging a
    # clause are its sub-clauses here.
    declare(Clause, clause_field="parent")
    iatf = Standard.objects.get(code="iatf16949")
    nodes = {node.clause.key: node for node in services.standard_coverage(iatf, manager).nodes}
    tagged = [row for row in nodes["iatf16949:8.5.1"].rows if row.tagged]
    assert [(row.source.model, row.count) for row in tagged] == [(Clause, 7)]  # 8.5.1.1 to 8.5.1.7
    assert nodes["iatf16949:8.5.1"].status == EvidenceStatusChoices.EVIDENCE
    # 7.1.5: three sub-clauses here plus the two of the ISO 9001 clause it takes over.
    assert [row.count for row in nodes["iatf16949:7.1.5"].rows if row.tagged] == [5]

    row = next(row for row in services.clause_evidence(clause("iatf16949:7.1.5"), manager) if row.tagged)
    assert row.count == 5
    assert {record.key for record, _date in row.records} == {
        "iatf16949:7.1.5.1",
        "iatf16949:7.1.5.2",
        "iatf16949:7.1.5.3",
        "iso9001:7.1.5.1",
        "iso9001:7.1.5.2",
    }
    target = clause("iatf16949:7.1.5")
    assert row.list_url == f"/compliance/clauses/?parent={target.pk}"
    assert services.covered_clause_ids(manager) >= {clause("iatf16949:8.5.1").pk}
