"""``/api/v1/signatures/``: the generic read tests, signing by POST with the §11.200 rules (an API
token is no session: every component every time; a session-authenticated client follows the
session rules), field errors, and records the user may not see."""

import time

import pyotp
import pytest
from rest_framework.test import APIClient

from qualitas.accounts import services as accounts
from qualitas.accounts.models import LoginAttempt
from qualitas.accounts.tests.helpers import current_code, enrol
from qualitas.framework.context import change_context
from qualitas.signatures.models import Signature
from qualitas.signatures.tests.helpers import make_signature, make_signer, make_widget
from qualitas.signatures.tests.test_views import SignatureScope
from qualitas.testing.api import ExportTests, GetObjectTests, ListObjectsTests, assert_error
from qualitas.testing.factories import PASSWORD
from qualitas.testing.records import WriteCheck, customer_company, customer_of
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

URL = "/api/v1/signatures/"


class TestSignatureAPI(SignatureScope, GetObjectTests, ListObjectsTests, ExportTests):
    """Read through the generic tests; writing is signing (below), never a change."""

    def test_changes_and_removal_are_not_allowed(self):
        signature = self.make_object()
        self.login("view", "add")
        for method in ("put", "patch", "delete"):
            check = WriteCheck(Signature, signature)
            assert_error(getattr(self.client, method)(self.detail_url(signature), {}, format="json"), 405)
            check.assert_nothing_written()


def record(widget):
    return f"testapp.widget:{widget.pk}"


@pytest.fixture
def api():
    return APIClient()


def with_token(client, user):
    _token, key = accounts.create_api_token(user, "signing script")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_with_a_token_every_signing_needs_email_password_and_code(api):
    user = make_signer(full_name="Rob Script")
    secret, _codes = enrol(user)
    widget = make_widget()
    with_token(api, user)
    body = {"record": record(widget), "meaning": "verified", "password": PASSWORD}
    errors = assert_error(api.post(URL, body, format="json"), 400)["errors"]
    assert set(errors) == {"email", "otp"}
    response = api.post(URL, {**body, "email": user.email, "otp": current_code(secret)}, format="json")
    assert response.status_code == 201, response.json()
    signed = response.json()
    assert signed["session_rule"] == "no_session"
    assert signed["printed_name"] == "Rob Script" and signed["meaning"] == "verified"
    assert signed["record"] == record(widget) and signed["matches_current"] is True
    assert signed["record_url"].endswith(widget.get_absolute_url())
    assert "password" not in signed and "otp" not in signed
    # A token never makes a session: the next signing needs everything again.
    errors = assert_error(api.post(URL, body, format="json"), 400)["errors"]
    assert set(errors) == {"email", "otp"}
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    response = api.post(URL, {**body, "email": user.email, "otp": next_code}, format="json")
    assert response.status_code == 201
    assert list(Signature.objects.values_list("session_rule", flat=True)) == ["no_session", "no_session"]


def test_a_session_client_follows_the_session_rules(api):
    user = make_signer()
    api.force_login(user)
    widget = make_widget()
    body = {"record": record(widget), "meaning": "reviewed", "password": PASSWORD}
    assert set(assert_error(api.post(URL, body, format="json"), 400)["errors"]) == {"email"}
    assert api.post(URL, {**body, "email": user.email}, format="json").status_code == 201
    assert api.post(URL, body, format="json").status_code == 201
    assert list(Signature.objects.order_by("id").values_list("session_rule", flat=True)) == [
        "first_in_session",
        "continuous",
    ]


def test_a_wrong_password_is_400_with_the_field_and_signs_nothing(api):
    user = make_signer()
    with_token(api, user)
    widget = make_widget()
    body = {"record": record(widget), "meaning": "approved", "email": user.email, "password": "wrong"}
    response = assert_error(api.post(URL, body, format="json"), 400)
    assert response["errors"] == {"password": ["The password is not correct. Nothing was signed."]}
    assert not Signature.objects.exists()
    assert LoginAttempt.objects.get(user=user).channel == "signature"


def test_bad_requests_are_400_with_field_errors(api):
    user = make_signer()
    with_token(api, user)
    widget = make_widget()
    for body, field in (
        ({"meaning": "approved", "password": PASSWORD}, "record"),
        ({"record": "widget 12", "meaning": "approved"}, "record"),
        ({"record": record(widget), "meaning": "liked"}, "meaning"),
        ({"record": record(widget), "meaning": "approved", "comment": "x" * 2001}, "comment"),
        ({"record": record(widget), "meaning": "approved", "password": ["a", "b"]}, "password"),
    ):
        errors = assert_error(api.post(URL, body, format="json"), 400)["errors"]
        assert field in errors, (body, errors)
    assert not Signature.objects.exists() and not LoginAttempt.objects.exists()


def test_records_the_user_may_not_see_are_404_and_signing_needs_the_permission(api):
    company_a, company_b = customer_company(), customer_company()
    customer = customer_of(company_a, Widget, ("view",))  # sees the widget, may not sign
    theirs, ours = make_widget(company=company_b), make_widget(company=company_a)
    body = {"meaning": "approved", "email": customer.email, "password": PASSWORD}
    assert_error(api.post(URL, {**body, "record": record(ours)}, format="json"), 401)
    api.force_login(customer)
    assert_error(api.post(URL, {**body, "record": record(ours)}, format="json"), 403)
    signer = make_signer(company=company_a, role="Customer")
    api.force_login(signer)
    assert_error(api.post(URL, {**body, "email": signer.email, "record": record(theirs)}, format="json"), 404)
    assert_error(api.post(URL, {**body, "record": "testapp.gadget:1"}, format="json"), 404)
    assert_error(api.post(URL, {**body, "record": f"testapp.widget:{theirs.pk + 1000}"}, format="json"), 404)
    assert not Signature.objects.exists() and not LoginAttempt.objects.exists()
    response = api.post(URL, {**body, "email": signer.email, "record": record(ours)}, format="json")
    assert response.status_code == 201


def test_the_list_filters_by_record_meaning_and_signer_and_shows_the_match(api):
    quinn, sam = make_signer(), make_signer()
    one, two = make_widget(), make_widget()
    make_signature(one, quinn, meaning="authored")
    make_signature(one, sam, meaning="approved")
    make_signature(two, sam, meaning="approved")
    one.name = "Changed after signing"
    with change_context(user=quinn):
        one.save()
    api.force_login(quinn)

    def listed(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return [(row["record"], row["meaning"], row["matches_current"]) for row in response.json()["results"]]

    assert listed(record=record(one)) == [(record(one), "authored", False), (record(one), "approved", False)]
    assert listed(meaning="approved", ordering="id") == [
        (record(one), "approved", False),
        (record(two), "approved", True),
    ]
    assert listed(signer=quinn.pk) == [(record(one), "authored", False)]
    body = assert_error(api.get(URL, {"record": "nonsense"}), 400)
    assert "record" in body["errors"]


def test_signatures_of_records_out_of_scope_are_not_listed(api):
    company_a, company_b = customer_company(), customer_company()
    ours, theirs = make_widget(company=company_a), make_widget(company=company_b)
    mine = make_signature(ours)
    make_signature(theirs)
    customer = make_signer(company=company_a, role="Customer")
    api.force_login(customer)
    response = api.get(URL)
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert_error(api.get(f"{URL}{Signature.objects.exclude(pk=mine.pk).get().pk}/"), 404)
