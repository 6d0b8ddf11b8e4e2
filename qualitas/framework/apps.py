from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "qualitas.framework"
    label = "framework"
    verbose_name = "Framework"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's views and API views register their models; navigation.py adds menu entries.
        autodiscover_modules("views", "api.views", "navigation")
