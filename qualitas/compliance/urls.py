from django.urls import path

from qualitas.compliance import views

app_name = "compliance"

urlpatterns = [
    path("", views.LibraryView.as_view(), name="library"),
    *views.StandardViews.urls(),
    *views.ClauseViews.urls(),
    # Last: the pages under a clause's key and a standard's code.
    *views.key_urls(),
]
