"""``SecurityPolicyMiddleware``: a signed-in session that still owes a security step (the
two-factor code, a required enrolment, or a new password) reaches nothing but that step.

It reads the session and the already loaded user only: no database query of its own.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from qualitas.accounts import session

STEP_VIEWS = {
    session.VERIFY_CODE: "accounts:login_verify",
    session.ENROL_TWO_FACTOR: "accounts:two_factor_enrol",
    session.CHANGE_PASSWORD: "accounts:password_change",
}
STEP_MESSAGES = {
    session.VERIFY_CODE: "Enter your two-factor code to finish signing in.",
    session.ENROL_TWO_FACTOR: "Your role requires two-factor authentication: set it up first.",
    session.CHANGE_PASSWORD: "Choose a new password first.",
}
#: Pages every session may reach whatever it owes.
EXEMPT_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:login_verify",
        "accounts:logout",
        "accounts:password_reset",
        "accounts:password_reset_sent",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:signup",
        "accounts:invitation_accept",
    }
)
EXEMPT_PREFIXES = ("/healthz", "/readyz", "/favicon.ico")


class SecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt_prefixes = tuple(
            prefix for prefix in (*EXEMPT_PREFIXES, settings.STATIC_URL, settings.MEDIA_URL) if prefix
        )

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(self.exempt_prefixes):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_VIEWS:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        step = session.pending_step(request)
        if step is None or (match is not None and match.view_name == STEP_VIEWS[step]):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"status": 403, "code": "security_step_required", "detail": STEP_MESSAGES[step]}, status=403
            )
        url = reverse(STEP_VIEWS[step])
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
