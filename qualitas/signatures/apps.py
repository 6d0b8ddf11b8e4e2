from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "qualitas.signatures"
    label = "signatures"
    verbose_name = "Electronic signatures"
