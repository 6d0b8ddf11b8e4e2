"""Account pages. Each view parses input, calls a service and renders the result."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from qualitas.accounts import ratelimit, services, session, totp
from qualitas.accounts.choices import InvitationStatusChoices, LoginAttemptReasonChoices
from qualitas.accounts.filtersets import (
    CompanyFilterSet,
    InvitationFilterSet,
    LoginAttemptFilterSet,
    UserFilterSet,
)
from qualitas.accounts.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    CodeForm,
    CompanyForm,
    InvitationForm,
    LoginForm,
    NewPasswordForm,
    PasswordForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignUpForm,
    UserForm,
    add_service_errors,
)
from qualitas.accounts.models import AccountLock, ApiToken, Company, Invitation, LoginAttempt, User
from qualitas.accounts.roles import ROLE_NAMES
from qualitas.accounts.tables import CompanyTable, InvitationTable, LoginAttemptTable, UserTable
from qualitas.framework.middleware import client_ip
from qualitas.framework.ui.panels import FieldsPanel, Panel, RelatedPanel, TextPanel, display_value
from qualitas.framework.views.generic import ModelViews
from qualitas.framework.views.generic.viewset import EditView

# --- Records ------------------------------------------------------------------------------------


class CompanyViews(ModelViews):
    model = Company
    table = CompanyTable
    filterset = CompanyFilterSet
    form = CompanyForm
    panels = (
        FieldsPanel("Company", ("name", "code", "kind", "country", "email", "phone", "website")),
        TextPanel("Address", "address"),
        TextPanel("Notes", "notes"),
        RelatedPanel("People", "users", columns=("full_name", "email", "job_title")),
    )


class UserAccessPanel(Panel):
    """Whether the person can sign in, their roles, and links to what they did."""

    template_name = "accounts/panels/user_access.html"

    def context(self, obj, request):
        viewer = request.user
        groups = sorted(group.name for group in obj.groups.all())
        roles = [name for name in groups if name in ROLE_NAMES]
        other_groups = [name for name in groups if name not in ROLE_NAMES]
        links = []
        if viewer.has_perm("core.view_objectchange"):
            links.append(("Changes by this person", f"{reverse('core:objectchange_list')}?user={obj.pk}"))
        if viewer.has_perm("accounts.view_loginattempt"):
            links.append(("Sign-in attempts", f"{reverse('accounts:loginattempt_list')}?user={obj.pk}"))
        return {
            "status": obj.is_active,
            "roles": roles,
            "other_groups": other_groups,
            "has_two_factor": obj.has_two_factor,
            "password_changed": display_value(obj, "password_changed"),
            "last_login": display_value(obj, "last_login"),
            "links": links,
        }


class UserViews(ModelViews):
    """People are created by invitation; holders of ``accounts.change_user`` edit their details
    and roles (``UserEditView``) and deactivate or reactivate them (actions with a reason)."""

    model = User
    table = UserTable
    filterset = UserFilterSet
    form = UserForm
    can_create = False
    form_template = "accounts/user_form.html"
    panels = (
        FieldsPanel("Person", ("full_name", "email", "company", "department", "job_title", "date_joined")),
        UserAccessPanel("Access"),
    )

    @classmethod
    def urls(cls):
        edit = cls.name("edit")
        return [
            path("users/<int:pk>/edit/", UserEditView.as_view(viewset=cls), name=edit),
            *(pattern for pattern in super().urls() if pattern.name != edit),
        ]


class UserEditView(EditView):
    """The generic edit page, with the save done by ``services.update_user`` (role rules)."""

    def get(self, request, pk):
        obj = self.get_target()
        return self.render_form(UserForm(instance=obj, editor=request.user), obj)

    def post(self, request, pk):
        obj = self.get_target()
        # The form works on a copy: the service saves the row it locks, not the form's instance.
        form = UserForm(request.POST, instance=User.objects.get(pk=obj.pk), editor=request.user)
        if form.is_valid():
            try:
                services.update_user(obj, request.user, **form.service_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{obj} has been saved.")
                return redirect(obj.get_absolute_url())
        return self.render_form(form, obj, status=400)


class InvitationPanel(Panel):
    """The invitation's fields, its computed status as a badge and the roles it grants."""

    template_name = "framework/panels/fields.html"

    def context(self, obj, request):
        status = obj.status
        badge = format_html(
            '<span class="badge text-bg-{}">{}</span>',
            InvitationStatusChoices.color(status),
            InvitationStatusChoices.label(status),
        )
        roles = ", ".join(group.name for group in obj.roles.order_by("name")) or "none"
        return {
            "rows": [
                ("E-mail", display_value(obj, "email")),
                ("Status", badge),
                ("Company", display_value(obj, "company")),
                ("Roles", roles),
                ("Invited by", display_value(obj, "invited_by")),
                ("Expires", display_value(obj, "expires")),
                ("Accepted", display_value(obj, "accepted_at")),
                ("Account", display_value(obj, "accepted_user")),
            ]
        }


