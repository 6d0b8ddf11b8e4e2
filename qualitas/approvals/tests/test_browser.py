"""An approver works through "Needs my approval" in Chromium: reviews, signs, and the record's
Approval tab shows the signed response."""

import pytest
from playwright.sync_api import expect

from qualitas.approvals import services
from qualitas.approvals.tests.helpers import approver, make_author, make_widget, two_step_template
from qualitas.testing.browser import SCREENSHOTS, log_in
from qualitas.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_approve_from_the_inbox(page):
    author = make_author(full_name="Ada Author")
    qa = approver(full_name="Quinn QA")
    engineers = [approver("Production Manager", full_name="Erin Engineer"), approver("Document Controller")]
    widget = make_widget(name="Pump housing")
    request = services.start_approval(
        widget, two_step_template(engineers), requested_by=author, note="Revision B for the March build"
    )

    log_in(page, qa.email, PASSWORD)
    page.goto("/approvals/inbox/")
    expect(page.get_by_role("heading", name="Needs my approval")).to_be_visible()
    row = page.locator(".inbox-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pump housing")
    expect(row).to_contain_text("1. QA review")
    expect(row).to_contain_text("Ada Author")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "approvals_inbox.png"), full_page=True)

    row.get_by_role("link", name="Review and respond").click()
    expect(page.get_by_role("heading", name=str(widget))).to_be_visible()
    expect(page.get_by_text("Revision B for the March build")).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Comment").fill("Dimensions checked against drawing 1234 rev B")
    page.get_by_label("Password").fill("not the password")
    page.get_by_label("Your e-mail address").fill(qa.email)
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.get_by_text("The password is not correct. Nothing was signed.")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "approvals_respond_error.png"), full_page=True)

    page.get_by_label("Approve").check()
    page.get_by_label("Your e-mail address").fill(qa.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign and submit").click()
    expect(page.get_by_text(f"You approved {widget} ({request.number}).")).to_be_visible()
    expect(page.get_by_text("Nothing needs your approval.")).to_be_visible()

    page.goto(f"{widget.get_absolute_url()}approval/")
    first_step = page.locator(".approval-step").first
    expect(first_step).to_contain_text("Approved")
    expect(first_step).to_contain_text("Dimensions checked against drawing 1234 rev B")
    expect(first_step.locator(".signature-line")).to_contain_text("Signed: Quinn QA · Approved")
    expect(page.locator(".approval-step").nth(1)).to_contain_text("Awaiting approval")
    page.screenshot(path=str(SCREENSHOTS / "approvals_tab.png"), full_page=True)
