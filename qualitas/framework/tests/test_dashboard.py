"""The dashboard shows real figures, each scoped to the user."""

import pytest

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.core import services as audit_services
from qualitas.dashboard import tiles
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db


def tile(user, title):
    return next((t for t in tiles(user) if t.title == title), None)


def test_company_counts_by_kind_leave_out_archived_records():
    make_company(kind=CompanyKindChoices.CUSTOMER)
    make_company(kind=CompanyKindChoices.SUPPLIER)
    make_company(kind=CompanyKindChoices.SUPPLIER).archive("closed down")
    companies = tile(make_user(role="QA Manager"), "Companies")
    assert companies.value == "2"
    assert companies.detail == "0 internal, 1 customer, 1 supplier"


def test_customers_count_only_their_own_company_and_see_no_audit_tile():
    own = make_company(kind=CompanyKindChoices.CUSTOMER)
    make_company(kind=CompanyKindChoices.CUSTOMER)
    customer = make_user(role="Customer", company=own)
    assert tile(customer, "Companies").value == "1"
    assert tile(customer, "Audit trail") is None


def test_the_audit_tile_reports_the_last_verification():
    auditor = make_user(role="Auditor")
    assert tile(auditor, "Audit trail").value == "Not verified yet"
    make_company()
    audit_services.verify_trail(source="test")
    audit_tile = tile(auditor, "Audit trail")
    assert audit_tile.value == "Intact" and audit_tile.tone == "success"


def test_users_without_permissions_see_no_tiles(client):
    user = make_user()
    assert tiles(user) == []
    client.force_login(user)
    assert client.get("/").status_code == 200
