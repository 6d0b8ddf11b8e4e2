from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qualitas.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from qualitas.accounts import signals  # noqa: F401  (runs setup_roles after migrate)
