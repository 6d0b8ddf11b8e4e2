"""An auditor opens the clause library, finds the clauses without evidence, and follows a clause
to the records that give evidence for it, in Chromium."""

import pytest
from playwright.sync_api import expect

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.testing.browser import SCREENSHOTS, log_in
from qualitas.testing.factories import PASSWORD, make_company, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"compliance_{name}.png"), full_page=True)


def test_an_auditor_finds_the_evidence_for_a_clause(page):
    make_user(role="Auditor", full_name="Aurelia Auditor", email="aurelia@example.com")
    make_company(name="Acme Castings", kind=CompanyKindChoices.SUPPLIER)
    make_company(name="Big Buyer", kind=CompanyKindChoices.CUSTOMER)

    log_in(page, "aurelia@example.com", PASSWORD)
    page.get_by_role("button", name="Audit", exact=True).click()
    page.get_by_role("link", name="Clause library").click()
    expect(page.get_by_role("heading", name="Clause library")).to_be_visible()
    expect(page.locator('[data-standard="iatf16949"]')).to_contain_text("IATF 16949:2016")
    shot(page, "library")

    page.get_by_role("link", name="ISO 9001:2015").click()
    expect(page).to_have_url("/compliance/iso9001/")
    expect(page.get_by_role("heading", name="ISO 9001:2015")).to_be_visible()
    supplier_row = page.locator('tr[data-clause="iso9001:8.4.1"]')
    expect(supplier_row.locator(".status-badge")).to_have_text("Evidence")
    expect(supplier_row).to_contain_text("Companies (1)")

    page.get_by_role("link", name="Without evidence").click()
    expect(page).to_have_url("/compliance/iso9001/?show=missing")
    expect(page.locator('tr[data-clause="iso9001:9.2.2"] .status-badge')).to_have_text("No evidence")
    expect(page.locator('tr[data-clause="iso9001:8.4.1"]')).to_have_count(0)
    shot(page, "without_evidence")

    page.get_by_role("link", name="All clauses").click()
    page.locator('tr[data-clause="iso9001:8.4.1"]').get_by_role("link", name="8.4.1").click()
    expect(page).to_have_url("/compliance/clauses/iso9001:8.4.1/")
    expect(
        page.get_by_role("heading", name="ISO 9001:2015 8.4.1 Control of external providers")
    ).to_be_visible()
    evidence = page.locator('tr[data-record-type="accounts.company"]')
    expect(evidence.locator(".evidence-count")).to_have_text("1")
    records = page.locator('.evidence-records[data-record-type="accounts.company"]')
    expect(records).to_contain_text("Acme Castings")
    expect(records).not_to_contain_text("Big Buyer")
    shot(page, "clause")

    evidence.get_by_role("link", name="Companies").click()
    expect(page).to_have_url("/accounts/companies/?kind=supplier")
    expect(page.get_by_role("link", name="Acme Castings")).to_be_visible()
    expect(page.get_by_role("link", name="Big Buyer")).to_have_count(0)
