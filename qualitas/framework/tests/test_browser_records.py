"""A person creates, edits and archives a record and reads its history, in Chromium."""

import pytest
from playwright.sync_api import expect

from qualitas.testing.browser import log_in
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_edit_archive_and_read_history(page):
    manager = make_user(role="QA Manager", full_name="Quinn Manager")
    log_in(page, manager.email, PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Quinn")).to_be_visible()

    page.goto("/accounts/companies/")
    page.get_by_role("link", name="Add company").click()
    page.get_by_label("Name").fill("Acme Dairy")
    page.get_by_label("Kind").select_option("supplier")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Acme Dairy")).to_be_visible()

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Country").fill("Netherlands")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Netherlands")).to_be_visible()

    page.get_by_role("link", name="Archive").click()
    page.get_by_role("button", name="Archive").click()
    expect(
        page.get_by_text("Give a reason.").or_(page.get_by_text("This field is required."))
    ).to_be_visible()
    page.get_by_label("Reason").fill("Supplier no longer approved")
    page.get_by_role("button", name="Archive").click()
    expect(page.locator(".archived-banner")).to_contain_text("Supplier no longer approved")

    page.get_by_role("link", name="History").click()
    history = page.locator(".list-group-item")
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_contain_text("Archived")
    expect(history.nth(0)).to_contain_text("Supplier no longer approved")
    expect(history.nth(1)).to_contain_text("Netherlands")
    expect(history.nth(2)).to_contain_text("Created")
