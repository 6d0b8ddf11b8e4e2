"""Periodic jobs of the accounts app."""

from datetime import timedelta

from celery import shared_task

from qualitas.accounts import services
from qualitas.framework.jobs import periodic


@periodic("Purge old sign-in attempts", every=timedelta(days=1))
@shared_task(ignore_result=True)
def purge_sign_in_attempts():
    """Delete sign-in attempts older than QUALITAS_LOGIN_ATTEMPT_RETENTION_DAYS; returns how many."""
    return services.purge_login_attempts()
