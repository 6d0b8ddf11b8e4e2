from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "qualitas.reports"
    label = "reports"
    verbose_name = "Reports and inspection packs"
