from django.urls import path

from qualitas.core.views import AccessLogViews, DomainEventViews, IntegrityView, ObjectChangeViews

app_name = "core"

urlpatterns = [
    path("integrity/", IntegrityView.as_view(), name="audit_integrity"),
    *ObjectChangeViews.urls(),
    *DomainEventViews.urls(),
    *AccessLogViews.urls(),
]
