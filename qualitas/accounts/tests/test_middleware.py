"""SecurityPolicyMiddleware: what a session that owes a step may and may not reach."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from qualitas.accounts import session
from qualitas.accounts.middleware import SecurityPolicyMiddleware
from qualitas.accounts.tests.helpers import sign_in
from qualitas.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(client):
    user = make_user(role="QA Manager")
    user.must_change_password = True
    user.save()
    sign_in(client, user)
    return user


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/accounts/password/change/", 200),
        ("/accounts/login/", 200),
        ("/accounts/password/reset/", 200),
        ("/accounts/password/reset/sent/", 200),
        ("/healthz", 200),
    ],
)
def test_exempt_pages_stay_reachable(client, flagged, path, status):
    assert client.get(path).status_code == status


@pytest.mark.parametrize(
    "path", ["/", "/accounts/profile/", "/accounts/companies/", "/admin/", "/search/?q=x"]
)
def test_everything_else_redirects_to_the_step(client, flagged, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/password/change/?next=")


def test_a_post_is_refused_too(client, flagged):
    response = client.post("/accounts/companies/add/", {"name": "Sneaky"})
    assert response["Location"] == "/accounts/password/change/"


def test_htmx_requests_get_an_hx_redirect(client, flagged):
    response = client.get("/accounts/companies/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/password/change/")


def test_logout_is_always_possible(client, flagged):
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_the_middleware_makes_no_query_of_its_own(rf):
    user = make_user(role="QA Manager")
    request = rf.get("/accounts/companies/")
    request.user = user
    request.session = {session.STATE_KEY: {session.VERIFY_CODE: False, session.ENROL_TWO_FACTOR: False}}
    request.resolver_match = resolve("/accounts/companies/")
    middleware = SecurityPolicyMiddleware(lambda request: None)
    with CaptureQueriesContext(connection) as queries:
        assert middleware.process_view(request, None, (), {}) is None
        request.session[session.STATE_KEY][session.ENROL_TWO_FACTOR] = True
        assert middleware.process_view(request, None, (), {})["Location"].startswith(
            "/accounts/two-factor/enrol/"
        )
    assert len(queries) == 0


def test_anonymous_requests_pass_through(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/")["Location"].startswith("/accounts/login/")