class InvitationViews(ModelViews):
    """Invitations are sent through ``InvitationCreateView`` (a service e-mails the link);
    archiving one revokes it."""

    model = Invitation
    table = InvitationTable
    filterset = InvitationFilterSet
    form = InvitationForm
    can_edit = False
    panels = (InvitationPanel("Invitation"), TextPanel("Personal note", "message"))

    @classmethod
    def urls(cls):
        add = cls.name("add")
        return [
            path("invitations/add/", InvitationCreateView.as_view(), name=add),
            *(pattern for pattern in super().urls() if pattern.name != add),
        ]


class LoginAttemptViews(ModelViews):
    """The sign-in log, read-only."""

    model = LoginAttempt
    table = LoginAttemptTable
    filterset = LoginAttemptFilterSet
    can_create = can_edit = False
    panels = (
        FieldsPanel(
            "Sign-in attempt", ("time", "email", "user", "ip", "channel", "success", "reason", "user_agent")
        ),
    )

    @classmethod
    def get_panels(cls, obj):
        # A log entry is its own record: no created/updated panel.
        return list(cls.panels)


# --- Helpers ------------------------------------------------------------------------------------


def safe_next(request, value=None):
    value = value if value is not None else request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def user_agent(request):
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def require_permission(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied("You do not have permission to open this page.")


def rate_limited(request, scope):
    address = services.clean_ip(client_ip(request)) or "unknown"
    return ratelimit.hit(scope, address, settings.QUALITAS_LOGIN_IP_RATE)


RATE_LIMITED_MESSAGE = "Too many attempts from your network address. Wait a minute, then try again."


# --- Sign-in ------------------------------------------------------------------------------------


class LoginView(View):
    template_name = "accounts/login.html"

    def get(self, request):
        return self.render(LoginForm(), safe_next(request))

    def post(self, request):
        form = LoginForm(request.POST)
        next_url = safe_next(request)
        ip = client_ip(request)
        if rate_limited(request, "login"):
            services.record_attempt(
                services.normalise_email(request.POST.get("email")),
                ip,
                LoginAttemptReasonChoices.RATE_LIMITED,
                user_agent=user_agent(request),
            )
            form.is_valid()
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return self.render(form, next_url, status=429)
        if not form.is_valid():
            return self.render(form, next_url, status=400)
        result = services.sign_in(
            form.cleaned_data["email"], form.cleaned_data["password"], ip=ip, user_agent=user_agent(request)
        )
        if result.outcome == "signed_in":
            session.log_in(request, result.user)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if result.outcome == "code_required":
            session.remember_password_step(request, result.user, next_url)
            return redirect("accounts:login_verify")
        form.add_error(None, result.message)
        return self.render(form, next_url, status=403 if result.outcome == "locked" else 400)

    def render(self, form, next_url, status=200):
        context = {"form": form, "next": next_url, "open_signup": settings.QUALITAS_OPEN_SIGNUP}
        return render(self.request, self.template_name, context, status=status)


class LoginVerifyView(View):
    """The code step: after the password (pending sign-in), or for a signed-in session that
    has not proved the second factor yet."""

    template_name = "accounts/login_verify.html"

    def target(self, request):
        user = session.pending_user(request)
        if user is not None:
            return user, True
        if request.user.is_authenticated and session.pending_step(request) == session.VERIFY_CODE:
            return request.user, False
        return None, False

    def get(self, request):
        user, _pending = self.target(request)
        if user is None:
            messages.info(request, "Your sign-in timed out. Please sign in again.")
            return redirect("accounts:login")
        return self.render(CodeForm(), user)

    def post(self, request):
        user, pending = self.target(request)
        if user is None:
            messages.info(request, "Your sign-in timed out. Please sign in again.")
            return redirect("accounts:login")
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.render(form, user, status=400)
        result = services.verify_sign_in_code(
            user, form.cleaned_data["code"], ip=client_ip(request), user_agent=user_agent(request)
        )
        if result.outcome == "signed_in":
            if pending:
                next_url = safe_next(request, session.pending_next(request))
                session.log_in(request, user, code_verified=True)
            else:
                next_url = safe_next(request)
                session.finish_step(request, session.VERIFY_CODE)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if result.outcome == "locked":
            session.forget_password_step(request)
            if not pending:
                logout(request)
            messages.error(request, result.message)
            return redirect("accounts:login")
        if result.outcome == "two_factor_unreadable":
            form.add_error(None, result.message)
        else:
            form.add_error(
                "code", "That code is not right. Enter the current code from your authenticator app."
            )
        return self.render(form, user, status=400)

    def render(self, form, user, status=200):
        context = {"form": form, "pending_user": user, "next": safe_next(self.request)}
        return render(self.request, self.template_name, context, status=status)


# --- Passwords ----------------------------------------------------------------------------------


class PasswordChangeView(LoginRequiredMixin, View):
    template_name = "accounts/password_change.html"

    def get(self, request):
        return self.render(ChangePasswordForm())

    def post(self, request):
        form = ChangePasswordForm(request.POST)
        if form.is_valid():
            try:
                services.change_password(
                    request.user, form.cleaned_data["new_password1"], form.cleaned_data["old_password"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, "Your password has been changed.")
                return redirect(safe_next(request) or "accounts:profile")
        return self.render(form, status=400)

    def render(self, form, status=200):
        user = self.request.user
        context = {
            "form": form,
            "next": safe_next(self.request),
            "forced": services.password_change_required(user),
            "expired": services.password_expired(user),
        }
        return render(self.request, self.template_name, context, status=status)


class PasswordResetView(View):
    template_name = "accounts/password_reset.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PasswordResetRequestForm()})

    def post(self, request):
        form = PasswordResetRequestForm(request.POST)
        if rate_limited(request, "password_reset"):
            form.is_valid()
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return render(request, self.template_name, {"form": form}, status=429)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        services.request_password_reset(form.cleaned_data["email"])
        return redirect("accounts:password_reset_sent")


class PasswordResetSentView(View):
    def get(self, request):
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        return render(request, "accounts/password_reset_sent.html", {"minutes": minutes})


RESET_SESSION_KEY = "qualitas_reset_token"
RESET_URL_TOKEN = "set-password"


class PasswordResetConfirmView(View):
    """The e-mailed link. The token moves from the URL into the session at once, so it does not
    leak through the Referer header of the page where the new password is typed."""

    template_name = "accounts/password_reset_confirm.html"

    def get(self, request, uidb64, token):
        if token != RESET_URL_TOKEN:
            if services.user_for_reset_link(uidb64, token) is None:
                return self.invalid()
            request.session[RESET_SESSION_KEY] = token
            return redirect("accounts:password_reset_confirm", uidb64=uidb64, token=RESET_URL_TOKEN)
        user = self.user(uidb64)
        if user is None:
            return self.invalid()
        return render(request, self.template_name, {"form": NewPasswordForm(), "valid": True})

    def post(self, request, uidb64, token):
        user = self.user(uidb64) if token == RESET_URL_TOKEN else None
        if user is None:
            return self.invalid()
        form = NewPasswordForm(request.POST)
        if form.is_valid():
            try:
                services.reset_password(user, form.cleaned_data["new_password1"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session.pop(RESET_SESSION_KEY, None)
                return redirect("accounts:password_reset_complete")
        return render(request, self.template_name, {"form": form, "valid": True}, status=400)

    def user(self, uidb64):
        return services.user_for_reset_link(uidb64, self.request.session.get(RESET_SESSION_KEY, ""))

    def invalid(self):
        return render(self.request, self.template_name, {"valid": False}, status=400)


class PasswordResetCompleteView(View):
    def get(self, request):
        return render(request, "accounts/password_reset_complete.html")


# --- Profile ------------------------------------------------------------------------------------


class ProfileView(LoginRequiredMixin, View):
    template_name = "accounts/profile.html"

    def get(self, request):
        user = request.user
        initial = {"full_name": user.full_name, "department": user.department, "job_title": user.job_title}
        return self.render(ProfileForm(initial=initial))

    def post(self, request):
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.update_profile(request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your profile has been saved.")
                return redirect("accounts:profile")
        return self.render(form, status=400)

    def render(self, form, status=200):
        user = self.request.user
        context = {
            "form": form,
            "profile_user": user,
            "roles": user.role_names,
            "has_two_factor": user.has_two_factor,
            "password_expired": services.password_expired(user),
        }
        return render(self.request, self.template_name, context, status=status)


# --- Two-factor authentication ------------------------------------------------------------------

ENROL_SECRET_KEY = "qualitas_enrol_secret"
NEW_CODES_KEY = "qualitas_new_recovery_codes"


class TwoFactorView(LoginRequiredMixin, View):
    template_name = "accounts/two_factor.html"

    def get(self, request):
        return self.render()

    def render(self, regenerate_form=None, disable_form=None, status=200):
        user = self.request.user
        device = user.totp_device if user.has_two_factor else None
        context = {
            "device": device,
            "device_readable": services.two_factor_readable(user) if device else True,
            "unused_codes": services.unused_recovery_codes(user) if device else 0,
            "required": services.requires_two_factor(user),
            "regenerate_form": regenerate_form or PasswordForm(prefix="regenerate"),
            "disable_form": disable_form or PasswordForm(prefix="disable"),
        }
        return render(self.request, self.template_name, context, status=status)


class TwoFactorEnrolView(LoginRequiredMixin, View):
    template_name = "accounts/two_factor_enrol.html"

    def get(self, request):
        if request.user.has_two_factor:
            messages.info(request, "Two-factor authentication is already on.")
            return redirect("accounts:two_factor")
        return self.render(CodeForm())

    def post(self, request):
        if request.user.has_two_factor:
            return redirect("accounts:two_factor")
        form = CodeForm(request.POST)
        secret = request.session.get(ENROL_SECRET_KEY)
        if form.is_valid() and secret:
            try:
                codes = services.enable_two_factor(request.user, secret, form.cleaned_data["code"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session.pop(ENROL_SECRET_KEY, None)
                session.finish_step(request, session.ENROL_TWO_FACTOR)
                session.finish_step(request, session.VERIFY_CODE)
                request.session[NEW_CODES_KEY] = codes
                messages.success(request, "Two-factor authentication is on.")
                return redirect("accounts:recovery_codes")
        elif not secret:
            form.add_error(None, "The set-up timed out: scan the new QR code and enter its code.")
        return self.render(form, status=400)

    def render(self, form, status=200):
        user = self.request.user
        secret = self.request.session.get(ENROL_SECRET_KEY)
        if not secret:
            secret = totp.new_secret()
            self.request.session[ENROL_SECRET_KEY] = secret
        uri = totp.provisioning_uri(secret, user.email)
        context = {
            "form": form,
            "qr_svg": totp.qr_svg(uri),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "forced": session.pending_step(self.request) == session.ENROL_TWO_FACTOR,
            "next": safe_next(self.request),
        }
        return render(self.request, self.template_name, context, status=status)


class RecoveryCodesView(LoginRequiredMixin, View):
    """Shows freshly made recovery codes once (GET), or makes new ones (POST, with password)."""

    def get(self, request):
        codes = request.session.pop(NEW_CODES_KEY, None)
        if not codes:
            return redirect("accounts:two_factor")
        return render(request, "accounts/recovery_codes.html", {"codes": codes})

    def post(self, request):
        form = PasswordForm(request.POST, prefix="regenerate")
        if form.is_valid():
            try:
                codes = services.regenerate_recovery_codes(request.user, form.cleaned_data["password"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session[NEW_CODES_KEY] = codes
                return redirect("accounts:recovery_codes")
        view = TwoFactorView()
        view.setup(request)
        return view.render(regenerate_form=form, status=400)


class TwoFactorDisableView(LoginRequiredMixin, View):
    def post(self, request):
        form = PasswordForm(request.POST, prefix="disable")
        if form.is_valid():
            try:
                services.disable_two_factor(request.user, form.cleaned_data["password"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if services.requires_two_factor(request.user):
                    # Only an unreadable device can be turned off under such a role: enrol again now.
                    session.require_step(request, session.ENROL_TWO_FACTOR)
                    return redirect("accounts:two_factor_enrol")
                messages.success(request, "Two-factor authentication is off.")
                return redirect("accounts:two_factor")
        view = TwoFactorView()
        view.setup(request)
        return view.render(disable_form=form, status=400)


# --- API tokens ---------------------------------------------------------------------------------

NEW_TOKEN_KEY = "qualitas_new_api_token"


class ApiTokensView(LoginRequiredMixin, View):
    template_name = "accounts/api_tokens.html"

    def get(self, request):
        return self.render(ApiTokenForm(), new_key=request.session.pop(NEW_TOKEN_KEY, None))

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, key = services.create_api_token(
                    request.user, form.cleaned_data["name"], form.cleaned_data["expires_in_days"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session[NEW_TOKEN_KEY] = key
                return redirect("accounts:api_tokens")
        return self.render(form, status=400)

    def render(self, form, new_key=None, status=200):
        tokens = ApiToken.objects.filter(user=self.request.user).order_by("-created")
        context = {"form": form, "tokens": tokens, "new_key": new_key, "now": timezone.now()}
        return render(self.request, self.template_name, context, status=status)


class ApiTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        try:
            services.revoke_api_token(token, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"The token {token.name} is revoked.")
        return redirect("accounts:api_tokens")


# --- Invitations and sign-up --------------------------------------------------------------------


class InvitationCreateView(LoginRequiredMixin, View):
    template_name = "accounts/invitation_form.html"

    def get(self, request):
        require_permission(request.user, "accounts.add_invitation")
        return self.render(InvitationForm(inviter=request.user))

    def post(self, request):
        require_permission(request.user, "accounts.add_invitation")
        form = InvitationForm(request.POST, inviter=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation, _token = services.invite(
                    request.user, data["email"], data["roles"], data["company"], data["message"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except services.EmailNotSent as error:
                form.add_error(None, f"{error} The invitation was revoked; try again later.")
            else:
                expires = timezone.localtime(invitation.expires).strftime("%Y-%m-%d %H:%M")
                messages.success(
                    request, f"Invitation sent to {invitation.email}; it is valid until {expires}."
                )
                return redirect(invitation.get_absolute_url())
        return self.render(form, status=400)

    def render(self, form, status=200):
        context = {"form": form, "days": settings.QUALITAS_INVITATION_DAYS}
        return render(self.request, self.template_name, context, status=status)


class InvitationAcceptView(View):
    template_name = "accounts/signup.html"

    def get(self, request, token):
        invitation = services.invitation_for_token(token)
        if invitation is None:
            return self.unavailable()
        return self.render(SignUpForm(invitation=invitation), invitation)

    def post(self, request, token):
        invitation = services.invitation_for_token(token)
        if invitation is None:
            return self.unavailable()
        form = SignUpForm(request.POST, invitation=invitation)
        if form.is_valid():
            try:
                user = services.accept_invitation(
                    token, form.cleaned_data["full_name"], form.cleaned_data["password"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                session.log_in(request, user)
                messages.success(request, f"Welcome to Qualitas, {user.get_short_name()}.")
                return redirect(settings.LOGIN_REDIRECT_URL)
        return self.render(form, invitation, status=400)

    def render(self, form, invitation, status=200):
        context = {"form": form, "invitation": invitation}
        return render(self.request, self.template_name, context, status=status)

    def unavailable(self):
        context = {"reason": "invitation"}
        return render(self.request, "accounts/signup_unavailable.html", context, status=404)


class SignUpView(View):
    template_name = "accounts/signup.html"

    def get(self, request):
        if not settings.QUALITAS_OPEN_SIGNUP:
            return self.unavailable()
        return render(request, self.template_name, {"form": SignUpForm()})

    def post(self, request):
        if not settings.QUALITAS_OPEN_SIGNUP:
            return self.unavailable()
        form = SignUpForm(request.POST)
        if rate_limited(request, "signup"):
            form.is_valid()
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return render(request, self.template_name, {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.sign_up(data["email"], data["full_name"], data["password"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                session.log_in(request, user)
                messages.success(request, f"Welcome to Qualitas, {user.get_short_name()}.")
                return redirect(settings.LOGIN_REDIRECT_URL)
        return render(request, self.template_name, {"form": form}, status=400)

    def unavailable(self):
        return render(self.request, "accounts/signup_unavailable.html", {"reason": "closed"}, status=404)


# --- Locked accounts ----------------------------------------------------------------------------


class LockedAccountsView(LoginRequiredMixin, View):
    template_name = "accounts/locked_accounts.html"

    def get(self, request):
        require_permission(request.user, "accounts.unlock_user")
        context = {
            "locks": services.active_locks().order_by("kind", "-created"),
            "recent": AccountLock.objects.select_related("user", "unlocked_by").order_by("-created")[:20],
            "can_view_attempts": request.user.has_perm("accounts.view_loginattempt"),
        }
        return render(request, self.template_name, context)


class UnlockView(LoginRequiredMixin, View):
    def post(self, request, pk):
        require_permission(request.user, "accounts.unlock_user")
        lock = get_object_or_404(AccountLock, pk=pk)
        try:
            services.unlock(lock, request.user)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(request, f"Sign-in for {lock.target} is unlocked.")
        return redirect(reverse("accounts:locked_accounts"))
