from qualitas.accounts.api.views import CompanyViewSet, UserViewSet
from qualitas.framework.api.router import router

router.register("companies", CompanyViewSet)
router.register("users", UserViewSet)
