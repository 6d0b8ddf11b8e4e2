"""Helpers for the account security tests: two-factor enrolment and signing in through the pages."""

import time

import pyotp

from qualitas.accounts import services
from qualitas.testing.factories import PASSWORD


def enrol(user, secret=None):
    """Turn two-factor on for ``user`` through the service, confirming with the previous step's
    code so that the current one is still unused. Returns ``(secret, recovery codes)``."""
    secret = secret or pyotp.random_base32()
    codes = services.enable_two_factor(user, secret, pyotp.TOTP(secret).at(time.time() - 30))
    return secret, codes


def current_code(secret):
    return pyotp.TOTP(secret).now()


def sign_in(client, user, password=PASSWORD, secret=None, **extra):
    """Sign in through the real login page (and the code step when ``secret`` is given)."""
    response = client.post("/accounts/login/", {"email": user.email, "password": password}, **extra)
    if secret is not None:
        assert response.status_code == 302 and response["Location"] == "/accounts/login/verify/", response
        response = client.post("/accounts/login/verify/", {"code": current_code(secret)}, **extra)
    return response
