from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "qualitas.framework"
    label = "framework"
    verbose_name = "Framework"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's navigation.py registers its menu entries.
        autodiscover_modules("navigation")
