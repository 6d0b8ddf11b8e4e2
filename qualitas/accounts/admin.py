"""The Django admin for account security records: read-only lists, with actions that go
through the services (unlock, revoke). The admin's own sign-in page is replaced by ours, so the
lockout and two-factor checks cannot be bypassed through /admin/login/."""

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qualitas.accounts import services
from qualitas.accounts.models import AccountLock, ApiToken, Company, Invitation, LoginAttempt, User


def sign_in_through_qualitas(request, extra_context=None):
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("accounts:login"))


admin.site.login = sign_in_through_qualitas


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _apply(modeladmin, request, queryset, operation, done):
    count = 0
    for obj in queryset:
        try:
            operation(obj)
        except (ValidationError, PermissionDenied) as error:
            modeladmin.message_user(
                request, f"{obj}: {' '.join(getattr(error, 'messages', [str(error)]))}", messages.WARNING
            )
        else:
            count += 1
    if count:
        modeladmin.message_user(request, f"{count} {done}.", messages.SUCCESS)


@admin.register(AccountLock)
class AccountLockAdmin(ReadOnlyAdmin):
    list_display = (
        "kind",
        "email",
        "ip",
        "user",
        "failures",
        "created",
        "locked_until",
        "unlocked_at",
        "unlocked_by",
    )
    list_filter = ("kind",)
    search_fields = ("email", "ip")
    actions = ("unlock_selected",)

    @admin.action(description="Unlock the selected sign-in locks", permissions=("unlock",))
    def unlock_selected(self, request, queryset):
        _apply(self, request, queryset, lambda lock: services.unlock(lock, request.user), "unlocked")

    def has_unlock_permission(self, request):
        return request.user.has_perm("accounts.unlock_user")


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    list_display = ("time", "email", "user", "ip", "channel", "success", "reason")
    list_filter = ("success", "reason", "channel")
    search_fields = ("email", "ip")
    date_hierarchy = "time"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "user", "created", "expires", "revoked_at", "last_used", "last_used_ip")
    search_fields = ("name", "prefix", "user__email")
    exclude = ("key_hash",)
    actions = ("revoke_selected",)

    @admin.action(description="Revoke the selected API tokens", permissions=("revoke",))
    def revoke_selected(self, request, queryset):
        _apply(
            self, request, queryset, lambda token: services.revoke_api_token(token, request.user), "revoked"
        )

    def has_revoke_permission(self, request):
        return request.user.has_perm("accounts.change_apitoken")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "company", "invited_by", "created", "expires", "accepted_at", "is_archived")
    search_fields = ("email",)
    exclude = ("token_hash",)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """Saves and deletions go through the model, so they are audited like any other write."""

    list_display = ("name", "code", "kind", "country", "is_archived")
    list_filter = ("kind", "is_archived")
    search_fields = ("name", "code", "email")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """People, for administrators. Passwords are never edited here: people set their own (reset by
    e-mail), and roles are best given on the person's page, which checks who may grant what."""

    list_display = ("email", "full_name", "company", "is_active", "last_login")
    list_filter = ("is_active", "groups", "company")
    search_fields = ("email", "full_name", "department", "job_title")
    fields = (
        "email",
        "full_name",
        "company",
        "department",
        "job_title",
        "is_active",
        "groups",
        "must_change_password",
    )
    filter_horizontal = ("groups",)
    readonly_fields = ("email",)

    def has_add_permission(self, request):
        return False  # people join by invitation
