"""Infrastructure: roles are applied after every migrate, so new permissions reach the roles;
every login (ours, the test client's, any other) records the session's pending security steps."""

from django.apps import apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from qualitas.accounts import services, session
from qualitas.framework.context import change_context


@receiver(post_migrate)
def apply_roles_after_migrate(sender, app_config=None, using="default", **kwargs):
    # Run once, after the last installed app has migrated and got its permissions.
    if app_config is None or app_config.label != list(apps.get_app_configs())[-1].label:
        return
    with change_context(reason="roles applied after migrate"):
        services.apply_roles()


@receiver(user_logged_in)
def start_security_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session.start(request, user)
