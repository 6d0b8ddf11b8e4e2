from importlib import import_module

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qualitas.core"
    label = "core"
    verbose_name = "Audit trail and records"

    def import_models(self):
        super().import_models()
        # The record-service models (jobs, attachments, comments) derive from the framework's
        # audited base classes, which import the audit trail's models from models.py: they can
        # only be defined once models.py is loaded.
        import_module("qualitas.core.service_models")

    def ready(self):
        from qualitas.core import events, signals  # noqa: F401  (registers vocabulary and m2m audit)
