"""Global search goes through the same scoped querysets as the lists."""

import pytest

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.framework.search import search
from qualitas.testing.factories import make_company, make_user

pytestmark = pytest.mark.django_db


def test_search_finds_records_the_user_may_see():
    make_company(name="Northwind Dairy", kind=CompanyKindChoices.CUSTOMER)
    make_company(name="Southwind Metals", kind=CompanyKindChoices.SUPPLIER)
    manager = make_user(role="QA Manager")
    groups = search(manager, "wind")
    companies = next(group for group in groups if group.model._meta.model_name == "company")
    assert sorted(str(record) for record in companies.results) == ["Northwind Dairy", "Southwind Metals"]
    assert companies.total == 2


def test_customers_find_only_their_own_company():
    own = make_company(name="Northwind Dairy", kind=CompanyKindChoices.CUSTOMER)
    make_company(name="Northwind Rival", kind=CompanyKindChoices.CUSTOMER)
    customer = make_user(role="Customer", company=own)
    groups = search(customer, "northwind")
    assert [str(record) for group in groups for record in group.results] == ["Northwind Dairy"]


def test_users_without_permission_find_nothing_and_short_queries_are_ignored():
    make_company(name="Northwind Dairy")
    assert search(make_user(), "northwind") == []
    assert search(make_user(role="QA Manager"), "n") == []


def test_search_page_renders_results(client):
    make_company(name="Northwind Dairy")
    client.force_login(make_user(role="QA Manager"))
    response = client.get("/search/", {"q": "northwind"})
    assert response.status_code == 200
    assert "Northwind Dairy" in response.content.decode()
