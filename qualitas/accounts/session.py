"""Web sign-in state kept in the session: the half-finished sign-in waiting for a code, and the
security steps a signed-in session must finish before anything else.

``security_state`` is written once per login (``start``, from the ``user_logged_in`` signal, so
every way of logging in goes through it); ``SecurityPolicyMiddleware`` then reads it on every
request without touching the database.
"""

import time

from django.contrib.auth import login

from qualitas.accounts import services
from qualitas.accounts.models import User

PENDING_KEY = "qualitas_pending_sign_in"
STATE_KEY = "qualitas_security"
#: How long the code step waits after the password step.
PENDING_SECONDS = 300

VERIFY_CODE = "verify_code"
ENROL_TWO_FACTOR = "enrol_two_factor"
CHANGE_PASSWORD = "change_password"


def remember_password_step(request, user, next_url=""):
    """The password was right and a code is needed: remember who, for a few minutes."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", "qualitas.accounts.backends.EmailBackend"),
        "since": time.time(),
        "next": next_url,
    }


def pending_user(request):
    """The user whose sign-in waits for a code, or None when there is none or it timed out."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("since", 0) > PENDING_SECONDS:
        forget_password_step(request)
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is not None:
        user.backend = pending.get("backend")
    return user


def pending_next(request):
    pending = request.session.get(PENDING_KEY)
    return pending.get("next", "") if isinstance(pending, dict) else ""


def forget_password_step(request):
    request.session.pop(PENDING_KEY, None)


def log_in(request, user, code_verified=False):
    """Log ``user`` in (both factors are done). Rotates the session key."""
    request.qualitas_code_verified = code_verified
    forget_password_step(request)
    login(request, user, backend=getattr(user, "backend", None) or "qualitas.accounts.backends.EmailBackend")


def start(request, user):
    """Decide the session's pending security steps at login (called for every login)."""
    has_device = user.has_two_factor
    verified = getattr(request, "qualitas_code_verified", False)
    request.session[STATE_KEY] = {
        VERIFY_CODE: has_device and not verified,
        ENROL_TWO_FACTOR: not has_device and services.requires_two_factor(user),
    }


def finish_step(request, step):
    state = dict(request.session.get(STATE_KEY) or {})
    state[step] = False
    request.session[STATE_KEY] = state


def require_step(request, step):
    state = dict(request.session.get(STATE_KEY) or {})
    state[step] = True
    request.session[STATE_KEY] = state


def pending_step(request):
    """The first security step this signed-in session must finish, or None."""
    state = request.session.get(STATE_KEY) or {}
    if state.get(VERIFY_CODE):
        return VERIFY_CODE
    if state.get(ENROL_TWO_FACTOR):
        return ENROL_TWO_FACTOR
    if services.password_change_required(request.user):
        return CHANGE_PASSWORD
    return None
