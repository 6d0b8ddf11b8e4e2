"""Account services: roles, invitations and sign-up, user administration, sign-in with lockout,
passwords, two-factor authentication, API tokens and the retention of the sign-in log.

Every change to account state goes through a function here; views, forms, serializers, the
admin and the authentication class parse input, call one of these and render the result.
Functions that check a permission raise ``PermissionDenied``; bad input raises
``ValidationError`` with field errors where a form field is to blame.
"""

import datetime
import fnmatch
import ipaddress
import logging
import operator
import smtplib
from dataclasses import dataclass, field
from functools import reduce

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from qualitas.accounts import encryption, keys, totp
from qualitas.accounts.actions import ADMIN_ROLE, Deactivate, Reactivate, is_last_admin
from qualitas.accounts.choices import LockKindChoices, LoginAttemptReasonChoices, LoginChannelChoices
from qualitas.accounts.models import (
    AccountLock,
    ApiToken,
    Invitation,
    LoginAttempt,
    PasswordHistory,
    RecoveryCode,
    TOTPDevice,
    User,
)
from qualitas.accounts.roles import ROLE_NAMES, ROLES, get_role
from qualitas.core import audit
from qualitas.core.choices import ChangeActionChoices
from qualitas.core.events import emit, register_event
from qualitas.framework.context import change_context, change_reason

logger = logging.getLogger(__name__)

register_event("roles.changed", "A role's permissions were changed to match the code")
register_event("accounts.invitation_sent", "An invitation to sign up was e-mailed")
register_event("accounts.invitation_accepted", "An invitation was accepted and the user created")
register_event("accounts.signed_up", "A user signed up without an invitation (open sign-up)")
register_event("accounts.locked", "Sign-in was locked after repeated failures")
register_event("accounts.unlocked", "An administrator lifted a sign-in lock")
register_event("accounts.password_changed", "A user changed their password")
register_event("accounts.password_reset_requested", "A password reset link was e-mailed")
register_event("accounts.password_reset", "A password was reset with an e-mailed link")
register_event("accounts.two_factor_enabled", "Two-factor authentication was turned on")
register_event("accounts.two_factor_disabled", "Two-factor authentication was turned off")
register_event("accounts.recovery_codes_regenerated", "New two-factor recovery codes were made")
register_event("accounts.recovery_code_used", "A two-factor recovery code was used to sign in")
register_event("accounts.api_token_created", "An API token was created")
register_event("accounts.api_token_revoked", "An API token was revoked")
register_event("accounts.user_roles_changed", "An administrator changed a user's roles")
register_event(
    "accounts.sign_in_attempts_purged", "Sign-in attempts older than the retention period were deleted"
)

RECOVERY_CODE_COUNT = 10
API_TOKEN_MAX_DAYS = 366


def resolve_grants(grants, permissions):
    """The set of ``app_label.codename`` names that a role's grants give, from ``permissions``."""
    granted = set()
    for grant in grants:
        remove = grant.startswith("-")
        pattern = grant[1:] if remove else grant
        matched = {name for name in permissions if fnmatch.fnmatchcase(name, pattern)}
        granted = granted - matched if remove else granted | matched
    return granted


@dataclass
class RoleDiff:
    role: str
    exists: bool
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    members: int = 0
    total: int = 0

    @property
    def in_sync(self):
        return self.exists and not self.added and not self.removed


def all_permissions():
    rows = Permission.objects.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}": p for p in rows}


def plan_roles():
    """What ``apply_roles`` would change, per role, without changing anything."""
    permissions = all_permissions()
    diffs = []
    for role in ROLES:
        wanted = resolve_grants(role.grants, permissions)
        group = Group.objects.filter(name=role.name).first()
        current = set()
        if group is not None:
            current = {
                f"{p.content_type.app_label}.{p.codename}"
                for p in group.permissions.select_related("content_type")
            }
        diffs.append(
            RoleDiff(
                role=role.name,
                exists=group is not None,
                added=sorted(wanted - current),
                removed=sorted(current - wanted),
                members=group.user_set.count() if group else 0,
                total=len(wanted),
            )
        )
    return diffs


@transaction.atomic
def apply_roles():
    """Make the role groups match ``roles.ROLES``. Every change is audited and logged as an event."""
    permissions = all_permissions()
    diffs = plan_roles()
    for diff in diffs:
        if diff.in_sync:
            continue
        group, created = Group.objects.get_or_create(name=diff.role)
        if diff.added:
            group.permissions.add(*(permissions[name] for name in diff.added))
        if diff.removed:
            group.permissions.remove(*(permissions[name] for name in diff.removed))
        changes = {"permissions": {"added": diff.added, "removed": diff.removed}}
        audit.record_change(
            group, ChangeActionChoices.CREATE if created else ChangeActionChoices.UPDATE, changes=changes
        )
        emit(
            "roles.changed",
            obj=group,
            message=f"Role {diff.role}: {len(diff.added)} permissions added, {len(diff.removed)} removed",
            data=changes,
        )
    return diffs


