"""The signature hook of actions: an action with ``signature_meaning`` (the testapp's Approve) or
``@SignatureRequired(...)`` runs only with valid signature components, signs in the same
transaction, and refuses with field errors otherwise: in code, on the action page and through the
API's action endpoint."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from qualitas.accounts import services as accounts
from qualitas.accounts.models import LoginAttempt
from qualitas.accounts.tests.helpers import current_code, enrol
from qualitas.core.models import DomainEvent
from qualitas.framework.actions import Action, SignatureRequired
from qualitas.framework.context import change_context
from qualitas.signatures.models import Signature
from qualitas.signatures.services import SigningError, signatures_for
from qualitas.signatures.tests.helpers import components, make_widget
from qualitas.testing.api import assert_error
from qualitas.testing.factories import PASSWORD
from qualitas.testing.records import WriteCheck, user_with
from qualitas.testing.testapp.actions import Approve
from qualitas.testing.testapp.choices import WidgetStatusChoices as Status
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db

APPROVER = ("view", "change", "testapp.approve_widget")


def approver(**fields):
    return user_with(Widget, APPROVER, **fields)


def in_review(**fields):
    return make_widget(status=Status.REVIEW, **fields)


# --- In code ------------------------------------------------------------------------------------


def test_an_action_with_a_signature_meaning_signs_in_its_transaction():
    user = approver(full_name="Ada Approver")
    widget = in_review()
    with change_context(user=user):
        Approve(widget, user).execute(signature=components(user, comment="Released for production"))
    widget.refresh_from_db()
    assert widget.status == Status.APPROVED
    signature = Signature.objects.get()
    assert (signature.meaning, signature.printed_name, signature.comment) == (
        "approved",
        "Ada Approver",
        "Released for production",
    )
    assert signature.object_id == str(widget.pk)
    event = DomainEvent.objects.get(name="widget.approve")
    assert event.data == {
        "from": Status.REVIEW,
        "to": Status.APPROVED,
        "reason": "",
        "signature": signature.pk,
    }
    # Signed after the transition: the signature covers the record as approved, and still matches.
    assert [s.matches_current for s in signatures_for(widget)] == [True]


@pytest.mark.parametrize(
    "signature, fields",
    [
        (None, {"email", "password"}),
        ({"password": PASSWORD}, {"email"}),
        ({"email": "someone@example.com", "password": PASSWORD}, {"email"}),
        ("wrong password", {"password"}),
    ],
)
def test_without_valid_components_the_action_does_nothing(signature, fields):
    user = approver()
    widget = in_review()
    if signature == "wrong password":
        signature = components(user, password="not-it")
    check = WriteCheck(Widget, widget)
    with pytest.raises(SigningError) as error:
        Approve(widget, user).execute(signature=signature)
    assert set(error.value.errors) == fields
    check.assert_nothing_written()
    widget.refresh_from_db()
    assert widget.status == Status.REVIEW
    assert not Signature.objects.exists()


def test_a_wrong_password_on_an_action_is_logged_and_counts_toward_the_lockout(settings):
    settings.QUALITAS_LOCKOUT_ATTEMPTS = 2
    user = approver()
    widget = in_review()
    for _ in range(2):
        with pytest.raises(SigningError):
            Approve(widget, user).execute(signature=components(user, password="not-it"))
    assert list(LoginAttempt.objects.values_list("channel", "reason")) == [("signature", "bad_password")] * 2
    with pytest.raises(SigningError, match="locked"):
        Approve(widget, user).execute(signature=components(user))
    widget.refresh_from_db()
    assert widget.status == Status.REVIEW


def test_permission_and_blockers_come_before_the_signature():
    editor = user_with(Widget, ("view", "change"))
    widget = in_review()
    with pytest.raises(Exception, match="permission"):
        Approve(widget, editor).execute(signature=components(editor, password="not-it"))
    blocked = in_review(specification=" ")
    with pytest.raises(Exception, match="no specification"):
        Approve(blocked, approver()).execute(signature={"password": "not-it"})
    assert not LoginAttempt.objects.exists()


@SignatureRequired("verified")
class Verify(Action):
    name = "verify"
    label = "Verify"
    source = (Status.APPROVED,)
    event = "widget.approve"  # a registered event: this action exists only in this test


def test_signature_required_makes_any_action_signed():
    assert Verify.signature_meaning == "verified"
    user = user_with(Widget, ("view", "change"))
    widget = make_widget(status=Status.APPROVED)
    with pytest.raises(SigningError):
        Verify(widget, user).execute()
    Verify(widget, user).execute(signature=components(user))
    assert Signature.objects.get().meaning == "verified"
    with pytest.raises(TypeError):
        SignatureRequired("approved")(object)


# --- On the action page -------------------------------------------------------------------------


def action_url(widget):
    return f"{widget.get_absolute_url()}actions/approve/"


def test_the_action_page_asks_for_the_signature(settings):
    user = approver()
    enrol(user)
    web = Client()
    web.force_login(user)
    # force_login does not verify the code: mark the session's security steps done.
    session = web.session
    session["qualitas_security"] = {"verify_code": False, "enrol_two_factor": False}
    session.save()
    html = web.get(action_url(in_review())).content.decode()
    assert 'Electronic signature: <span class="signature-meaning">Approved</span>' in html
    for name in ("email", "password", "otp", "comment"):
        assert f'name="{name}"' in html
    assert "Sign and approve" in html


def test_approving_on_the_page_with_a_wrong_password_shows_the_error_and_changes_nothing():
    user = approver()
    web = Client()
    web.force_login(user)
    widget = in_review()
    check = WriteCheck(Widget, widget)
    response = web.post(action_url(widget), {"email": user.email, "password": "not-it"})
    assert response.status_code == 400
    assert "The password is not correct. Nothing was signed." in response.content.decode()
    check.assert_nothing_written()
    response = web.post(action_url(widget), {"password": PASSWORD})
    assert response.status_code == 400
    assert "Enter your e-mail address" in response.content.decode()
    assert not Signature.objects.exists()


def test_approving_on_the_page_signs_first_with_everything_then_with_the_password():
    user = approver(full_name="Ada Approver")
    web = Client()
    web.force_login(user)
    first, second = in_review(), in_review()
    response = web.post(action_url(first), {"email": user.email, "password": PASSWORD, "comment": "Fine"})
    assert response.status_code == 302 and response["Location"] == first.get_absolute_url()
    first.refresh_from_db()
    assert first.status == Status.APPROVED
    html = web.get(action_url(second)).content.decode()
    assert 'name="email"' not in html and 'name="password"' in html
    assert web.post(action_url(second), {"password": PASSWORD}).status_code == 302
    second.refresh_from_db()
    assert second.status == Status.APPROVED
    assert list(Signature.objects.order_by("id").values_list("session_rule", "object_id")) == [
        ("first_in_session", str(first.pk)),
        ("continuous", str(second.pk)),
    ]
    html = web.get(f"{first.get_absolute_url()}signatures/").content.decode()
    assert "Ada Approver" in html and "Fine" in html and "Matches the current content" in html


def test_a_blocked_action_page_asks_for_no_signature():
    user = approver()
    web = Client()
    web.force_login(user)
    widget = in_review(specification="")
    response = web.post(action_url(widget), {"password": "not-it"})
    assert response.status_code == 409
    assert 'name="password"' not in response.content.decode()
    assert not LoginAttempt.objects.exists()


# --- Through the API ----------------------------------------------------------------------------


def api_action_url(widget):
    return f"/api/v1/widgets/{widget.pk}/actions/approve/"


@pytest.fixture
def token_client():
    def make(user):
        client = APIClient()
        _token, key = accounts.create_api_token(user, "approvals script")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def test_the_api_action_refuses_a_wrong_password_with_400(token_client):
    user = approver()
    secret, _codes = enrol(user)
    client = token_client(user)
    widget = in_review()
    check = WriteCheck(Widget, widget)
    body = assert_error(client.post(api_action_url(widget), {"password": "not-it"}, format="json"), 400)
    assert set(body["errors"]) == {"email", "otp"}
    body = assert_error(
        client.post(
            api_action_url(widget),
            {"password": "not-it", "email": user.email, "otp": current_code(secret)},
            format="json",
        ),
        400,
    )
    assert body["errors"] == {"password": ["The password is not correct. Nothing was signed."]}
    body = assert_error(client.post(api_action_url(widget), {"password": 12345}, format="json"), 400)
    assert body["errors"] == {"password": ["Send this as text."]}
    check.assert_nothing_written()
    assert list(LoginAttempt.objects.values_list("channel", "reason")) == [("signature", "bad_password")]


def test_the_api_action_signs_with_every_component(token_client):
    user = approver()
    secret, _codes = enrol(user)
    client = token_client(user)
    widget = in_review()
    response = client.post(
        api_action_url(widget),
        {"password": PASSWORD, "email": user.email, "otp": current_code(secret), "comment": "By script"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.APPROVED
    signature = Signature.objects.get()
    assert (signature.session_rule, signature.comment, signature.meaning) == (
        "no_session",
        "By script",
        "approved",
    )
