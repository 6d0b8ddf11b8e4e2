"""In Chromium: an urgent alert raised while a page is open appears as a toast and on the bell;
the bell's menu lists it and opening it leads to the record; the preferences table is saved."""

import pytest
from playwright.sync_api import expect

from qualitas.notifications import services
from qualitas.notifications.models import Preference
from qualitas.testing.browser import SCREENSHOTS, log_in
from qualitas.testing.factories import PASSWORD, make_user
from qualitas.testing.testapp.models import Widget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _quick_streams(settings):
    settings.QUALITAS_NOTIFICATIONS_STREAM_SECONDS = 20
    settings.QUALITAS_NOTIFICATIONS_STREAM_POLL_SECONDS = 1
    # The live server is shared by every browser test of the run; streams of pages that earlier
    # tests left may still hold the default two slots until their next heartbeat fails.
    settings.QUALITAS_NOTIFICATIONS_STREAM_MAX_SYNC = 16


def leave(page):
    """Close the page's event stream and give the live server time to notice, so that no stream
    outlives the test's database."""
    page.goto("about:blank")
    page.wait_for_timeout(2500)


def test_an_urgent_alert_raised_while_the_page_is_open_appears_as_a_toast(page):
    manager = make_user(role="QA Manager", full_name="Quinn Manager")
    widget = Widget.objects.create(name="Pasteuriser P-1", specification="72 °C for 15 s")
    services.notify("approval.request", [manager], "Approve the HACCP plan")
    log_in(page, manager.email, PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Quinn")).to_be_visible()
    bell = page.locator("#notification-count")
    expect(bell).to_contain_text("1")

    services.notify(
        "quality.alert",
        [manager],
        "CCP-2 pasteuriser below the critical limit",
        "71.2 °C at 10:42; the critical limit is 72 °C.",
        obj=widget,
    )
    toast = page.get_by_role("alert").filter(has_text="CCP-2 pasteuriser below the critical limit")
    expect(toast).to_be_visible(timeout=10000)
    expect(toast).to_contain_text("Quality alert")
    expect(toast).to_contain_text("71.2 °C at 10:42")
    expect(bell).to_contain_text("2")  # the bell refreshed with the event
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "notifications_urgent_toast.png"))

    # Another page of the same tab does not show the same alert again.
    page.goto("/notifications/")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    page.wait_for_timeout(2500)
    expect(page.locator(".notification-toast")).to_have_count(0)

    # The bell's menu lists it; opening it marks it read and leads to the record.
    page.get_by_role("button", name="Notifications").click()
    item = page.locator("#notification-menu").get_by_role(
        "link", name="CCP-2 pasteuriser below the critical limit"
    )
    expect(item).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "notifications_bell_menu.png"))
    item.click()
    expect(page).to_have_url(widget.get_absolute_url())
    expect(page.locator("#notification-count")).to_contain_text("1")
    leave(page)


def test_a_person_sets_email_preferences_in_the_table(page):
    person = make_user(full_name="Ann Analyst")
    log_in(page, person.email, PASSWORD)
    page.goto("/notifications/preferences/")
    expect(page.get_by_role("heading", name="E-mail preferences")).to_be_visible()
    page.get_by_label("Approval request: Daily digest").check()
    page.get_by_label("Task reminder: No e-mail").check()
    expect(page.get_by_label("Quality alert: No e-mail")).to_have_count(0)
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_contain_text("Preferences saved (2 changed)")
    expect(page.get_by_label("Approval request: Daily digest")).to_be_checked()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "notifications_preferences.png"), full_page=True)
    assert dict(Preference.objects.filter(user=person).values_list("kind", "mode")) == {
        "approval.request": "daily",
        "task.reminder": "off",
    }
    leave(page)