# --- E-mail -------------------------------------------------------------------------------------


class EmailNotSent(Exception):
    """The mail server refused or could not be reached."""


def _unwrap(user):
    """The user behind ``request.user``'s lazy wrapper: the event log needs its real class."""
    if isinstance(user, SimpleLazyObject):
        _ = user.pk  # evaluates the wrapper
        return user._wrapped
    return user


def site_url(path):
    return settings.QUALITAS_SITE_URL.rstrip("/") + path


def send_templated_mail(template, to, context):
    """Render ``accounts/email/<template>_subject.txt`` and ``<template>.txt`` and send them."""
    context = {"site_url": settings.QUALITAS_SITE_URL.rstrip("/"), **context}
    subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt", context).split())
    body = render_to_string(f"accounts/email/{template}.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("E-mail %s to %s failed: %s", template, to, error)
        raise EmailNotSent(f"The e-mail to {to} could not be sent ({error.__class__.__name__}).") from error


# --- Users, invitations and sign-up -------------------------------------------------------------


def normalise_email(value):
    return (value or "").strip().lower()[:254]


def clean_ip(value):
    """A valid IP address or None: the address comes from a header and goes into inet columns."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def _check_new_user(email, full_name, password):
    errors = {}
    if User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["A user with this e-mail address already exists."]
    if not (full_name or "").strip():
        errors["full_name"] = ["Enter your full name."]
    try:
        validate_password(password or "", User(email=email, full_name=(full_name or "").strip()))
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)


def _create_user(email, full_name, password, company=None, roles=()):
    user = User.objects.create_user(email, password, full_name=full_name.strip(), company=company)
    if roles:
        user.is_staff = any(get_role(group.name).is_staff for group in roles if group.name in ROLE_NAMES)
        if user.is_staff:
            user.save()
        user.groups.set(roles)
    return user


def grantable_roles(user):
    """Role groups that ``user`` may hand out in an invitation: those whose every permission
    ``user`` holds. Nobody can invite someone into more power than they have."""
    groups = Group.objects.filter(name__in=ROLE_NAMES).prefetch_related("permissions__content_type")
    if user.is_superuser:
        return list(groups)
    held = user.get_all_permissions()
    return [
        group
        for group in groups
        if {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()} <= held
    ]


def invite(invited_by, email, roles=(), company=None, message=""):
    """Create an invitation and e-mail its link. Returns ``(invitation, token)``; the token exists
    only in the e-mail (and the return value): the database keeps its SHA-256."""
    if not invited_by.has_perm("accounts.add_invitation"):
        raise PermissionDenied("You do not have permission to invite people.")
    email = normalise_email(email)
    roles = list(roles)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["A user with this e-mail address already exists."]})
    allowed = {group.pk for group in grantable_roles(invited_by)}
    refused = sorted(group.name for group in roles if group.pk not in allowed)
    if refused:
        raise ValidationError(
            {"roles": [f"You cannot grant {', '.join(refused)}: you do not hold all of its permissions."]}
        )
    token, token_hash = keys.new_invitation_token()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            token_hash=token_hash,
            company=company,
            message=message.strip(),
            invited_by=invited_by,
        )
        if roles:
            invitation.roles.set(roles)
    # Sent after the commit: no database transaction stays open during the SMTP conversation.
    try:
        send_templated_mail(
            "invitation",
            email,
            {
                "invitation": invitation,
                "roles": roles,
                "url": site_url(reverse("accounts:invitation_accept", args=[token])),
                "days": settings.QUALITAS_INVITATION_DAYS,
            },
        )
    except EmailNotSent:
        # Nobody received the link: revoke it, visibly, rather than leave a pending invitation.
        invitation.archive("The invitation e-mail could not be sent.")
        raise
    emit(
        "accounts.invitation_sent",
        obj=invitation,
        message=f"{invited_by} invited {email}"
        + (f" as {', '.join(g.name for g in roles)}" if roles else ""),
        data={"roles": [g.name for g in roles], "company": company.pk if company else None},
    )
    return invitation, token


def invitation_for_token(token):
    """The usable (pending) invitation with this token, or None."""
    if not token or len(token) > 200:
        return None
    invitation = Invitation.objects.filter(token_hash=keys.digest(token)).select_related("company").first()
    return invitation if invitation is not None and invitation.is_usable else None


def accept_invitation(token, full_name, password):
    """Create the invited user with the invitation's company and roles; the invitation is spent."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(token_hash=keys.digest(token or "")).first()
            if token and len(token) <= 200
            else None
        )
        if invitation is None or not invitation.is_usable:
            raise ValidationError(
                "This invitation cannot be used: it has expired, has been used or was revoked. "
                "Ask for a new one."
            )
        _check_new_user(invitation.email, full_name, password)
        with change_reason(f"Invitation #{invitation.pk} accepted"):
            user = _create_user(
                invitation.email,
                full_name,
                password,
                company=invitation.company,
                roles=invitation.roles.all(),
            )
            invitation.accepted_at = timezone.now()
            invitation.accepted_user = user
            invitation.save()
            emit(
                "accounts.invitation_accepted",
                obj=invitation,
                message=f"{user} accepted the invitation from {invitation.invited_by or 'an administrator'}",
                data={"user": user.pk, "roles": user.role_names},
            )
    return user


