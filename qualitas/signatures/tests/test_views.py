"""The pages: the signature log (generic page tests) and the Signatures tab of every record, with
the §11.200 session rules as a person meets them: the first signing in a session asks for the
e-mail, password and code, later ones for the password only, and a new session starts over."""

import time

import pyotp
import pytest
from django.test import Client

from qualitas.accounts.models import LoginAttempt, User
from qualitas.accounts.tests.helpers import enrol, sign_in
from qualitas.core.models import DomainEvent
from qualitas.framework.context import change_context
from qualitas.signatures.models import Signature
from qualitas.signatures.tests.helpers import make_signature, make_signer, make_widget
from qualitas.testing.factories import PASSWORD
from qualitas.testing.records import customer_company, customer_of, permission, rows_of_company, user_with
from qualitas.testing.testapp.models import Widget
from qualitas.testing.views import DetailViewTests, ExportViewTests, ListViewTests, ReadOnlyPagesTests

pytestmark = pytest.mark.django_db


class SignatureScope:
    """Signatures are seen by whoever may see the signed record: the users of these tests can see
    widgets, so that the signature permission (and the record's scope) decides."""

    model = Signature

    def make_object(self, company=None):
        return make_signature(make_widget(company=company))

    def login(self, *actions, **fields):
        user = user_with(Signature, actions, **fields)
        user.user_permissions.add(permission(Widget, "view"))
        user = User.objects.get(pk=user.pk)
        self.client.force_login(user)
        return user

    def login_customer(self, company, *actions):
        user = customer_of(company, Signature, actions)
        user.user_permissions.add(permission(Widget, "view"))
        user = User.objects.get(pk=user.pk)
        self.client.force_login(user)
        return user

    def customer_visible(self, company):
        widgets = {str(pk) for pk in rows_of_company(Widget, company)}
        return set(Signature.objects.filter(object_id__in=widgets).values_list("pk", flat=True))


class TestSignatureViews(SignatureScope, ListViewTests, DetailViewTests, ExportViewTests, ReadOnlyPagesTests):
    """The signature log: list, detail and export; no add, edit, archive or history page."""


# --- The Signatures tab -------------------------------------------------------------------------


def tab_url(widget):
    return f"{widget.get_absolute_url()}signatures/"


@pytest.fixture
def web():
    return Client()


def test_the_tab_lists_the_signatures_with_their_match(web):
    user = make_signer(full_name="Quinn Manager")
    widget = make_widget()
    make_signature(widget, user, meaning="authored", comment="First draft")
    widget.specification = "Aluminium"
    with change_context(user=user):
        widget.save()
    make_signature(widget, user, meaning="reviewed")
    web.force_login(user)
    response = web.get(tab_url(widget))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="list-group-item signature"') == 2
    assert "Quinn Manager" in html and "First draft" in html
    assert html.count("Record changed after signing") == 1
    assert html.count("Matches the current content") == 1
    assert (
        "The record has changed after it was signed: 1 signature no longer covers its current content."
        in html
    )
    assert html.index(">Authored<") < html.index(">Reviewed<")
    assert " UTC</time>" in html


def test_the_tab_follows_the_records_scope(web):
    company_a, company_b = customer_company(), customer_company()
    customer = customer_of(company_a, Widget, ("view",))
    theirs = make_widget(company=company_b)
    make_signature(theirs)
    web.force_login(customer)
    assert web.get(tab_url(theirs)).status_code == 404
    response = web.post(
        tab_url(theirs), {"meaning": "approved", "password": PASSWORD, "email": customer.email}
    )
    assert response.status_code == 404
    assert Signature.objects.count() == 1
    assert not LoginAttempt.objects.exists()


def test_signing_needs_the_signature_permission(web):
    viewer = make_signer("view")
    widget = make_widget()
    web.force_login(viewer)
    html = web.get(tab_url(widget)).content.decode()
    assert "Sign this record" not in html
    response = web.post(tab_url(widget), {"meaning": "approved", "password": PASSWORD, "email": viewer.email})
    assert response.status_code == 403
    assert not Signature.objects.exists()


def test_the_first_signing_in_a_session_needs_every_component_and_later_ones_the_password(web):
    user = make_signer(full_name="Sam Signer")
    secret, _codes = enrol(user)
    sign_in(web, user, secret=secret)  # uses the current code
    widget = make_widget()

    html = web.get(tab_url(widget)).content.decode()
    assert 'name="email"' in html and 'name="password"' in html and 'name="otp"' in html
    assert "first signature in this session" in html

    # The password alone is not enough for the first signing.
    response = web.post(tab_url(widget), {"meaning": "reviewed", "password": PASSWORD})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter your e-mail address" in html and "Enter the 6-digit code" in html
    assert not Signature.objects.exists()

    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    response = web.post(
        tab_url(widget),
        {"meaning": "reviewed", "email": user.email, "password": PASSWORD, "otp": next_code, "comment": "OK"},
    )
    assert response.status_code == 302 and response["Location"] == tab_url(widget)
    first = Signature.objects.get()
    assert (first.session_rule, first.meaning, first.comment) == ("first_in_session", "reviewed", "OK")
    assert first.ip == "127.0.0.1"

    # Later in the same session: the password only.
    html = web.get(tab_url(widget)).content.decode()
    assert 'name="email"' not in html and 'name="otp"' not in html and 'name="password"' in html
    assert "You signed" in html  # the success message of the first signing
    assert "your password is enough" in html
    response = web.post(tab_url(widget), {"meaning": "approved", "password": PASSWORD})
    assert response.status_code == 302
    assert list(Signature.objects.order_by("id").values_list("session_rule", flat=True)) == [
        "first_in_session",
        "continuous",
    ]


def test_a_new_session_needs_every_component_again(web):
    user = make_signer()
    web.force_login(user)
    widget = make_widget()
    response = web.post(tab_url(widget), {"meaning": "authored", "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert 'name="email"' not in web.get(tab_url(widget)).content.decode()
    web.post("/accounts/logout/")
    web.force_login(user)
    html = web.get(tab_url(widget)).content.decode()
    assert 'name="email"' in html
    response = web.post(tab_url(widget), {"meaning": "verified", "password": PASSWORD})
    assert response.status_code == 400
    assert Signature.objects.count() == 1


def test_a_wrong_password_on_the_tab_is_shown_and_signs_nothing(web):
    user = make_signer()
    web.force_login(user)
    widget = make_widget()
    response = web.post(tab_url(widget), {"meaning": "approved", "email": user.email, "password": "wrong"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The password is not correct. Nothing was signed." in html
    assert 'value="wrong"' not in html  # the password is never sent back
    assert not Signature.objects.exists()
    assert not DomainEvent.objects.filter(name="signature.signed").exists()
    attempt = LoginAttempt.objects.get()
    assert (attempt.channel, attempt.reason, attempt.ip) == ("signature", "bad_password", "127.0.0.1")


def test_a_missing_meaning_is_a_form_error(web):
    user = make_signer()
    web.force_login(user)
    widget = make_widget()
    response = web.post(tab_url(widget), {"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Choose what your signature means." in response.content.decode()
    assert not Signature.objects.exists() and not LoginAttempt.objects.exists()


def test_the_signature_page_shows_the_signed_content_and_the_record(web):
    user = make_signer()
    widget = make_widget(name="Bracket")
    signature = make_signature(widget, user, comment="Checked against drawing")
    web.force_login(user)
    response = web.get(signature.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert signature.content_hash in html
    assert f'href="{widget.get_absolute_url()}"' in html
    assert "Matches the signed content" in html
    assert "&quot;Bracket&quot;" in html  # the canonical JSON, escaped
