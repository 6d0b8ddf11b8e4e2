from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "qualitas.framework"
    label = "framework"
    verbose_name = "Framework"

    def ready(self):
        from django.apps import apps
        from django.utils.module_loading import autodiscover_modules

        from qualitas.framework.registry import register_state_machine_events

        # Every action writes a domain event, whether or not the model has views yet.
        for model in apps.get_models():
            register_state_machine_events(model)

        # Each app's views and API views register their models; navigation.py adds menu entries.
        autodiscover_modules("views", "api.views", "navigation")