def sign_up(email, full_name, password):
    """Open sign-up (only when ``QUALITAS_OPEN_SIGNUP``): a user with no company and no roles."""
    if not settings.QUALITAS_OPEN_SIGNUP:
        raise PermissionDenied("Sign-up needs an invitation.")
    email = normalise_email(email)
    _check_new_user(email, full_name, password)
    with transaction.atomic(), change_reason("Open sign-up"):
        user = _create_user(email, full_name, password)
        emit("accounts.signed_up", obj=user, message=f"{user} signed up")
    return user


# --- User administration ------------------------------------------------------------------------


def _check_can_change_user(by, user):
    if not by.has_perm("accounts.change_user"):
        raise PermissionDenied("You do not have permission to change users.")
    if not User.objects.restrict(by, "change").filter(pk=user.pk).exists():
        raise PermissionDenied("You cannot change this user.")


def update_user(user, by, full_name, company=None, department="", job_title="", roles=None):
    """An administrator's edit of a person: name, company, department, job title and roles.

    ``roles`` is the complete set of role groups the person should have (None leaves the roles
    alone); groups that are not roles (made in the Django admin) are kept. As with invitations,
    ``by`` can grant, and also remove, only roles whose every permission they hold: nobody can
    hand out, or take away, more power than they have. Staff status follows the Admin role.
    The field changes and the role changes are audited (the roles by core's m2m signal), and a
    role change is logged as ``accounts.user_roles_changed``.
    """
    by = _unwrap(by)
    _check_can_change_user(by, user)
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": ["Enter the person's full name."]})
    added, removed = [], []
    if roles is not None:
        wanted = {group for group in roles if group.name in ROLE_NAMES}
        current = set(user.groups.filter(name__in=ROLE_NAMES))
        added = sorted(wanted - current, key=lambda group: group.name)
        removed = sorted(current - wanted, key=lambda group: group.name)
        allowed = {group.pk for group in grantable_roles(by)} if (added or removed) else set()
        errors = []
        refused_grants = [group.name for group in added if group.pk not in allowed]
        if refused_grants:
            errors.append(
                f"You cannot grant {', '.join(refused_grants)}: you do not hold all of its permissions."
            )
        refused_removals = [group.name for group in removed if group.pk not in allowed]
        if refused_removals:
            errors.append(
                f"You cannot remove {', '.join(refused_removals)}: you do not hold all of its permissions."
            )
        if not errors and any(group.name == ADMIN_ROLE for group in removed) and is_last_admin(user):
            errors.append(f"{user} is the last active Admin: give the Admin role to someone else first.")
        if errors:
            raise ValidationError({"roles": errors})
    # ``by`` is the acting user in the trail also outside a request (commands, tests).
    with transaction.atomic(), change_context(user=by):
        user = User.objects.select_for_update().get(pk=user.pk)
        user.full_name = full_name
        user.company = company
        user.department = (department or "").strip()
        user.job_title = (job_title or "").strip()
        if (added or removed) and not user.is_superuser:
            kept = set(user.groups.filter(name__in=ROLE_NAMES)) - set(removed) | set(added)
            user.is_staff = any(get_role(group.name).is_staff for group in kept)
        user.save()
        if removed:
            user.groups.remove(*removed)
        if added:
            user.groups.add(*added)
        if added or removed:
            names = {"added": [g.name for g in added], "removed": [g.name for g in removed]}
            parts = [f"{verb} {', '.join(group_names)}" for verb, group_names in names.items() if group_names]
            emit(
                "accounts.user_roles_changed",
                obj=user,
                message=f"{by} changed the roles of {user}: {'; '.join(parts)}",
                data=names,
            )
    return user


