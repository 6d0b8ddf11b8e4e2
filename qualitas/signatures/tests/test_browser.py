"""A person signs a record on its Signatures tab, approves it with a signature, then sees the
signatures flagged once the record changes, in Chromium."""

import pytest
from playwright.sync_api import expect

from qualitas.signatures.models import Signature
from qualitas.signatures.tests.helpers import SIGNER_PERMISSIONS, make_signer, make_widget
from qualitas.testing.browser import log_in
from qualitas.testing.factories import PASSWORD
from qualitas.testing.testapp.choices import WidgetStatusChoices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_approve_and_see_a_changed_record(page):
    user = make_signer(*SIGNER_PERMISSIONS, "change", "testapp.approve_widget", full_name="Quinn Manager")
    widget = make_widget(name="Bracket", status=WidgetStatusChoices.REVIEW)
    log_in(page, user.email, PASSWORD)

    page.goto(widget.get_absolute_url())
    page.get_by_role("link", name="Signatures").click()
    expect(page.get_by_text("Nobody has signed this record.")).to_be_visible()
    page.get_by_label("Meaning").select_option("reviewed")
    page.get_by_label("Your e-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Comment").fill("Drawing rev. C checked")
    page.get_by_role("button", name="Sign", exact=True).click()
    signature = page.locator(".signature")
    expect(signature).to_have_count(1)
    expect(signature.first).to_contain_text("Quinn Manager")
    expect(signature.first).to_contain_text("Reviewed")
    expect(signature.first).to_contain_text("Drawing rev. C checked")
    expect(signature.first.locator(".signature-match")).to_have_text("Matches the current content")
    page.screenshot(path="/tmp/signatures-tab-signed.png", full_page=True)

    # Approving needs a signature too; in the same session the password is enough.
    page.get_by_role("link", name="Approve").click()
    expect(page.locator(".signature-meaning")).to_have_text("Approved")
    expect(page.get_by_label("Your e-mail address")).to_have_count(0)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign and approve").click()
    expect(page.get_by_text("The password is not correct. Nothing was signed.")).to_be_visible()
    page.screenshot(path="/tmp/signatures-approve-error.png", full_page=True)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign and approve").click()
    expect(page.get_by_text("Approve: done and signed (Approved) by Quinn Manager.")).to_be_visible()
    assert list(Signature.objects.order_by("id").values_list("meaning", "session_rule")) == [
        ("reviewed", "first_in_session"),
        ("approved", "continuous"),
    ]

    # A change after signing: both signatures no longer cover the content.
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Specification").fill("Aluminium, 2 mm")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Signatures").click()
    expect(page.locator(".signature-changed")).to_have_count(2)
    expect(
        page.get_by_role("alert").filter(has_text="2 signatures no longer cover its current content")
    ).to_be_visible()
    page.screenshot(path="/tmp/signatures-tab-changed.png", full_page=True)
