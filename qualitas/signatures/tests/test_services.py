"""The signing service: what a signature records, the components §11.200 asks for outside a
session, wrong components (nothing signed, logged, counted toward the lockout), records the
signer may not see, the content hash and when it stops matching, and the append-only table."""

import datetime
import hashlib
import json
import time

import pyotp
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from qualitas.accounts import services as accounts
from qualitas.accounts.models import AccountLock, LoginAttempt
from qualitas.accounts.tests.helpers import current_code, enrol
from qualitas.core.models import AppendOnlyError, DomainEvent
from qualitas.framework.context import change_context
from qualitas.signatures import content as signature_content
from qualitas.signatures import services
from qualitas.signatures.content import annotate_matches, canonical_content, content_hash
from qualitas.signatures.models import Signature
from qualitas.signatures.services import SigningError, sign, signatures_for
from qualitas.signatures.tests.helpers import components, make_signature, make_signer, make_widget
from qualitas.testing.factories import PASSWORD
from qualitas.testing.records import customer_company, customer_of
from qualitas.testing.testapp.actions import Submit
from qualitas.testing.testapp.models import Widget

pytestmark = pytest.mark.django_db


def signing_attempts(user):
    return list(
        LoginAttempt.objects.filter(user=user, channel="signature")
        .order_by("id")
        .values_list("reason", flat=True)
    )


def refused(call):
    with pytest.raises(SigningError) as error:
        call()
    return error.value.errors


# --- A signature --------------------------------------------------------------------------------


def test_a_signature_records_the_printed_name_time_meaning_comment_and_content_hash():
    user = make_signer(full_name="Quinn Manager", email="quinn@example.com")
    widget = make_widget(name="Bracket")
    before = timezone.now()
    signature = sign(user, widget, "reviewed", comment="Drawing rev. C checked", **components(user))
    signature = Signature.objects.get(pk=signature.pk)
    assert signature.signer == user
    assert signature.printed_name == "Quinn Manager"
    assert signature.signer_email == "quinn@example.com"
    assert signature.meaning == "reviewed" and signature.get_meaning_display() == "Reviewed"
    assert signature.comment == "Drawing rev. C checked"
    assert before <= signature.signed_at <= timezone.now()
    assert signature.signed_at.utcoffset() == datetime.timedelta(0)
    assert (signature.content_type.app_label, signature.content_type.model) == ("testapp", "widget")
    assert signature.object_id == str(widget.pk) and signature.object_repr == str(widget)
    assert signature.content == services.canonical_text(widget)
    assert signature.content_hash == hashlib.sha256(signature.content.encode()).hexdigest()
    assert signature.content_hash == content_hash(widget)
    assert signature.session_rule == "no_session"
    assert signature.request_id is not None
    event = DomainEvent.objects.get(name="signature.signed")
    assert event.object_id == str(widget.pk) and event.user == user
    assert event.data == {
        "signature": signature.pk,
        "meaning": "reviewed",
        "content_hash": signature.content_hash,
        "session_rule": "no_session",
    }
    assert event.message == f"Quinn Manager signed {widget}: Reviewed (Drawing rev. C checked)"