def deactivate_user(user, by, reason):
    """Refuse the person sign-in from now on, revoke their API tokens and end their sessions.

    The ``Deactivate`` action (actions.py) does the work: ``by`` needs ``accounts.change_user``,
    cannot deactivate themselves, and must give a reason. Raises ``TransitionNotAllowed``.
    """
    by = _unwrap(by)
    with change_context(user=by):
        return Deactivate(user, by).execute(reason=reason)


def reactivate_user(user, by, reason):
    """Let a deactivated person sign in again (``Reactivate`` in actions.py); tokens stay revoked."""
    by = _unwrap(by)
    with change_context(user=by):
        return Reactivate(user, by).execute(reason=reason)


def update_profile(user, full_name, department="", job_title=""):
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationError({"full_name": ["Enter your full name."]})
    user.full_name = full_name
    user.department = (department or "").strip()
    user.job_title = (job_title or "").strip()
    with transaction.atomic():
        user.save()
    return user


# --- Sign-in and lockout ------------------------------------------------------------------------

Reason = LoginAttemptReasonChoices


@dataclass
class SignInResult:
    """The outcome of one sign-in step: ``signed_in``, ``code_required``, ``enrolment_required``
    (API only: the role needs two-factor and the user has not enrolled), ``two_factor_unreadable``
    (the TOTP secret no longer decrypts: only a recovery code can finish), ``failed`` or ``locked``."""

    outcome: str
    user: User | None = None
    lock: AccountLock | None = None

    @property
    def message(self):
        if self.outcome == "locked":
            return lock_message(self.lock)
        if self.outcome == "failed":
            return "The e-mail address, password or code is not correct."
        if self.outcome == "code_required":
            return "Enter the 6-digit code from your authenticator app."
        if self.outcome == "two_factor_unreadable":
            return TWO_FACTOR_UNREADABLE_MESSAGE
        if self.outcome == "enrolment_required":
            return (
                "Your role requires two-factor authentication. Sign in on the web and set it up "
                "before you create API tokens."
            )
        return ""


TWO_FACTOR_UNREADABLE_MESSAGE = (
    "Your authenticator app's codes cannot be checked: this server's secret key has changed since "
    "you set up two-factor authentication. Sign in with one of your recovery codes, then set up "
    "two-factor authentication again; without recovery codes, ask an administrator."
)


