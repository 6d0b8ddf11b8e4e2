"""Sessions end after SESSION_COOKIE_AGE of inactivity, and each request renews them."""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from qualitas.accounts.tests.helpers import sign_in
from qualitas.testing.factories import make_user

pytestmark = pytest.mark.django_db


@contextmanager
def clock(moment):
    """Run as if it were ``moment`` for the session machinery (load, save and expiry)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def test_a_session_expires_after_the_idle_time_and_activity_renews_it(client):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    start = timezone.now()
    user = make_user()
    with clock(start):
        sign_in(client, user)
        assert client.get("/").status_code == 200

    # Active at 2/3 of the idle time: still signed in, and the expiry moves on.
    with clock(start + idle * 2 / 3):
        assert client.get("/").status_code == 200
    # Past the first expiry but within the renewed one: still signed in.
    with clock(start + idle * 4 / 3):
        assert client.get("/").status_code == 200
    # Idle for longer than SESSION_COOKIE_AGE: signed out.
    with clock(start + idle * 4 / 3 + idle + datetime.timedelta(seconds=1)):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_idle_time_is_thirty_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