def test_the_canonical_content_is_the_records_content_without_bookkeeping_or_status():
    widget = make_widget(name="Bracket", quantity=5, due_date=datetime.date(2027, 1, 10))
    assert canonical_content(widget) == {
        "record": ["testapp", "widget"],
        "id": str(widget.pk),
        "fields": {
            "number": widget.number,
            "name": "Bracket",
            "customer": None,
            "quantity": 5,
            "due_date": "2027-01-10",
            "specification": "Steel, 3 mm",
            "lineage": str(widget.lineage),
            "version": 1,
            "previous_version": None,
        },
    }
    expected = json.dumps(
        canonical_content(widget), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert content_hash(widget) == hashlib.sha256(expected.encode()).hexdigest()


def test_the_hash_is_bound_to_the_record_not_only_to_its_values():
    widget = make_widget()
    content = canonical_content(widget)
    moved = {**content, "id": str(widget.pk + 1)}
    digest = hashlib.sha256(json.dumps(moved, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert digest != content_hash(widget)


def test_a_model_can_leave_more_fields_out(monkeypatch):
    widget = make_widget()
    before = content_hash(widget)
    monkeypatch.setattr(Widget, "signature_exclude_fields", ("quantity",), raising=False)
    signature_content.excluded_fields.cache_clear()
    try:
        assert "quantity" not in canonical_content(widget)["fields"]
        widget.quantity = 99
        assert content_hash(widget) != before
        assert content_hash(widget) == content_hash(Widget.objects.get(pk=widget.pk))
    finally:
        monkeypatch.undo()
        signature_content.excluded_fields.cache_clear()


# --- Outside a session: every component, every time -------------------------------------------


def test_outside_a_session_each_signing_needs_email_password_and_code():
    user = make_signer()
    secret, _codes = enrol(user)
    widget = make_widget()
    errors = refused(lambda: sign(user, widget, "approved"))
    assert set(errors) == {"email", "password", "otp"}
    errors = refused(lambda: sign(user, widget, "approved", password=PASSWORD))
    assert set(errors) == {"email", "otp"}
    sign(user, widget, "approved", **components(user, otp=current_code(secret)))
    # The next signing needs everything again; the code must be a new one.
    errors = refused(lambda: sign(user, widget, "verified", password=PASSWORD))
    assert set(errors) == {"email", "otp"}
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    sign(user, widget, "verified", **components(user, otp=next_code))
    assert [s.session_rule for s in signatures_for(widget)] == ["no_session", "no_session"]
    # Missing components are input errors: nothing was checked, so nothing was counted.
    assert signing_attempts(user) == []


def test_without_an_authenticator_the_code_is_not_asked_for():
    user = make_signer()
    assert services.requirements(user) == services.Requirements("no_session", email=True, otp=False)
    sign(user, make_widget(), "authored", **components(user))


# --- Wrong components ---------------------------------------------------------------------------


def test_a_wrong_password_signs_nothing_and_is_logged():
    user = make_signer()
    widget = make_widget()
    errors = refused(lambda: sign(user, widget, "approved", email=user.email, password="not-it"))
    assert errors == {"password": ["The password is not correct. Nothing was signed."]}
    assert not Signature.objects.exists()
    assert not DomainEvent.objects.filter(name="signature.signed").exists()
    attempt = LoginAttempt.objects.get(user=user)
    assert (attempt.channel, attempt.reason, attempt.success) == ("signature", "bad_password", False)
    assert attempt.email == user.email


def test_a_wrong_code_signs_nothing_and_is_logged():
    user = make_signer()
    secret, _codes = enrol(user)
    widget = make_widget()
    wrong = "000000" if current_code(secret) != "000000" else "111111"
    errors = refused(lambda: sign(user, widget, "approved", **components(user, otp=wrong)))
    assert list(errors) == ["otp"] and "not right" in errors["otp"][0]
    assert not Signature.objects.exists()
    assert signing_attempts(user) == ["bad_code"]


def test_a_code_cannot_be_used_twice():
    user = make_signer()
    secret, _codes = enrol(user)
    code = current_code(secret)
    sign(user, make_widget(), "approved", **components(user, otp=code))
    errors = refused(lambda: sign(user, make_widget(), "approved", **components(user, otp=code)))
    assert "used already" in errors["otp"][0]
    assert Signature.objects.count() == 1
    assert signing_attempts(user) == ["bad_code"]


def test_recovery_codes_do_not_sign():
    user = make_signer()
    _secret, codes = enrol(user)
    refused(lambda: sign(user, make_widget(), "approved", **components(user, otp=codes[0])))
    assert not Signature.objects.exists()


def test_someone_elses_email_is_refused_and_counted():
    user, other = make_signer(), make_signer()
    errors = refused(lambda: sign(user, make_widget(), "approved", email=other.email, password=PASSWORD))
    assert list(errors) == ["email"]
    assert signing_attempts(user) == ["unknown_email"]
    assert not LoginAttempt.objects.filter(email=other.email).exists()
    assert not Signature.objects.exists()


def test_failed_signings_lock_the_account_like_failed_sign_ins(settings):
    settings.QUALITAS_LOCKOUT_ATTEMPTS = 4
    user = make_signer()
    widget = make_widget()
    # Two failed sign-ins and two failed signings: one count toward one lock.
    for _ in range(2):
        assert accounts.sign_in(user.email, "wrong", ip="127.0.0.1").outcome == "failed"
    refused(lambda: sign(user, widget, "approved", email=user.email, password="wrong"))
    errors = refused(lambda: sign(user, widget, "approved", email=user.email, password="wrong"))
    assert errors["password"] == ["The password is not correct. Nothing was signed."]
    assert errors["non_field_errors"][0].startswith("Nothing was signed. This account is locked")
    lock = AccountLock.objects.get(email=user.email)
    assert lock.failures == 4
    # Locked: the right password does not sign, and the refusal is logged too.
    errors = refused(lambda: sign(user, widget, "approved", **components(user)))
    assert list(errors) == ["non_field_errors"] and "locked" in errors["non_field_errors"][0]
    assert signing_attempts(user) == ["bad_password", "bad_password", "locked"]
    assert not Signature.objects.exists()
    # And sign-in is locked as well.
    assert accounts.sign_in(user.email, PASSWORD, ip="127.0.0.1").outcome == "locked"


def test_a_missing_meaning_or_an_over_long_comment_is_refused_before_anything_is_checked():
    user = make_signer()
    widget = make_widget()
    assert list(refused(lambda: sign(user, widget, "liked", password="wrong"))) == ["meaning"]
    errors = refused(lambda: sign(user, widget, "approved", comment="x" * 2001, password="wrong"))
    assert list(errors) == ["comment"]
    assert signing_attempts(user) == []


# --- Who may sign what ------------------------------------------------------------------------------


def test_a_record_the_signer_may_not_see_is_refused_before_the_password_is_checked():
    company_a, company_b = customer_company(), customer_company()
    customer = customer_of(company_a, Widget, ("view",))
    theirs = make_widget(company=company_b)
    with pytest.raises(PermissionDenied, match="may not see this record"):
        sign(customer, theirs, "approved", **components(customer))
    nobody = make_signer("signatures.add_signature")  # no permission to see widgets at all
    with pytest.raises(PermissionDenied):
        sign(nobody, make_widget(), "approved", **components(nobody))
    assert not Signature.objects.exists()
    assert not LoginAttempt.objects.exists()
    # Their own company's widget they may sign.
    sign(customer, make_widget(company=company_a), "verified", **components(customer))


def test_an_archived_record_is_not_signed():
    user = make_signer()
    widget = make_widget()
    widget.archive("Made in error")
    errors = refused(lambda: sign(user, widget, "approved", **components(user)))
    assert "archived" in errors["non_field_errors"][0]
    assert not Signature.objects.exists()


def test_log_entries_cannot_be_signed():
    user = make_signer()
    entry = make_widget().history.get()
    with pytest.raises(PermissionDenied):
        sign(user, entry, "approved", **components(user))


# --- Matching the current content ---------------------------------------------------------------


def test_an_edit_after_signing_shows_the_signature_no_longer_matches():
    user = make_signer()
    widget = make_widget()
    signature = make_signature(widget, user)
    assert [s.matches_current for s in signatures_for(widget)] == [True]
    widget.specification = "Aluminium, 2 mm"
    with change_context(user=user):
        widget.save()
    assert [s.matches_current for s in signatures_for(widget)] == [False]
    assert Signature.objects.get(pk=signature.pk).matches_current is False
    # The signature itself is untouched: it still shows what was signed.
    assert Signature.objects.get(pk=signature.pk).signed_content["fields"]["specification"] == "Steel, 3 mm"
    # A later signature covers the new content.
    make_signature(widget, user, meaning="reviewed")
    assert [s.matches_current for s in signatures_for(widget)] == [False, True]


def test_a_status_transition_or_archiving_does_not_break_the_match():
    user = make_signer("view", "change")
    widget = make_widget()
    make_signature(widget, user, meaning="authored")
    with change_context(user=user):
        Submit(widget, user).execute()
    widget.refresh_from_db()
    assert widget.status == "review"
    assert [s.matches_current for s in signatures_for(widget)] == [True]
    widget.archive("Superseded")
    widget.restore("Archived by mistake")
    assert [s.matches_current for s in signatures_for(widget)] == [True]


def test_signatures_for_computes_the_records_hash_once(django_assert_num_queries):
    widget = make_widget()
    for meaning in ("authored", "reviewed", "approved"):
        make_signature(widget, meaning=meaning)
    with django_assert_num_queries(1):
        signatures = signatures_for(widget)
    assert [s.meaning for s in signatures] == ["authored", "reviewed", "approved"]
    assert all(s.matches_current for s in signatures)


def test_matches_for_a_list_cost_one_query_per_record_type(django_assert_num_queries):
    widgets = [make_widget() for _ in range(3)]
    signatures = [make_signature(w) for w in widgets for _ in range(2)]
    widgets[1].name = "Changed"
    widgets[1].save()
    fresh = list(Signature.objects.order_by("id"))
    with django_assert_num_queries(1):
        annotate_matches(fresh)
    assert [s.matches_current for s in fresh] == [True, True, False, False, True, True]
    assert len(signatures) == 6


def test_a_deleted_record_shows_as_gone():
    widget = make_widget()
    signature = make_signature(widget)
    Widget.objects.filter(pk=widget.pk).delete()
    assert Signature.objects.get(pk=signature.pk).matches_current is None


# --- Append-only ---------------------------------------------------------------------------------


def test_signatures_refuse_change_and_removal_in_the_model_and_in_the_database():
    signature = make_signature()
    signature.comment = "rewritten"
    with pytest.raises(AppendOnlyError):
        signature.save()
    with pytest.raises(AppendOnlyError):
        signature.delete()
    with pytest.raises(AppendOnlyError):
        Signature.objects.filter(pk=signature.pk).update(comment="rewritten")
    with pytest.raises(AppendOnlyError):
        Signature.objects.all().delete()
    for sql in (
        "UPDATE signatures_signature SET content_hash = 'forged'",
        "DELETE FROM signatures_signature",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    stored = Signature.objects.get(pk=signature.pk)
    assert (stored.comment, stored.content_hash) == ("", signature.content_hash)