def lock_message(lock):
    minutes = max(1, -(-int((lock.locked_until - timezone.now()).total_seconds()) // 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    if lock.kind == LockKindChoices.ADDRESS:
        return (
            f"Sign-in from your network address is locked after too many failed attempts. "
            f"Try again in {wait}, or ask an administrator to unlock it."
        )
    return (
        f"This account is locked after too many failed sign-in attempts. "
        f"Try again in {wait}, or ask an administrator to unlock it."
    )


def active_lock(email, ip):
    """The lock that refuses sign-in for this e-mail or network address now, if any."""
    conditions = []
    if email:
        conditions.append(Q(kind=LockKindChoices.ACCOUNT, email=email))
    if ip:
        conditions.append(Q(kind=LockKindChoices.ADDRESS, ip=ip))
    if not conditions:
        return None
    return (
        AccountLock.objects.filter(
            reduce(operator.or_, conditions), unlocked_at__isnull=True, locked_until__gt=timezone.now()
        )
        .order_by("kind", "-locked_until")
        .first()
    )


def record_attempt(email, ip, reason, user=None, channel=LoginChannelChoices.WEB, user_agent=""):
    return LoginAttempt.objects.create(
        email=email,
        user=user,
        ip=clean_ip(ip),
        channel=channel,
        success=reason == Reason.SIGNED_IN,
        reason=reason,
        user_agent=(user_agent or "")[:300],
    )


def _counted_failures(since, **match):
    return LoginAttempt.objects.filter(reason__in=Reason.COUNTED, time__gt=since, **match).count()


def _lock_if_due(email, user, ip):
    """Lock the e-mail and/or network address when they reached the limit within the window.

    Failures count from the latest of: the start of the window, the previous lock (so an unlock
    starts afresh) and, for an account, its last successful sign-in.
    """
    now = timezone.now()
    window_start = now - settings.QUALITAS_LOCKOUT_WINDOW
    limit = settings.QUALITAS_LOCKOUT_ATTEMPTS
    locks = []
    if email:
        previous = _last_lock_time(LockKindChoices.ACCOUNT, email=email)
        success = (
            LoginAttempt.objects.filter(email=email, success=True)
            .order_by("-time")
            .values_list("time", flat=True)
            .first()
        )
        since = max(moment for moment in (window_start, previous, success) if moment is not None)
        failures = _counted_failures(since, email=email)
        if failures >= limit:
            locks.append(_lock(LockKindChoices.ACCOUNT, failures, email=email, user=user, ip=ip))
    if ip:
        previous = _last_lock_time(LockKindChoices.ADDRESS, ip=ip)
        since = max(moment for moment in (window_start, previous) if moment is not None)
        failures = _counted_failures(since, ip=ip)
        if failures >= limit:
            locks.append(_lock(LockKindChoices.ADDRESS, failures, email=email, ip=ip))
    return locks


def _last_lock_time(kind, **match):
    """When the last lock of this kind on this e-mail or address began (failures before it have
    been paid for), or None."""
    return (
        AccountLock.objects.filter(kind=kind, **match)
        .order_by("-created")
        .values_list("created", flat=True)
        .first()
    )


def _lock(kind, failures, email="", user=None, ip=None):
    lock = AccountLock.objects.create(
        kind=kind,
        email=email,
        user=user,
        ip=ip or None,
        failures=failures,
        locked_until=timezone.now() + settings.QUALITAS_LOCKOUT_DURATION,
    )
    minutes = int(settings.QUALITAS_LOCKOUT_DURATION.total_seconds() // 60)
    what = f"for {email}" if kind == LockKindChoices.ACCOUNT else f"from {ip}"
    emit(
        "accounts.locked",
        obj=lock,
        message=f"Sign-in {what} locked for {minutes} minutes after {failures} failed attempts",
        data={
            "kind": kind,
            "email": email,
            "ip": ip,
            "failures": failures,
            "locked_until": lock.locked_until.isoformat(),
        },
    )
    return lock


def _fail(email, user, ip, reason, channel, user_agent):
    with transaction.atomic():
        record_attempt(email, ip, reason, user=user, channel=channel, user_agent=user_agent)
        locks = _lock_if_due(email, user, ip)
    if locks:
        return SignInResult("locked", lock=locks[0])
    return SignInResult("failed")


def sign_in(email, password, ip=None, channel=LoginChannelChoices.WEB, code=None, user_agent=""):
    """Check a sign-in: lock, password, then the second factor when the user has one.

    Every call writes one LoginAttempt. Without ``code`` a user with two-factor gets
    ``code_required`` (the web then asks for it with ``verify_sign_in_code``); with ``code`` both
    factors are checked at once (the API).
    """
    email = normalise_email(email)
    ip = clean_ip(ip)
    lock = active_lock(email, ip)
    if lock is not None:
        record_attempt(email, ip, Reason.LOCKED, user=lock.user, channel=channel, user_agent=user_agent)
        return SignInResult("locked", lock=lock)
    user = authenticate(None, email=email, password=password or "") if email else None
    if user is None:
        known = User.objects.filter(email__iexact=email).first() if email else None
        if known is None:
            reason = Reason.UNKNOWN_EMAIL
        else:
            reason = Reason.BAD_PASSWORD if known.is_active else Reason.INACTIVE
        return _fail(email, known, ip, reason, channel, user_agent)
    if not user.has_two_factor:
        if channel == LoginChannelChoices.API and requires_two_factor(user):
            record_attempt(
                email, ip, Reason.ENROLMENT_REQUIRED, user=user, channel=channel, user_agent=user_agent
            )
            return SignInResult("enrolment_required", user=user)
        record_attempt(email, ip, Reason.SIGNED_IN, user=user, channel=channel, user_agent=user_agent)
        return SignInResult("signed_in", user=user)
    if not code:
        record_attempt(email, ip, Reason.CODE_REQUIRED, user=user, channel=channel, user_agent=user_agent)
        return SignInResult("code_required", user=user)
    return _check_code(user, code, ip, channel, user_agent)


def verify_sign_in_code(user, code, ip=None, channel=LoginChannelChoices.WEB, user_agent=""):
    """The second step of a web sign-in, after ``sign_in`` returned ``code_required``."""
    email = normalise_email(user.email)
    ip = clean_ip(ip)
    lock = active_lock(email, ip)
    if lock is not None:
        record_attempt(email, ip, Reason.LOCKED, user=user, channel=channel, user_agent=user_agent)
        return SignInResult("locked", lock=lock)
    if not user.is_active:
        return _fail(email, user, ip, Reason.INACTIVE, channel, user_agent)
    return _check_code(user, code, ip, channel, user_agent)


def _check_code(user, code, ip, channel, user_agent):
    email = normalise_email(user.email)
    try:
        verified = verify_second_factor(user, code)
    except TwoFactorUnreadable:
        result = _fail(email, user, ip, Reason.TWO_FACTOR_UNREADABLE, channel, user_agent)
        return result if result.outcome == "locked" else SignInResult("two_factor_unreadable", user=user)
    if verified:
        record_attempt(email, ip, Reason.SIGNED_IN, user=user, channel=channel, user_agent=user_agent)
        return SignInResult("signed_in", user=user)
    return _fail(email, user, ip, Reason.BAD_CODE, channel, user_agent)


def unlock(lock, by, reason=""):
    """Lift an active lock. Audited (who and when) and logged as a domain event."""
    if not by.has_perm("accounts.unlock_user"):
        raise PermissionDenied("You do not have permission to unlock accounts.")
    with transaction.atomic(), change_reason(reason or "Unlocked by an administrator"):
        lock = AccountLock.objects.select_for_update().get(pk=lock.pk)
        if not lock.is_active:
            raise ValidationError(f"{lock} is no longer active.")
        lock.unlocked_at = timezone.now()
        lock.unlocked_by = by
        lock.save()
        emit("accounts.unlocked", obj=lock, message=f"{by} unlocked sign-in for {lock.target}")
    return lock


def active_locks():
    return AccountLock.objects.filter(
        unlocked_at__isnull=True, locked_until__gt=timezone.now()
    ).select_related("user")


# --- Passwords ----------------------------------------------------------------------------------


def record_password_history(user):
    """Keep the hash of the password just set (called by PasswordHistoryValidator.password_changed)."""
    return PasswordHistory.objects.create(user=user, password=user.password)


def password_expired(user):
    days = settings.QUALITAS_PASSWORD_EXPIRY_DAYS
    if days <= 0 or not user.has_usable_password():
        return False
    changed = user.password_changed
    return changed is None or changed + datetime.timedelta(days=days) <= timezone.now()


def password_change_required(user):
    """Whether the user must choose a new password before doing anything else (no query)."""
    if not user.has_usable_password():
        return False
    return user.must_change_password or password_expired(user)


def _validated(password, user, field_name):
    try:
        validate_password(password or "", user)
    except ValidationError as error:
        raise ValidationError({field_name: error.messages})


def change_password(user, new_password, current_password=None):
    """Set a new password after checking the current one (when given) and the policy."""
    user = _unwrap(user)
    if current_password is not None and not user.check_password(current_password):
        raise ValidationError({"old_password": ["Your current password is not correct."]})
    _validated(new_password, user, "new_password1")
    with transaction.atomic(), change_reason("Password changed by its owner"):
        user.set_password(new_password)
        user.save()
        emit("accounts.password_changed", obj=user, message=f"{user} changed their password")
    return user


def request_password_reset(email):
    """E-mail a reset link when an active user with a usable password has this address.

    Returns the user or None; callers show the same page either way, so the page does not tell
    who has an account. A mail failure is logged, not shown, for the same reason.
    """
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if user is None or not user.has_usable_password():
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    try:
        send_templated_mail(
            "password_reset",
            user.email,
            {
                "user": user,
                "url": site_url(reverse("accounts:password_reset_confirm", args=[uid, token])),
                "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            },
        )
    except EmailNotSent:
        return None
    emit(
        "accounts.password_reset_requested", obj=user, message=f"A password reset link was e-mailed to {user}"
    )
    return user


def user_for_reset_link(uidb64, token):
    """The user a reset link is for, or None when the link is malformed, used or expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def reset_password(user, new_password):
    """Set a password from a reset link. Proving the mailbox also lifts the account's lock."""
    _validated(new_password, user, "new_password1")
    with transaction.atomic(), change_reason("Password reset with an e-mailed link"):
        user.set_password(new_password)
        user.save()
        emit("accounts.password_reset", obj=user, message=f"{user} reset their password by e-mail")
        for lock in active_locks().filter(kind=LockKindChoices.ACCOUNT, email=normalise_email(user.email)):
            lock.unlocked_at = timezone.now()
            lock.save()
            emit(
                "accounts.unlocked",
                obj=lock,
                message=f"Sign-in for {lock.target} unlocked by a password reset",
            )
    return user


# --- Two-factor authentication ------------------------------------------------------------------


def requires_two_factor(user):
    """Whether one of the user's roles is in ``QUALITAS_2FA_REQUIRED_ROLES``."""
    roles = settings.QUALITAS_2FA_REQUIRED_ROLES
    return bool(roles) and user.groups.filter(name__in=roles).exists()


def enable_two_factor(user, secret, code):
    """Confirm enrolment with a code from the authenticator that scanned ``secret``.

    Returns the 10 recovery codes, in clear, for showing once.
    """
    user = _unwrap(user)
    if user.has_two_factor:
        raise ValidationError("Two-factor authentication is already on. Turn it off first to change device.")
    step = totp.matching_step(secret, code)
    if step is None:
        raise ValidationError(
            {
                "code": [
                    "That code is not right. Enter the current 6-digit code; if it still fails, "
                    "check that your phone's clock is set automatically."
                ]
            }
        )
    with transaction.atomic(), change_reason("Two-factor authentication turned on"):
        device = TOTPDevice(user=user, last_used_step=step, last_used_at=timezone.now())
        device.set_secret(secret)
        device.save()
        codes = _replace_recovery_codes(user)
        emit("accounts.two_factor_enabled", obj=user, message=f"{user} turned on two-factor authentication")
    return codes


def _replace_recovery_codes(user):
    RecoveryCode.objects.filter(user=user).delete()
    codes = [keys.new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=keys.digest(code)) for code in codes])
    return codes


def _check_own_password(user, password):
    if not user.check_password(password or ""):
        raise ValidationError({"password": ["Your password is not correct."]})


def regenerate_recovery_codes(user, password):
    """New recovery codes after re-entering the password; the old ones stop working."""
    user = _unwrap(user)
    _check_own_password(user, password)
    if not user.has_two_factor:
        raise ValidationError("Two-factor authentication is off: there are no recovery codes to replace.")
    with transaction.atomic(), change_reason("Recovery codes regenerated"):
        codes = _replace_recovery_codes(user)
        emit("accounts.recovery_codes_regenerated", obj=user, message=f"{user} made new recovery codes")
    return codes


def two_factor_readable(user):
    """False when the user's TOTP secret no longer decrypts (``SECRET_KEY`` changed)."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        return True
    try:
        device.get_secret()
    except encryption.DecryptionFailed:
        return False
    return True


def reencrypt_totp_secrets(remove_unreadable=False):
    """After a ``SECRET_KEY`` rotation: encrypt every TOTP secret again under the current key, so
    that the old key can leave ``SECRET_KEY_FALLBACKS``. Returns ``(re-encrypted, unreadable)``,
    the latter a list of users whose secret opens with no key; with ``remove_unreadable`` their
    devices and recovery codes are removed (audited and logged), so they enrol again."""
    reencrypted, unreadable = 0, []
    for device in TOTPDevice.objects.select_related("user").order_by("pk"):
        try:
            secret = device.get_secret()
        except encryption.DecryptionFailed:
            unreadable.append(device.user)
            continue
        with transaction.atomic(), change_reason("Re-encrypted under the current SECRET_KEY"):
            device.set_secret(secret)
            device.save()
        reencrypted += 1
    if remove_unreadable:
        for user in unreadable:
            with transaction.atomic(), change_reason("Two-factor secret unreadable after a key change"):
                TOTPDevice.objects.filter(user=user).delete()
                RecoveryCode.objects.filter(user=user).delete()
                emit(
                    "accounts.two_factor_disabled",
                    obj=user,
                    message=f"Two-factor authentication of {user} removed: its secret could not be "
                    "decrypted after a SECRET_KEY change",
                )
    return reencrypted, unreadable


def disable_two_factor(user, password):
    """Turn two-factor off after re-entering the password. Refused when the role requires it,
    unless the device can no longer be read: then turning it off is the way to enrol again."""
    user = _unwrap(user)
    _check_own_password(user, password)
    if not user.has_two_factor:
        raise ValidationError("Two-factor authentication is already off.")
    if requires_two_factor(user) and two_factor_readable(user):
        raise ValidationError("Your role requires two-factor authentication, so it cannot be turned off.")
    with transaction.atomic(), change_reason("Two-factor authentication turned off"):
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        emit("accounts.two_factor_disabled", obj=user, message=f"{user} turned off two-factor authentication")
    _forget_device(user)
    return user


def _forget_device(user):
    # The reverse one-to-one is cached on the instance; drop it so has_two_factor asks again.
    user._state.fields_cache.pop("totp_device", None)


class TwoFactorUnreadable(Exception):
    """The user's TOTP secret cannot be decrypted (``SECRET_KEY`` changed) and the code given was
    not a valid recovery code."""


def verify_second_factor(user, code):
    """True when ``code`` is the user's current TOTP code (not used before) or an unused recovery
    code, which is then spent. Raises ``TwoFactorUnreadable`` when the TOTP secret cannot be
    decrypted and the code is not a valid recovery code (recovery codes are hashed, not encrypted,
    so they keep working)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return False
        try:
            secret = device.get_secret()
        except encryption.DecryptionFailed:
            secret = None
            logger.error(
                "The two-factor secret of user #%s cannot be decrypted: has SECRET_KEY changed? "
                "See 'Secret key rotation' in docs/deployment.md.",
                user.pk,
            )
        step = None
        if secret is not None:
            step = totp.matching_step(secret, code, after_step=device.last_used_step)
        if step is not None:
            device.last_used_step = step
            device.last_used_at = timezone.now()
            device.save(update_fields=["last_used_step", "last_used_at"])
            return True
        normalised = keys.normalise_recovery_code(code)
        recovery = None
        if normalised is not None:
            recovery = (
                RecoveryCode.objects.select_for_update()
                .filter(user=user, code_hash=keys.digest(normalised), used_at__isnull=True)
                .first()
            )
        if recovery is None:
            if secret is None:
                raise TwoFactorUnreadable(user.pk)
            return False
        recovery.used_at = timezone.now()
        with change_reason("Recovery code used to sign in"):
            recovery.save()
        left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        emit(
            "accounts.recovery_code_used",
            obj=user,
            message=f"{user} signed in with a recovery code ({left} left)",
            data={"remaining": left},
        )
        return True


def unused_recovery_codes(user):
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- API tokens ---------------------------------------------------------------------------------


class ApiTokenRejected(Exception):
    """The presented API key is unknown, revoked or expired, or its user is inactive or must
    change their password."""


#: Last use is written at most this often per token, so busy scripts do not write every request.
API_TOKEN_USE_INTERVAL = datetime.timedelta(minutes=1)


def create_api_token(user, name, days=None):
    """A new token for ``user``. Returns ``(token, key)``; the key is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name, e.g. the script that will use it."]})
    if len(name) > 100:
        raise ValidationError({"name": ["Keep the name to 100 characters or fewer."]})
    days = settings.QUALITAS_API_TOKEN_DEFAULT_DAYS if days in (None, "") else days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise ValidationError({"expires_in_days": [f"Choose between 1 and {API_TOKEN_MAX_DAYS} days."]})
    key, prefix, key_hash = keys.new_api_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=prefix,
            key_hash=key_hash,
            expires=timezone.now() + datetime.timedelta(days=days),
        )
        emit(
            "accounts.api_token_created",
            obj=token,
            message=f"{user} created API token {token}, valid for {days} days",
            data={"expires": token.expires.isoformat()},
        )
    return token, key


def revoke_api_token(token, by):
    """Revoke a token: its owner may, and so may holders of ``accounts.change_apitoken``."""
    if token.user_id != by.pk and not by.has_perm("accounts.change_apitoken"):
        raise PermissionDenied("You can revoke only your own API tokens.")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise ValidationError("This token is already revoked.")
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save()
        emit("accounts.api_token_revoked", obj=token, message=f"{by} revoked API token {token}")
    return token


def authenticate_api_token(key, ip=None):
    """The active token for ``key``; raises ``ApiTokenRejected`` with the reason otherwise.

    Records the last use (time and address), at most once a minute per token.
    """
    if not key or len(key) > 200:
        raise ApiTokenRejected("Invalid token.")
    token = ApiToken.objects.select_related("user").filter(key_hash=keys.digest(key)).first()
    if token is None:
        raise ApiTokenRejected("Invalid token.")
    if token.revoked_at is not None:
        raise ApiTokenRejected("This token has been revoked.")
    if token.is_expired:
        raise ApiTokenRejected("This token has expired.")
    if not token.user.is_active:
        raise ApiTokenRejected("The token's user is inactive.")
    if password_change_required(token.user):
        reason = "has expired" if password_expired(token.user) else "must be changed"
        raise ApiTokenRejected(
            f"The password of the token's user {reason}: sign in on the web and choose a new one, "
            "then the token works again."
        )
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= API_TOKEN_USE_INTERVAL:
        token.last_used = now
        token.last_used_ip = clean_ip(ip)
        token.save(update_fields=["last_used", "last_used_ip"])
    return token


# --- Retention of the sign-in log ---------------------------------------------------------------

#: Rows deleted per statement, so that a first purge of a large log does not hold long locks.
PURGE_BATCH = 5000


def purge_login_attempts(now=None):
    """Delete sign-in attempts older than ``QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS``. Returns how many.

    ``LoginAttempt`` is append-only: its model and queryset refuse deletion, so that nothing
    rewrites the log by accident. Retention is the one sanctioned way rows leave it, through the
    plain base manager here. The rows are log entries, not audited records, so an ObjectChange per
    row would only copy the log into the audit trail; instead one domain event,
    ``accounts.sign_in_attempts_purged``, records the count and the cut-off, in the same
    transaction as the deletion. Nothing is written when nothing was old enough.
    """
    days = settings.QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    rows = LoginAttempt._base_manager.filter(time__lt=cutoff)
    deleted = 0
    with transaction.atomic():
        while True:
            batch = list(rows.order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
            if not batch:
                break
            count, _per_model = LoginAttempt._base_manager.filter(pk__in=batch).delete()
            deleted += count
        if deleted:
            emit(
                "accounts.sign_in_attempts_purged",
                message=f"{deleted} sign-in attempt(s) before {cutoff:%Y-%m-%d %H:%M} UTC deleted "
                f"({days}-day retention)",
                data={"deleted": deleted, "cutoff": cutoff.isoformat(), "retention_days": days},
            )
    return deleted
