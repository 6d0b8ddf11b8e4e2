from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qualitas.core"
    label = "core"
    verbose_name = "Audit trail and records"

    def ready(self):
        from qualitas.core import events, signals  # noqa: F401  (registers vocabulary and m2m audit)
