"""A person signs in with two-factor authentication, and gets locked out after five wrong
passwords, in Chromium."""

import pyotp
import pytest
from playwright.sync_api import expect

from qualitas.accounts.tests.helpers import enrol
from qualitas.testing.browser import log_in
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_with_a_two_factor_code_lands_on_the_home_page(page):
    user = make_user(role="QA Manager", full_name="Quinn Manager")
    secret, _codes = enrol(user)

    log_in(page, user.email, PASSWORD)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    page.get_by_label("Authentication code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()

    page.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Welcome, Quinn")).to_be_visible()
    expect(page).to_have_url("/")


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(page):
    user = make_user(full_name="Lena Locked")
    for attempt in range(4):
        log_in(page, user.email, f"Wrong-Password-{attempt}")
        expect(page.get_by_role("alert")).to_contain_text(
            "The e-mail address, password or code is not correct."
        )

    log_in(page, user.email, "Wrong-Password-5")
    expect(page.get_by_role("alert")).to_contain_text(
        "This account is locked after too many failed sign-in attempts"
    )

    log_in(page, user.email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("This account is locked")
    expect(page.get_by_role("alert")).to_contain_text("Try again in 15 minutes")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
