from django.contrib.auth import views as auth_views
from django.urls import path

from qualitas.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.LoginVerifyView.as_view(), name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "password/reset/<str:uidb64>/<str:token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("two-factor/", views.TwoFactorView.as_view(), name="two_factor"),
    path("two-factor/enrol/", views.TwoFactorEnrolView.as_view(), name="two_factor_enrol"),
    path("two-factor/recovery-codes/", views.RecoveryCodesView.as_view(), name="recovery_codes"),
    path("two-factor/disable/", views.TwoFactorDisableView.as_view(), name="two_factor_disable"),
    path("api-tokens/", views.ApiTokensView.as_view(), name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("signup/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("locked/", views.LockedAccountsView.as_view(), name="locked_accounts"),
    path("locked/<int:pk>/unlock/", views.UnlockView.as_view(), name="unlock"),
    *views.CompanyViews.urls(),
    *views.UserViews.urls(),
    *views.InvitationViews.urls(),
    *views.LoginAttemptViews.urls(),
]
