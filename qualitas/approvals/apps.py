from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "qualitas.approvals"
    label = "approvals"
    verbose_name = "Approval workflows"
