"""TOTP secrets are encrypted at rest with a key derived from SECRET_KEY. When SECRET_KEY changes
and the old key is not kept in SECRET_KEY_FALLBACKS, sign-in explains what happened (no 500) and
recovery codes still work."""

import importlib
from io import StringIO

import pyotp
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from qualitas.accounts import encryption, services
from qualitas.accounts.choices import LoginAttemptReasonChoices
from qualitas.accounts.models import LoginAttempt, RecoveryCode, TOTPDevice
from qualitas.accounts.tests.helpers import current_code, enrol, sign_in
from qualitas.core.audit import history
from qualitas.core.models import DomainEvent
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

OLD_KEY = "the-old-secret-key-" + "x" * 40
NEW_KEY = "the-new-secret-key-" + "y" * 40


# --- The cipher ---------------------------------------------------------------------------------


def test_a_value_round_trips_and_is_not_stored_in_clear(settings):
    settings.SECRET_KEY = OLD_KEY
    token = encryption.encrypt("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in token
    assert encryption.decrypt(token) == "JBSWY3DPEHPK3PXP"
    assert encryption.encrypt("JBSWY3DPEHPK3PXP") != token  # a fresh IV every time


def test_another_secret_key_cannot_decrypt(settings):
    settings.SECRET_KEY = OLD_KEY
    token = encryption.encrypt("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY = NEW_KEY
    with pytest.raises(encryption.DecryptionFailed):
        encryption.decrypt(token)
    with pytest.raises(encryption.DecryptionFailed):
        encryption.decrypt("not a token")


def test_a_fallback_key_still_decrypts_and_new_values_use_the_current_key(settings):
    settings.SECRET_KEY = OLD_KEY
    old_token = encryption.encrypt("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert encryption.decrypt(old_token) == "JBSWY3DPEHPK3PXP"
    new_token = encryption.encrypt("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY_FALLBACKS = []
    assert encryption.decrypt(new_token) == "JBSWY3DPEHPK3PXP"


def test_the_key_is_bound_to_its_purpose():
    assert encryption.derive_key(OLD_KEY) != encryption.derive_key(OLD_KEY, purpose=b"something else")
    assert encryption.derive_key(OLD_KEY) != encryption.derive_key(NEW_KEY)


# --- The stored device --------------------------------------------------------------------------


def test_enrolment_stores_the_secret_encrypted_and_the_trail_redacts_it():
    user = make_user()
    secret, _codes = enrol(user)
    device = TOTPDevice.objects.get(user=user)
    assert secret not in device.secret and device.get_secret() == secret
    created = history(device).get()
    assert created.changes["secret"][1].startswith("redacted:")
    assert secret not in str(created.changes) and device.secret not in str(created.changes)


def test_the_data_migration_encrypts_existing_secrets_once_and_can_be_reversed():
    migration = importlib.import_module("qualitas.accounts.migrations.0003_encrypted_totp_secrets")
    user = make_user()
    secret, _codes = enrol(user)
    TOTPDevice.objects.filter(user=user).update(secret=secret)  # as stored before the migration

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.encrypt_secrets(apps, editor)
    stored = TOTPDevice.objects.get(user=user).secret
    assert stored != secret and encryption.decrypt(stored) == secret

    migration.encrypt_secrets(apps, editor)  # already encrypted: left alone
    assert TOTPDevice.objects.get(user=user).secret == stored

    migration.decrypt_secrets(apps, editor)
    assert TOTPDevice.objects.get(user=user).secret == secret


# --- Sign-in after SECRET_KEY changed -----------------------------------------------------------


@pytest.fixture
def enrolled(settings):
    settings.SECRET_KEY = OLD_KEY
    user = make_user(role="QA Manager")
    secret, codes = enrol(user)
    return user, secret, codes


def test_a_rotated_key_kept_as_fallback_signs_in_as_before(client, settings, enrolled):
    user, secret, _codes = enrolled
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    response = sign_in(client, user, secret=secret)
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_changed_key_gives_a_clear_message_at_sign_in_not_a_500(client, settings, enrolled):
    user, secret, codes = enrolled
    settings.SECRET_KEY = NEW_KEY

    response = client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/login/verify/"
    response = client.post("/accounts/login/verify/", {"code": current_code(secret)})

    assert response.status_code == 400
    html = response.content.decode()
    assert "secret key has changed since" in html and "recovery codes" in html
    attempt = LoginAttempt.objects.order_by("-id").first()
    assert attempt.reason == LoginAttemptReasonChoices.TWO_FACTOR_UNREADABLE and not attempt.success

    # Recovery codes are hashed, not encrypted: they still finish the sign-in.
    response = client.post("/accounts/login/verify/", {"code": codes[0]})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_changed_key_counts_toward_the_lockout(client, settings, enrolled):
    user, secret, _codes = enrolled
    settings.SECRET_KEY = NEW_KEY
    settings.QUALITAS_LOCKOUT_ATTEMPTS = 2
    results = [services.sign_in(user.email, PASSWORD, code="123456").outcome for _ in range(2)]
    assert results == ["two_factor_unreadable", "locked"]


def test_the_api_token_endpoint_explains_a_changed_key(settings, enrolled):
    user, secret, _codes = enrolled
    settings.SECRET_KEY = NEW_KEY
    response = APIClient(REMOTE_ADDR="127.0.0.1").post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": PASSWORD, "code": current_code(secret)},
        format="json",
    )
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "two_factor_unreadable" and "secret key has changed" in body["detail"]


def test_an_unreadable_device_can_be_turned_off_even_when_the_role_requires_two_factor(
    client, settings, enrolled
):
    user, _secret, codes = enrolled
    settings.QUALITAS_2FA_REQUIRED_ROLES = ["QA Manager"]
    settings.SECRET_KEY = NEW_KEY
    client.post("/accounts/login/", {"email": user.email, "password": PASSWORD})
    client.post("/accounts/login/verify/", {"code": codes[0]})

    page = client.get("/accounts/two-factor/").content.decode()
    assert "Your authenticator can no longer be checked" in page

    response = client.post("/accounts/two-factor/disable/", {"disable-password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/enrol/"
    assert not TOTPDevice.objects.filter(user=user).exists()
    # The role still requires it: every other page leads back to enrolment.
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/two-factor/enrol/")

    assert client.get("/accounts/two-factor/enrol/").status_code == 200
    new_secret = client.session["qualitas_enrol_secret"]
    response = client.post("/accounts/two-factor/enrol/", {"code": pyotp.TOTP(new_secret).now()})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).get_secret() == new_secret


def test_a_readable_device_still_cannot_be_turned_off_when_the_role_requires_it(client, settings, enrolled):
    user, secret, _codes = enrolled
    settings.QUALITAS_2FA_REQUIRED_ROLES = ["QA Manager"]
    sign_in(client, user, secret=secret)
    response = client.post("/accounts/two-factor/disable/", {"disable-password": PASSWORD})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=user).exists()


# --- Re-encryption after a rotation -------------------------------------------------------------


def test_reencrypting_moves_secrets_to_the_current_key_and_lists_unreadable_ones(settings):
    settings.SECRET_KEY = OLD_KEY
    rotated = make_user(email="rotated@example.com")
    rotated_secret, _codes = enrol(rotated)
    settings.SECRET_KEY = "a-key-nobody-kept-" + "z" * 40
    lost = make_user(email="lost@example.com")
    enrol(lost)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    out = StringIO()

    call_command("reencrypt_totp_secrets", stdout=out)

    assert "1 two-factor secret(s) re-encrypted" in out.getvalue()
    assert "unreadable: lost@example.com" in out.getvalue()
    settings.SECRET_KEY_FALLBACKS = []
    assert TOTPDevice.objects.get(user=rotated).get_secret() == rotated_secret
    assert TOTPDevice.objects.filter(user=lost).exists()  # only listed

    call_command("reencrypt_totp_secrets", "--remove-unreadable", stdout=StringIO())
    assert not TOTPDevice.objects.filter(user=lost).exists()
    assert not RecoveryCode.objects.filter(user=lost).exists()
    assert TOTPDevice.objects.filter(user=rotated).exists()
    event = DomainEvent.objects.filter(name="accounts.two_factor_disabled").get()
    assert event.object_id == str(lost.pk)
