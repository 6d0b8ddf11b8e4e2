"""An administrator deactivates a person with a reason and finds it in the person's history, in
Chromium."""

import pytest
from playwright.sync_api import expect

from qualitas.accounts.models import User
from qualitas.testing.browser import log_in
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Left the company on 31 March"


def test_an_admin_deactivates_a_person_with_a_reason_and_sees_it_in_the_history(page):
    make_user(role="Admin", full_name="Ada Admin", email="ada@example.com")
    person = make_user(role="QA Inspector", full_name="Ivy Inspector")

    log_in(page, "ada@example.com", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Ada")).to_be_visible()
    page.goto(f"/accounts/users/{person.pk}/")
    expect(page.get_by_role("heading", name="Ivy Inspector")).to_be_visible()
    expect(page.get_by_role("link", name="Changes by this person")).to_have_attribute(
        "href", f"/audit/changes/?user={person.pk}"
    )

    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", name="Deactivate: Ivy Inspector")).to_be_visible()
    page.get_by_role("button", name="Deactivate").click()  # no reason yet
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Deactivate").click()

    expect(page).to_have_url(f"/accounts/users/{person.pk}/")
    expect(page.get_by_text("Inactive", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Reactivate")).to_be_visible()
    assert User.objects.get(pk=person.pk).is_active is False

    page.get_by_role("link", name="History").click()
    expect(page.get_by_text(REASON).first).to_be_visible()
    expect(page.get_by_text("Ada Admin").first).to_be_visible()
