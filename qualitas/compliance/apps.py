from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "qualitas.compliance"
    label = "compliance"
    verbose_name = "Clause library"
