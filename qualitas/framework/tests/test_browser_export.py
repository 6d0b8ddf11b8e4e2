"""A person filters the companies list and exports it as CSV, in Chromium: the file holds exactly
the rows on the screen, in the same order."""

import csv
import io

import pytest
from playwright.sync_api import expect

from qualitas.testing.browser import log_in
from qualitas.testing.factories import PASSWORD, make_company, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def companies():
    rows = [
        ("Acme Dairy", "supplier", "Netherlands"),
        ("Bolt Machining", "customer", "Germany"),
        ("Creamery Noord", "supplier", "Netherlands"),
        ("Delta Castings", "supplier", "Belgium"),
        ("Edam Cheese Works", "customer", "Netherlands"),
    ]
    return [make_company(name=name, kind=kind, country=country) for name, kind, country in rows]


def download_csv(page, link_name="Export CSV"):
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link_name).click()
    download = download_info.value
    assert download.suggested_filename.startswith("companies-") and download.suggested_filename.endswith(
        ".csv"
    )
    with open(download.path(), encoding="utf-8") as handle:
        return list(csv.reader(io.StringIO(handle.read())))


def shown_names(page):
    return page.locator("#results tbody tr td:first-child").all_inner_texts()


def sign_in(page):
    manager = make_user(role="QA Manager", full_name="Quinn Manager")
    log_in(page, manager.email, PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Quinn")).to_be_visible()


def test_export_csv_holds_exactly_the_filtered_rows(page, companies):
    sign_in(page)
    page.goto("/accounts/companies/")
    expect(page.locator("#results")).to_contain_text("5 companies")
    page.get_by_label("Country").fill("Netherlands")
    page.get_by_label("Country").press("Enter")
    expect(page.locator("#results")).to_contain_text("3 companies")
    page.get_by_role("link", name="Name", exact=True).click()  # sort by name, ascending
    expect(page.locator("#results th[aria-sort=ascending]")).to_have_count(1)
    page.get_by_role("link", name="Name", exact=True).click()  # and descending
    expect(page.locator("#results th[aria-sort=descending]")).to_have_count(1)
    on_screen = shown_names(page)
    assert on_screen == ["Edam Cheese Works", "Creamery Noord", "Acme Dairy"]

    rows = download_csv(page)
    assert rows[0][:3] == ["Name", "Code", "Kind"]
    assert [row[0] for row in rows[1:]] == on_screen
    assert [row[2] for row in rows[1:]] == ["Customer", "Supplier", "Supplier"]
    assert all(row[3] == "Netherlands" for row in rows[1:])


def test_export_csv_of_an_opened_filtered_list_holds_exactly_its_rows(page, companies):
    """A filtered, sorted list opened from a link (a bookmark, or after reloading the page)."""
    sign_in(page)
    page.goto("/accounts/companies/?kind=supplier&sort=-country")
    expect(page.locator("#results")).to_contain_text("3 companies")
    on_screen = shown_names(page)
    assert on_screen == ["Creamery Noord", "Acme Dairy", "Delta Castings"]  # ties: newest first

    rows = download_csv(page)
    assert [row[0] for row in rows[1:]] == on_screen
    assert [row[3] for row in rows[1:]] == ["Netherlands", "Netherlands", "Belgium"]
    assert {row[2] for row in rows[1:]} == {"Supplier"}
