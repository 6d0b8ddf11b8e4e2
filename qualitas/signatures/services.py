"""Electronic signatures under 21 CFR Part 11: signing a record and reading its signatures.

    sig = sign(user, obj, meaning="approved", password="...", otp="", comment="", request=request,
               email="...")
    signatures_for(obj)   # oldest first, each with .matches_current
    content_hash(obj)     # SHA-256 of the record's canonical content now (content.py)

Components (§11.200(a)(1), read as docs/architecture/electronic-signatures.md explains):

- the first signing in a continuous session needs the signer's identification (their e-mail
  address, typed again) and password, and the TOTP code when the signer has an authenticator;
- later signings in the same session need the password only;
- a signing outside a session (an API token, a job, a script) needs all components every time.

``requirements(user, request)`` says which components the next signing needs, so that a form
shows exactly those fields.

A wrong component raises ``SigningError`` (a ``ValidationError`` whose ``errors`` name the
fields) and nothing is signed. A wrong e-mail, password or code is written to the sign-in log
(``LoginAttempt``, channel "Electronic signature") and counts toward the same lockout as failed
sign-ins; a locked account or network address cannot sign. Missing fields are only input errors:
they check nothing, so they are not counted.

The failed attempt is written in the caller's transaction. Call ``sign`` (or ``verify_signer``)
outside an atomic block that rolls back on ``SigningError``, or the record of the failure is
rolled back with it: ``Action.execute`` and the views verify first and open their transaction
afterwards, then pass the result to ``sign(..., verified=...)`` or ``record_signature``.
"""

import datetime
import logging
from dataclasses import dataclass

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from qualitas.accounts import encryption, totp
from qualitas.accounts import services as accounts
from qualitas.accounts.choices import LoginAttemptReasonChoices as Reason
from qualitas.accounts.choices import LoginChannelChoices
from qualitas.accounts.models import TOTPDevice
from qualitas.core.events import emit, register_event
from qualitas.core.models import AppendOnlyModel
from qualitas.framework.context import change_context, current_context
from qualitas.framework.middleware import client_ip
from qualitas.framework.records import visible
from qualitas.signatures.choices import MeaningChoices, SessionRuleChoices
from qualitas.signatures.content import annotate_matches, canonical_text, content_hash, text_hash
from qualitas.signatures.models import Signature

__all__ = [
    "Requirements",
    "SigningError",
    "VerifiedSigner",
    "annotate_matches",
    "content_hash",
    "record_signature",
    "remember_signing",
    "requirements",
    "sign",
    "meaning_label",
    "signatures_for",
    "signing_session",
    "verify_signer",
]

logger = logging.getLogger(__name__)

register_event("signature.signed", "A record was signed electronically")

#: Where the session remembers its first complete signing (§11.200(a)(1)(i)).
SESSION_MARKER = "qualitas_signing"
MAX_COMMENT = 2000


class SigningError(ValidationError):
    """A component was missing or wrong, or the signer is locked out: nothing was signed.

    ``errors`` maps ``email``, ``password``, ``otp``, ``meaning``, ``comment`` or
    ``non_field_errors`` to messages. As a ``ValidationError`` the API answers it with 400 and
    these field errors.
    """

    def __init__(self, errors):
        self.errors = {key: list(messages) for key, messages in errors.items()}
        super().__init__(self.errors)


@dataclass(frozen=True)
class Requirements:
    """What the next signing by this user in this context needs."""

    rule: str
    email: bool
    otp: bool
    password: bool = True

    @property
    def all_components(self):
        return self.rule != SessionRuleChoices.CONTINUOUS


@dataclass(frozen=True)
class VerifiedSigner:
    """The result of ``verify_signer``: who signs, under which rule, from where."""

    user: object
    rule: str
    session: object = None
    ip: str | None = None


# --- Sessions -----------------------------------------------------------------------------------


def signing_session(user, request):
    """The Django session that authenticates ``user`` in this request, or None (no request, an
    API token, a session of someone else). Only such a session can be "continuous"."""
    if request is None:
        return None
    django_request = request
    if isinstance(request, Request):
        if not isinstance(request.successful_authenticator, SessionAuthentication):
            return None
        django_request = request._request
    session = getattr(django_request, "session", None)
    if session is None or not session.session_key:
        return None
    if str(session.get(AUTH_SESSION_KEY, "")) != str(user.pk):
        return None
    return session


