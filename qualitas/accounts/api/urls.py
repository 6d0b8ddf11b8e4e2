from qualitas.accounts.api.views import (
    ApiTokenViewSet,
    CompanyViewSet,
    InvitationViewSet,
    LoginAttemptViewSet,
    TokenViewSet,
    UserViewSet,
)
from qualitas.framework.api.router import router

router.register("companies", CompanyViewSet)
router.register("users", UserViewSet)
router.register("invitations", InvitationViewSet)
router.register("sign-in-attempts", LoginAttemptViewSet)
router.register("auth/token", TokenViewSet, basename="auth-token")
router.register("tokens", ApiTokenViewSet, basename="apitoken")
