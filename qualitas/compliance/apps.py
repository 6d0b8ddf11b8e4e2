from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "qualitas.compliance"
    label = "compliance"
    verbose_name = "Clause library"

    def ready(self):
        # The catalogue is synced after every migrate; evidence declarations are system-checked.
        from qualitas.compliance import checks, signals  # noqa: F401