def requirements(user, request=None):
    """Which components the next signing by ``user`` needs (see the module docstring)."""
    has_code = bool(user.has_two_factor)
    session = signing_session(user, request)
    if session is None:
        return Requirements(SessionRuleChoices.NO_SESSION, email=True, otp=has_code)
    marker = session.get(SESSION_MARKER)
    if (
        isinstance(marker, dict)
        and marker.get("user") == user.pk
        and marker.get("session") == session.session_key
    ):
        return Requirements(SessionRuleChoices.CONTINUOUS, email=False, otp=False)
    return Requirements(SessionRuleChoices.FIRST_IN_SESSION, email=True, otp=has_code)


def remember_signing(signer):
    """After a complete signing in a session, later signings in it need the password only."""
    if signer.session is not None and signer.rule == SessionRuleChoices.FIRST_IN_SESSION:
        signer.session[SESSION_MARKER] = {
            "user": signer.user.pk,
            "session": signer.session.session_key,
            "since": timezone.now().isoformat(),
        }


# --- Verifying the signer -----------------------------------------------------------------------


def _request_ip(request):
    if request is not None:
        return accounts.clean_ip(client_ip(getattr(request, "_request", request)))
    return accounts.clean_ip(current_context().ip)


def _user_agent(request):
    if request is None:
        return ""
    return getattr(request, "_request", request).META.get("HTTP_USER_AGENT", "")


def _missing(needs, email, password, otp):
    errors = {}
    if needs.email and not email.strip():
        errors["email"] = [
            "Enter your e-mail address: "
            + (
                "the first signature of a session needs your identification as well as your password."
                if needs.rule == SessionRuleChoices.FIRST_IN_SESSION
                else "a signature made outside a signed-in session needs your identification as well "
                "as your password."
            )
        ]
    if not password:
        errors["password"] = ["Enter your password to sign."]
    if needs.otp and not otp.strip():
        errors["otp"] = ["Enter the 6-digit code from your authenticator app."]
    return errors


class _CodeUnreadable(Exception):
    pass


