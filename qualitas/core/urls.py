from qualitas.core.views import AccessLogViews, DomainEventViews, ObjectChangeViews

app_name = "core"

urlpatterns = [
    *ObjectChangeViews.urls(),
    *DomainEventViews.urls(),
    *AccessLogViews.urls(),
]
