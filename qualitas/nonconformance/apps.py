from django.apps import AppConfig


class NonconformanceConfig(AppConfig):
    name = "qualitas.nonconformance"
    label = "nonconformance"
    verbose_name = "Nonconformance"
