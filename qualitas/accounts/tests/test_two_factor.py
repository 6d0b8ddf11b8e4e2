"""TOTP two-factor authentication: enrolment, the code step at sign-in, replay, recovery codes,
regenerating and turning off, and enrolment forced by role."""

import re
import time

import pyotp
import pytest
from django.core.exceptions import ValidationError

from qualitas.accounts import services
from qualitas.accounts.models import LoginAttempt, RecoveryCode, TOTPDevice
from qualitas.accounts.tests.helpers import current_code, enrol, sign_in
from qualitas.core.audit import history
from qualitas.core.models import DomainEvent
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_enrolment_page_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(client):
    user = make_user()
    client.force_login(user)
    page = client.get("/accounts/two-factor/enrol/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<?xml" not in html
    secret = client.session["qualitas_enrol_secret"]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html

    wrong = client.post("/accounts/two-factor/enrol/", {"code": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()

    response = client.post("/accounts/two-factor/enrol/", {"code": current_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/recovery-codes/"
    device = TOTPDevice.objects.get(user=user)
    assert device.get_secret() == secret
    assert secret not in device.secret, "the secret is stored in clear"
    codes_page = client.get("/accounts/two-factor/recovery-codes/").content.decode()
    codes = re.findall(r"<li class=\"col\">([a-z0-9-]+)</li>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Shown once: the page does not come back.
    assert client.get("/accounts/two-factor/recovery-codes/")["Location"] == "/accounts/two-factor/"
    # Only digests are stored, and the audit trail holds no secret.
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & set(codes)
    entry = history(device).get()
    assert entry.changes["secret"][1].startswith("redacted:") and secret not in str(entry.changes)
    assert DomainEvent.objects.filter(name="accounts.two_factor_enabled", object_id=str(user.pk)).exists()


def test_sign_in_asks_for_the_code_after_the_password(client):
    user = make_user()
    secret, _codes = enrol(user)
    response = client.post(
        "/accounts/login/", {"email": user.email, "password": PASSWORD, "next": "/search/"}
    )
    assert response["Location"] == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session
    # Nothing but the code step is reachable yet.
    assert client.get("/")["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/login/verify/")
    assert page.status_code == 200 and user.email in page.content.decode()

    wrong = client.post("/accounts/login/verify/", {"code": "123456"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    done = client.post("/accounts/login/verify/", {"code": current_code(secret)})
    assert done.status_code == 302 and done["Location"] == "/search/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200
    reasons = list(LoginAttempt.objects.order_by("id").values_list("reason", flat=True))
    assert reasons == ["code_required", "bad_code", "signed_in"]


def test_a_code_cannot_be_used_twice(client):
    user = make_user()
    secret, _ = enrol(user)
    code = current_code(secret)
    assert services.verify_second_factor(user, code) is True
    assert services.verify_second_factor(user, code) is False
    # Nor can an older code once a newer one was used.
    assert services.verify_second_factor(user, pyotp.TOTP(secret).at(time.time() - 30)) is False


def test_codes_from_the_next_step_are_accepted_for_clock_drift():
    user = make_user()
    secret, _ = enrol(user)
    assert services.verify_second_factor(user, pyotp.TOTP(secret).at(time.time() + 30)) is True
    assert services.verify_second_factor(user, pyotp.TOTP(secret).at(time.time() + 120)) is False


def test_recovery_codes_work_once_each(client):
    user = make_user()
    _secret, codes = enrol(user)
    assert services.verify_second_factor(user, codes[0].upper().replace("-", " ")) is True
    assert services.verify_second_factor(user, codes[0]) is False
    assert services.unused_recovery_codes(user) == 9
    event = DomainEvent.objects.get(name="accounts.recovery_code_used")
    assert event.message.endswith("(9 left)")
    sign_in_response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert sign_in_response["Location"] == "/accounts/login/verify/"
    assert client.post("/accounts/login/verify/", {"code": codes[1]}).status_code == 302


def test_wrong_codes_count_toward_the_lockout(client):
    user = make_user()
    enrol(user)
    for attempt in range(5):
        response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
        assert response["Location"] == "/accounts/login/verify/", attempt
        response = client.post("/accounts/login/verify/", {"code": "000000"})
    # The fifth wrong code locks the account and ends the half-finished sign-in.
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "locked" in client.get("/accounts/login/").content.decode()
    assert client.post("/accounts/login/", {"email": user.email, "password": PASSWORD}).status_code == 403


def test_the_code_step_times_out(client):
    user = make_user()
    enrol(user)
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    pending = client.session["qualitas_pending_sign_in"]
    session = client.session
    session["qualitas_pending_sign_in"] = {**pending, "since": pending["since"] - 301}
    session.save()
    response = client.get("/accounts/login/verify/")
    assert response["Location"] == "/accounts/login/"


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(client):
    assert client.post("/accounts/login/verify/", {"code": "123456"})["Location"] == "/accounts/login/"


def test_a_session_logged_in_another_way_must_still_give_the_code(client):
    user = make_user()
    secret, _ = enrol(user)
    client.force_login(user)
    response = client.get("/accounts/profile/")
    assert response["Location"] == "/accounts/login/verify/?next=%2Faccounts%2Fprofile%2F"
    api = client.get("/api/v1/users/")
    assert api.status_code == 403 and api.json()["code"] == "security_step_required"
    done = client.post("/accounts/login/verify/?next=/accounts/profile/", {"code": current_code(secret)})
    assert done["Location"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").status_code == 200


def test_regenerating_recovery_codes_needs_the_password_and_replaces_them(client):
    user = make_user()
    secret, old_codes = enrol(user)
    sign_in(client, user, secret=secret)
    wrong = client.post("/accounts/two-factor/recovery-codes/", {"regenerate-password": "nope"})
    assert wrong.status_code == 400 and "Your password is not correct." in wrong.content.decode()
    assert services.unused_recovery_codes(user) == 10
    response = client.post("/accounts/two-factor/recovery-codes/", {"regenerate-password": PASSWORD})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/"
    new_codes = re.findall(
        r"<li class=\"col\">([a-z0-9-]+)</li>", client.get(response["Location"]).content.decode()
    )
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert services.verify_second_factor(user, old_codes[0]) is False
    assert services.verify_second_factor(user, new_codes[0]) is True


def test_turning_off_needs_the_password(client):
    user = make_user()
    secret, _ = enrol(user)
    sign_in(client, user, secret=secret)
    assert client.post("/accounts/two-factor/disable/", {"disable-password": "nope"}).status_code == 400
    assert TOTPDevice.objects.filter(user=user).exists()
    response = client.post("/accounts/two-factor/disable/", {"disable-password": PASSWORD})
    assert response["Location"] == "/accounts/two-factor/"
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    client.logout()
    assert client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})["Location"] == "/"


def test_enrolling_twice_is_refused():
    user = make_user()
    enrol(user)
    with pytest.raises(ValidationError, match="already on"):
        enrol(user)


def test_a_required_role_is_sent_to_enrolment_before_anything_else(client, settings):
    settings.QUALITAS_2FA_REQUIRED_ROLES = ["QA Manager"]
    manager = make_user(role="QA Manager")
    response = sign_in(client, manager)
    assert response["Location"] == "/"
    home = client.get("/")
    assert home["Location"] == "/accounts/two-factor/enrol/?next=%2F"
    assert client.get("/accounts/companies/")["Location"].startswith("/accounts/two-factor/enrol/")
    page = client.get("/accounts/two-factor/enrol/")
    assert "Your role requires two-factor authentication" in page.content.decode()
    secret = client.session["qualitas_enrol_secret"]
    client.post("/accounts/two-factor/enrol/", {"code": current_code(secret)})
    assert client.get("/").status_code == 200
    # And it cannot be turned off.
    with pytest.raises(ValidationError, match="requires two-factor"):
        services.disable_two_factor(manager, PASSWORD)


def test_other_roles_are_not_forced(client, settings):
    settings.QUALITAS_2FA_REQUIRED_ROLES = ["Admin"]
    inspector = make_user(role="QA Inspector")
    sign_in(client, inspector)
    assert client.get("/").status_code == 200


def test_the_two_factor_page_needs_a_signed_in_user(client):
    assert client.get("/accounts/two-factor/")["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/two-factor/disable/", {"disable-password": "x"})["Location"].startswith(
        "/accounts/login/"
    )