def _code_is_valid(user, code):
    """The user's current TOTP code, never one used before (sign-ins and signings share the
    device's last used step, so a code is good for one use only). Recovery codes do not sign."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return False
        try:
            secret = device.get_secret()
        except encryption.DecryptionFailed:
            raise _CodeUnreadable
        step = totp.matching_step(secret, code, after_step=device.last_used_step)
        if step is None:
            return False
        device.last_used_step = step
        device.last_used_at = timezone.now()
        device.save(update_fields=["last_used_step", "last_used_at"])
    return True


def verify_signer(user, password="", otp="", email="", request=None):
    """Check the components ``requirements`` asks for. Returns a ``VerifiedSigner``; raises
    ``SigningError``. Failures are logged and counted toward the lockout (module docstring)."""
    user = accounts._unwrap(user)
    password = password if isinstance(password, str) else ""
    otp = otp if isinstance(otp, str) else ""
    email = email if isinstance(email, str) else ""
    needs = requirements(user, request)
    errors = _missing(needs, email, password, otp)
    if errors:
        raise SigningError(errors)
    account_email = accounts.normalise_email(user.email)
    ip = _request_ip(request)
    user_agent = _user_agent(request)

    def fail(reason, errors):
        with transaction.atomic():
            accounts.record_attempt(
                account_email,
                ip,
                reason,
                user=user,
                channel=LoginChannelChoices.SIGNATURE,
                user_agent=user_agent,
            )
            locks = accounts._lock_if_due(account_email, user, ip)
        logger.info("Signing refused for user #%s: %s", user.pk, reason)
        if locks:
            errors = {**errors, "non_field_errors": [_locked_message(locks[0])]}
        raise SigningError(errors)

    lock = accounts.active_lock(account_email, ip)
    if lock is not None:
        accounts.record_attempt(
            account_email,
            ip,
            Reason.LOCKED,
            user=user,
            channel=LoginChannelChoices.SIGNATURE,
            user_agent=user_agent,
        )
        raise SigningError({"non_field_errors": [_locked_message(lock)]})
    if not user.is_active:
        fail(Reason.INACTIVE, {"non_field_errors": ["This account is inactive and cannot sign."]})
    if needs.email and accounts.normalise_email(email) != account_email:
        fail(
            Reason.UNKNOWN_EMAIL,
            {"email": ["This is not your e-mail address. Sign with your own identification."]},
        )
    if not user.check_password(password):
        fail(Reason.BAD_PASSWORD, {"password": ["The password is not correct. Nothing was signed."]})
    if needs.otp:
        try:
            valid = _code_is_valid(user, otp)
        except _CodeUnreadable:
            fail(
                Reason.TWO_FACTOR_UNREADABLE,
                {
                    "otp": [
                        "Your authenticator app's codes cannot be checked: this server's secret key has "
                        "changed since you set it up. Set up two-factor authentication again to sign."
                    ]
                },
            )
        if not valid:
            fail(
                Reason.BAD_CODE,
                {
                    "otp": [
                        "That code is not right, or it was used already. Wait for the next code from "
                        "your authenticator app. Nothing was signed."
                    ]
                },
            )
    return VerifiedSigner(user=user, rule=needs.rule, session=signing_session(user, request), ip=ip)


def _locked_message(lock):
    return f"Nothing was signed. {accounts.lock_message(lock)}"


# --- Signing ------------------------------------------------------------------------------------


def clean_meaning_and_comment(meaning, comment):
    """The meaning and comment as stored; raises ``SigningError`` for an unknown meaning or a
    comment that is too long (input errors: nothing is checked or counted)."""
    errors = {}
    if meaning not in MeaningChoices.values():
        errors["meaning"] = [f"Choose one of: {', '.join(MeaningChoices.values())}."]
    comment = comment.strip() if isinstance(comment, str) else ""
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [f"Keep the comment to {MAX_COMMENT} characters or fewer."]
    if errors:
        raise SigningError(errors)
    return meaning, comment


def meaning_label(meaning):
    return MeaningChoices.label(meaning)


def check_can_sign(user, obj):
    """Raise ``PermissionDenied`` unless ``user`` may see ``obj`` (and it is a record, not a log)."""
    if isinstance(obj, AppendOnlyModel):
        raise PermissionDenied("Log entries cannot be signed.")
    if obj.pk is None:
        raise ValueError("A record must be saved before it is signed.")
    if user is None or not user.is_authenticated or not visible(user, obj):
        raise PermissionDenied("You may not see this record, so you cannot sign it.")


def record_signature(signer, obj, meaning, comment=""):
    """Write the signature of a verified signer: the record's canonical content read from the
    database now (row locked), its hash, the printed name and the time, and the domain event
    ``signature.signed``. Call inside the transaction that makes the signed change, if any."""
    user = signer.user
    meaning, comment = clean_meaning_and_comment(meaning, comment)
    model = obj._meta.concrete_model
    with transaction.atomic():
        current = model._base_manager.select_for_update().get(pk=obj.pk)
        text = canonical_text(current)
        signature = Signature.objects.create(
            signer=user,
            printed_name=(user.full_name or user.email)[:200],
            signer_email=user.email,
            meaning=meaning,
            comment=comment,
            signed_at=timezone.now().astimezone(datetime.UTC),
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(current.pk),
            object_repr=str(current)[:200],
            content_hash=text_hash(text),
            content=text,
            session_rule=signer.rule,
            ip=signer.ip,
            request_id=current_context().request_id,
        )
        with change_context(user=user):
            emit(
                "signature.signed",
                obj=current,
                message=f"{signature.printed_name} signed {current}: {signature.get_meaning_display()}"
                + (f" ({comment})" if comment else ""),
                data={
                    "signature": signature.pk,
                    "meaning": meaning,
                    "content_hash": signature.content_hash,
                    "session_rule": signer.rule,
                },
            )
    signature.matches_current = True
    return signature


def sign(user, obj, meaning, password="", otp="", comment="", request=None, *, email="", verified=None):
    """Sign ``obj`` with ``meaning`` after checking the signer's components. Returns the
    ``Signature``.

    Raises ``PermissionDenied`` when ``user`` may not see the record, ``SigningError`` when a
    component is missing or wrong (nothing is signed). ``email`` is the signer's identification,
    needed on the first signing of a session and outside sessions (``requirements``). Pass
    ``verified`` (from ``verify_signer``, called before the caller's transaction) to skip the
    check here.
    """
    user = accounts._unwrap(user)
    meaning, comment = clean_meaning_and_comment(meaning, comment)
    check_can_sign(user, obj)
    if getattr(obj, "is_archived", False):
        raise SigningError({"non_field_errors": ["The record is archived: restore it before signing it."]})
    signer = verified or verify_signer(user, password=password, otp=otp, email=email, request=request)
    if signer.user.pk != user.pk:
        raise PermissionDenied("A signature is made by the person whose components were checked.")
    signature = record_signature(signer, obj, meaning, comment)
    remember_signing(signer)
    return signature


# --- Reading ------------------------------------------------------------------------------------


def signatures_for(obj):
    """The record's signatures, oldest first, each with ``matches_current`` (the record's hash
    is computed once)."""
    content_type = ContentType.objects.get_for_model(obj._meta.concrete_model)
    signatures = list(
        Signature.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("signed_at", "id")
    )
    if signatures:
        current = content_hash(obj)
        for signature in signatures:
            signature.matches_current = signature.content_hash == current
    return signatures
