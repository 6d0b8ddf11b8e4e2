"""A QA manager makes the inspection pack of a record from its page and downloads it, in Chromium."""

import pytest
from playwright.sync_api import expect

from qualitas.framework.context import change_context
from qualitas.reports.tests.conftest import pdf_text
from qualitas.testing.browser import log_in
from qualitas.testing.factories import PASSWORD, make_company, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_make_and_download_an_inspection_pack(page, tmp_path):
    manager = make_user(role="QA Manager", full_name="Quinn Manager")
    with change_context(user=manager, reason="Approved supplier list 2026"):
        supplier = make_company(name="Nordic Fasteners AB", kind="supplier", country="Sweden")
    log_in(page, manager.email, PASSWORD)

    page.goto(supplier.get_absolute_url())
    page.get_by_role("button", name="Inspection pack").click()
    expect(page.get_by_role("heading", name="Inspection pack")).to_be_visible()
    expect(page.get_by_text("Succeeded")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="inspection-pack.pdf").click()
    path = tmp_path / "pack.pdf"
    download.value.save_as(path)
    text = " ".join(" ".join(pdf_text(path.read_bytes(), tmp_path)).split())
    assert "Nordic Fasteners AB" in text and "Reason: Approved supplier list 2026" in text
    assert "Page 1 of" in text

    with page.expect_download() as download:
        page.get_by_role("link", name="inspection-pack.zip").click()
    assert download.value.suggested_filename == f"company-{supplier.pk}-inspection-pack.zip"
