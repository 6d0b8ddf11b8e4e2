from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "qualitas.notifications"
    label = "notifications"
    verbose_name = "Notifications"
