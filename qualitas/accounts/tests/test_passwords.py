"""Changing a password, forced changes (flag and expiry), and reset by e-mail through a real SMTP
server."""

import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils import timezone

from qualitas.accounts import services
from qualitas.accounts.models import AccountLock, PasswordHistory
from qualitas.accounts.tests.helpers import sign_in
from qualitas.core.audit import history
from qualitas.core.models import DomainEvent
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW = "Brand-New-Secret-42"


def change(client, old, new1, new2=None):
    return client.post(
        "/accounts/password/change/",
        {"old_password": old, "new_password1": new1, "new_password2": new2 if new2 is not None else new1},
    )


def test_change_password_checks_the_current_one_the_match_and_the_policy(client):
    user = make_user()
    sign_in(client, user)
    cases = [
        (("Wrong-Current-1", NEW), "old_password", "Your current password is not correct."),
        ((PASSWORD, NEW, NEW + "x"), "new_password2", "The two passwords do not match."),
        (
            (PASSWORD, "alllowercase-letters"),
            "new_password1",
            "The password must contain an upper-case letter and a digit.",
        ),
        (
            (PASSWORD, "Short-1"),
            "new_password1",
            "This password is too short. It must contain at least 12 characters.",
        ),
        (
            (PASSWORD, PASSWORD),
            "new_password1",
            "Choose a password that is not one of your last 5 passwords.",
        ),
    ]
    for args, field, message in cases:
        response = change(client, *args)
        assert response.status_code == 400, args
        assert message in response.context["form"].errors[field], (args, response.context["form"].errors)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert PasswordHistory.objects.filter(user=user).count() == 1


def test_a_successful_change_keeps_the_session_and_is_recorded(client):
    user = make_user()
    sign_in(client, user)
    response = change(client, PASSWORD, NEW)
    assert response["Location"] == "/accounts/profile/"
    assert client.get("/").status_code == 200  # still signed in
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert PasswordHistory.objects.filter(user=user).count() == 2
    assert DomainEvent.objects.filter(name="accounts.password_changed", object_id=str(user.pk)).exists()
    entry = history(user).order_by("-id").first()
    assert entry.changes["password"][1].startswith("redacted:") and NEW not in str(entry.changes)


def test_a_user_flagged_must_change_password_is_held_at_the_change_page(client):
    user = make_user()
    user.must_change_password = True
    user.save()
    sign_in(client, user)
    response = client.get("/audit/changes/")
    assert response["Location"] == "/accounts/password/change/?next=%2Faudit%2Fchanges%2F"
    page = client.get(response["Location"])
    assert "An administrator asks you to choose a new password" in page.content.decode()
    api = client.get("/api/v1/companies/")
    assert api.status_code == 403 and api.json()["detail"] == "Choose a new password first."
    done = client.post(
        "/accounts/password/change/?next=/audit/changes/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW, "next": "/audit/changes/"},
    )
    assert done["Location"] == "/audit/changes/"
    assert client.get("/").status_code == 200


def test_an_expired_password_must_be_changed(client, settings):
    settings.QUALITAS_PASSWORD_EXPIRY_DAYS = 90
    user = make_user()
    user.password_changed = timezone.now() - datetime.timedelta(days=91)
    user.save()
    sign_in(client, user)
    response = client.get("/")
    assert response["Location"].startswith("/accounts/password/change/")
    assert "Your password has expired" in client.get("/accounts/password/change/").content.decode()
    change(client, PASSWORD, NEW)
    assert client.get("/").status_code == 200


def test_without_expiry_old_passwords_stay_valid(client, settings):
    settings.QUALITAS_PASSWORD_EXPIRY_DAYS = 0
    user = make_user()
    user.password_changed = timezone.now() - datetime.timedelta(days=3650)
    user.save()
    sign_in(client, user)
    assert client.get("/").status_code == 200


def request_reset(client, email):
    return client.post("/accounts/password/reset/", {"email": email})


def reset_link(message):
    match = re.search(r"http://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_by_e_mail_end_to_end(client, smtp_server):
    user = make_user(full_name="Rosa Reset")
    response = request_reset(client, user.email.upper())
    assert response["Location"] == "/accounts/password/reset/sent/"
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [user.email]
    assert mail["Subject"] == "Reset your Qualitas password"
    assert "Hello Rosa," in mail.body and "60 minutes" in mail.body
    link = reset_link(mail)

    # The token leaves the URL at once.
    hop = client.get(link)
    assert hop.status_code == 302 and hop["Location"].endswith("/set-password/")
    form_page = client.get(hop["Location"])
    assert form_page.status_code == 200 and "Choose a new password" in form_page.content.decode()
    weak = client.post(hop["Location"], {"new_password1": "weakweakweak", "new_password2": "weakweakweak"})
    assert weak.status_code == 400
    done = client.post(hop["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/accounts/password/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert DomainEvent.objects.filter(name="accounts.password_reset", object_id=str(user.pk)).exists()

    # The link works once.
    again = client.get(link)
    assert again.status_code == 400 and "This link does not work" in again.content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, smtp_server):
    response = request_reset(client, "nobody@example.com")
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert smtp_server.messages == []
    assert not DomainEvent.objects.filter(name="accounts.password_reset_requested").exists()


def test_reset_links_expire(client, smtp_server, settings):
    user = make_user()
    request_reset(client, user.email)
    link = reset_link(smtp_server.wait_for(1)[0])
    later = PasswordResetTokenGenerator()._now() + datetime.timedelta(
        seconds=settings.PASSWORD_RESET_TIMEOUT + 60
    )
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        response = client.get(link)
    assert response.status_code == 400 and "has expired" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password/reset/xx/bad-token/",
        "/accounts/password/reset/%F0%9F%92%A9/set-password/",
        "/accounts/password/reset/MTIzNDU2Nzg5MDEyMzQ1Njc4OTA/abc-def/",
    ],
)
def test_malformed_reset_links_are_a_clear_page_not_an_error(client, path):
    assert client.get(path).status_code == 400
    assert client.post(path, {"new_password1": NEW, "new_password2": NEW}).status_code == 400


def test_a_reset_lifts_the_account_lock(client, smtp_server):
    user = make_user()
    for attempt in range(5):
        client.post(
            "/accounts/login/",
            {"email": user.email, "password": f"Wrong-{attempt}"},
            REMOTE_ADDR=f"10.1.1.{attempt}",
        )
    assert AccountLock.objects.filter(kind="account").get().is_active
    request_reset(client, user.email)
    hop = client.get(reset_link(smtp_server.wait_for(1)[0]))
    client.post(hop["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert not AccountLock.objects.filter(kind="account").get().is_active
    response = client.post("/accounts/login/", {"email": user.email, "password": NEW}, REMOTE_ADDR="10.1.2.1")
    assert response.status_code == 302


def test_a_mail_server_failure_is_not_an_error_page(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    user = make_user()
    assert request_reset(client, user.email)["Location"] == "/accounts/password/reset/sent/"
    assert services.request_password_reset(user.email) is None


def test_reset_requests_are_rate_limited(client, settings):
    settings.QUALITAS_LOGIN_IP_RATE = "2/min"
    for _ in range(2):
        assert request_reset(client, "someone@example.com").status_code == 302
    assert request_reset(client, "someone@example.com").status_code == 429
