from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "qualitas.signatures"
    label = "signatures"
    verbose_name = "Electronic signatures"

    def ready(self):
        # The framework's actions sign through this app; it cannot import it (this app is built
        # on the framework), so the service is handed to it here.
        from qualitas.framework.actions import register_signing_service
        from qualitas.signatures import services
        from qualitas.signatures.forms import SignatureFieldsForm

        register_signing_service(services, form_class=SignatureFieldsForm)
