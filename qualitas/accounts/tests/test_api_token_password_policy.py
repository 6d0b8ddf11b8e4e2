"""API tokens follow the password policy: a token of a user who must choose a new password (forced
by an administrator, or expired) gets 401 with the reason until the password is changed; the
token endpoint does not hand out new ones meanwhile."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from qualitas.accounts import services
from qualitas.accounts.models import ApiToken, User
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Long-Passphrase-7"


@pytest.fixture
def api():
    return APIClient(REMOTE_ADDR="127.0.0.1")


def get_with(api, key):
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/companies/")


def force_password_change(user):
    User.objects.filter(pk=user.pk).update(must_change_password=True)


def age_password(user, days):
    User.objects.filter(pk=user.pk).update(password_changed=timezone.now() - datetime.timedelta(days=days))


def test_a_token_works_while_the_password_is_in_order(api):
    _token, key = services.create_api_token(make_user(role="QA Manager"), "script")
    assert get_with(api, key).status_code == 200


def test_a_forced_password_change_gets_401_with_the_reason(api):
    user = make_user(role="QA Manager")
    token, key = services.create_api_token(user, "script")
    force_password_change(user)

    response = get_with(api, key)

    assert response.status_code == 401
    assert response.json()["detail"] == (
        "The password of the token's user must be changed: sign in on the web and choose a new one, "
        "then the token works again."
    )
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert ApiToken.objects.get(pk=token.pk).last_used is None  # a refused request is not a use


def test_an_expired_password_gets_401_with_the_reason(api, settings):
    settings.QUALITAS_PASSWORD_EXPIRY_DAYS = 90
    user = make_user(role="QA Manager")
    _token, key = services.create_api_token(user, "script")
    age_password(user, 89)
    assert get_with(api, key).status_code == 200

    age_password(user, 91)
    response = get_with(api, key)

    assert response.status_code == 401
    assert response.json()["detail"].startswith("The password of the token's user has expired")


def test_the_token_works_again_after_the_password_is_changed(api):
    user = make_user(role="QA Manager")
    _token, key = services.create_api_token(user, "script")
    force_password_change(user)
    assert get_with(api, key).status_code == 401

    services.change_password(User.objects.get(pk=user.pk), NEW_PASSWORD, PASSWORD)

    assert get_with(api, key).status_code == 200


def test_a_user_without_a_usable_password_is_not_held_to_the_policy(api, settings):
    settings.QUALITAS_PASSWORD_EXPIRY_DAYS = 1
    user = make_user(role="QA Manager", password=None)
    _token, key = services.create_api_token(user, "script")
    assert get_with(api, key).status_code == 200


def test_the_token_endpoint_refuses_new_tokens_until_the_password_is_changed(api):
    user = make_user(role="QA Manager")
    force_password_change(user)

    response = api.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    assert not ApiToken.objects.filter(user=user).exists()
