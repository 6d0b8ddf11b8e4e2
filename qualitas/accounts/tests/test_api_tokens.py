"""API tokens: the page, the authentication class, the token endpoints and their throttles."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from qualitas.accounts import keys, services
from qualitas.accounts.models import ApiToken, LoginAttempt
from qualitas.accounts.tests.helpers import current_code, enrol, sign_in
from qualitas.core.audit import history
from qualitas.core.models import DomainEvent
from qualitas.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(REMOTE_ADDR="127.0.0.1")


def with_token(api, key):
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_the_page_creates_a_token_shows_it_once_and_lists_it(client):
    user = make_user()
    sign_in(client, user)
    assert client.get("/accounts/api-tokens/").status_code == 200
    response = client.post("/accounts/api-tokens/", {"name": "ERP import", "expires_in_days": 30})
    assert response["Location"] == "/accounts/api-tokens/"
    page = client.get("/accounts/api-tokens/").content.decode()
    token = ApiToken.objects.get()
    key = page.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert key.startswith("qlt_") and len(key) > 40
    assert token.key_hash == keys.digest(key) and key not in token.key_hash
    assert token.prefix == key[:12] and token.user == user
    assert token.expires == pytest.approx(
        timezone.now() + datetime.timedelta(days=30), abs=datetime.timedelta(seconds=10)
    )
    assert key not in client.get("/accounts/api-tokens/").content.decode()  # once
    assert "ERP import" in client.get("/accounts/api-tokens/").content.decode()
    assert history(token).get().changes["key_hash"][1].startswith("redacted:")
    assert DomainEvent.objects.filter(name="accounts.api_token_created").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "expires_in_days": 30}, "name"),
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 10000}, "expires_in_days"),
        ({"name": "x", "expires_in_days": "soon"}, "expires_in_days"),
    ],
)
def test_bad_token_input_is_a_form_error(client, data, field):
    sign_in(client, make_user())
    response = client.post("/accounts/api-tokens/", data)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_the_default_lifetime_comes_from_settings(settings):
    settings.QUALITAS_API_TOKEN_DEFAULT_DAYS = 10
    token, _key = services.create_api_token(make_user(), "script")
    assert token.expires == pytest.approx(
        timezone.now() + datetime.timedelta(days=10), abs=datetime.timedelta(seconds=10)
    )


def test_a_token_authenticates_api_requests_and_records_its_use(api):
    user = make_user(role="QA Manager")
    token, key = services.create_api_token(user, "script")
    response = with_token(api, key).get("/api/v1/companies/", REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    token.refresh_from_db()
    assert str(token.last_used_ip) == "198.51.100.7"
    first_use = token.last_used
    # Within a minute, use is not written again.
    with_token(api, key).get("/api/v1/companies/", REMOTE_ADDR="198.51.100.8")
    token.refresh_from_db()
    assert token.last_used == first_use and str(token.last_used_ip) == "198.51.100.7"
    ApiToken.objects.filter(pk=token.pk).update(last_used=first_use - datetime.timedelta(minutes=2))
    with_token(api, key).get("/api/v1/companies/", REMOTE_ADDR="198.51.100.8")
    token.refresh_from_db()
    assert str(token.last_used_ip) == "198.51.100.8"
    # Use does not clutter the audit trail.
    assert all("last_used" not in entry.changes for entry in history(token))


def test_the_token_users_permissions_apply(api):
    operator = make_user(role="Production Operator")
    _token, key = services.create_api_token(operator, "script")
    assert with_token(api, key).get("/api/v1/users/").status_code == 403


@pytest.mark.parametrize(
    ("spoil", "detail"),
    [
        (lambda token: services.revoke_api_token(token, token.user), "This token has been revoked."),
        (
            lambda token: ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now()),
            "This token has expired.",
        ),
        (
            lambda token: type(token.user).objects.filter(pk=token.user_id).update(is_active=False),
            "The token's user is inactive.",
        ),
    ],
)
def test_revoked_expired_and_orphaned_tokens_get_401_with_the_reason(api, spoil, detail):
    token, key = services.create_api_token(make_user(role="QA Manager"), "script")
    spoil(token)
    response = with_token(api, key).get("/api/v1/companies/")
    assert response.status_code == 401
    assert response.json()["detail"] == detail
    assert response["WWW-Authenticate"] == 'Token realm="api"'


@pytest.mark.parametrize(
    "header",
    ["Token", "Token a b", "Token qlt_unknown", "Token " + "x" * 500, "token \xe9t\xe9"],
)
def test_malformed_and_unknown_keys_get_401(api, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/companies/")
    assert response.status_code == 401 and response.json()["status"] == 401


def test_token_endpoint_issues_a_token_for_email_and_password(api):
    user = make_user()
    response = api.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD, "name": "CI"})
    assert response.status_code == 201
    body = response.json()
    assert body["key"].startswith(body["prefix"]) and body["name"] == "CI" and body["is_active"]
    assert ApiToken.objects.get().key_hash == keys.digest(body["key"])
    assert LoginAttempt.objects.get().channel == "api"
    listing = with_token(APIClient(), body["key"]).get("/api/v1/tokens/")
    assert listing.status_code == 200
    assert [item["name"] for item in listing.json()["results"]] == ["CI"]
    assert "key" not in listing.json()["results"][0] and "key_hash" not in listing.json()["results"][0]


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({}, 400, "invalid"),
        ({"email": "a@example.com"}, 400, "invalid"),
        ({"email": "a@example.com", "password": "x", "expires_in_days": 0}, 400, "invalid"),
        ({"email": "nobody@example.com", "password": "Wrong-1"}, 401, "invalid_credentials"),
    ],
)
def test_token_endpoint_rejects_bad_input(api, data, status, code):
    response = api.post("/api/v1/auth/token/", data, format="json")
    assert response.status_code == status and response.json()["code"] == code
    assert not ApiToken.objects.exists()


def test_token_endpoint_needs_the_code_when_enrolled(api):
    user = make_user()
    secret, _ = enrol(user)
    missing = api.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
    assert missing.status_code == 401 and missing.json()["code"] == "code_required"
    wrong = api.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD, "code": "000000"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    right = api.post(
        "/api/v1/auth/token/", {"email": user.email, "password": PASSWORD, "code": current_code(secret)}
    )
    assert right.status_code == 201
    assert ApiToken.objects.count() == 1


def test_token_endpoint_refuses_a_user_whose_role_requires_enrolment(api, settings):
    settings.QUALITAS_2FA_REQUIRED_ROLES = ["Admin"]
    admin_user = make_user(role="Admin")
    response = api.post("/api/v1/auth/token/", {"email": admin_user.email, "password": PASSWORD})
    assert response.status_code == 403 and response.json()["code"] == "two_factor_enrolment_required"
    assert not ApiToken.objects.exists()


def test_token_endpoint_counts_toward_the_lockout(api, client):
    user = make_user()
    for attempt in range(4):
        assert (
            api.post("/api/v1/auth/token/", {"email": user.email, "password": f"Wrong-{attempt}"}).status_code
            == 401
        )
    locked = api.post("/api/v1/auth/token/", {"email": user.email, "password": "Wrong-5"})
    assert locked.status_code == 403 and locked.json()["code"] == "locked"
    assert api.post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}).status_code == 403
    # The same lock holds on the web.
    assert client.post("/accounts/login/", {"email": user.email, "password": PASSWORD}).status_code == 403
    assert not ApiToken.objects.exists()


def test_token_endpoints_are_throttled(api, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "2/min", "token": "3/min"})
    for _ in range(2):
        api.post("/api/v1/auth/token/", {"email": "x@example.com", "password": "y"})
    throttled = api.post("/api/v1/auth/token/", {"email": "x@example.com", "password": "y"})
    assert throttled.status_code == 429 and "Retry-After" in throttled
    assert LoginAttempt.objects.count() == 2

    cache.clear()
    _token, key = services.create_api_token(make_user(), "script")
    client = with_token(APIClient(), key)
    assert [client.get("/api/v1/tokens/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_revoking_through_the_api(api):
    user = make_user()
    token, key = services.create_api_token(user, "main")
    other, _ = services.create_api_token(user, "other")
    client = with_token(api, key)
    response = client.post(f"/api/v1/tokens/{other.pk}/revoke/")
    assert response.status_code == 200 and response.json()["revoked_at"] and not response.json()["is_active"]
    again = client.post(f"/api/v1/tokens/{other.pk}/revoke/")
    assert again.status_code == 409
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    # The token just revoked itself.
    assert client.get("/api/v1/tokens/").status_code == 401
    assert DomainEvent.objects.filter(name="accounts.api_token_revoked").count() == 2


def test_nobody_sees_or_revokes_someone_elses_tokens(api, client):
    owner = make_user()
    token, _ = services.create_api_token(owner, "owner's")
    intruder = make_user(role="QA Manager")
    _, intruder_key = services.create_api_token(intruder, "mine")
    intruding = with_token(api, intruder_key)
    assert [t["name"] for t in intruding.get("/api/v1/tokens/").json()["results"]] == ["mine"]
    assert intruding.get(f"/api/v1/tokens/{token.pk}/").status_code == 404
    assert intruding.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 404
    sign_in(client, intruder)
    assert client.post(f"/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not DomainEvent.objects.filter(name="accounts.api_token_revoked").exists()


def test_the_page_revokes_own_tokens(client):
    user = make_user()
    token, _ = services.create_api_token(user, "old script")
    sign_in(client, user)
    response = client.post(f"/accounts/api-tokens/{token.pk}/revoke/", follow=True)
    assert "The token old script is revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == user


def test_anonymous_token_list_is_401(api):
    assert api.get("/api/v1/tokens/").status_code == 401
