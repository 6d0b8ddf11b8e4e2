from django.urls import path

from qualitas.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notification_list"),
    path("<int:pk>/open/", views.NotificationOpenView.as_view(), name="notification_open"),
    path("<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("read-all/", views.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("bell/", views.bell, name="bell"),
    path("menu/", views.menu, name="menu"),
    path("preferences/", views.PreferencesView.as_view(), name="preferences"),
    path("stream/", views.event_stream, name="stream"),
    *views.DeliveryViews.urls(),
]
