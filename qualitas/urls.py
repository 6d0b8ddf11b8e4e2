from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.module_loading import autodiscover_modules
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from qualitas.framework.api.router import router
from qualitas.views import home, search_page

handler404 = "qualitas.views.not_found"
handler500 = "qualitas.views.server_error"

# Each app's api/urls.py registers its viewsets on the shared router.
autodiscover_modules("api.urls")

urlpatterns = [
    path("", include("qualitas.health")),  # /healthz and /readyz
    path("", home, name="home"),
    path("search/", search_page, name="search"),
    path("accounts/", include("qualitas.accounts.urls")),
    # Core: /audit/ (the logs), /jobs/ and /files/ (attachment downloads).
    path("", include("qualitas.core.urls")),
    path("signatures/", include("qualitas.signatures.urls")),
    path("approvals/", include("qualitas.approvals.urls")),
    path("notifications/", include("qualitas.notifications.urls")),
    path("reports/", include("qualitas.reports.urls")),
    path("compliance/", include("qualitas.compliance.urls")),
    path("equipment/", include("qualitas.equipment.urls")),
    path("production/", include("qualitas.production.urls")),
    path("inspections/", include("qualitas.inspections.urls")),
    path("quality/", include("qualitas.nonconformance.urls")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

if settings.TESTING:
    urlpatterns.append(path("testapp/", include("qualitas.testing.testapp.urls")))
