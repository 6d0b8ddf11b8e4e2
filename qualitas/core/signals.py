"""Infrastructure signals: many-to-many changes on audited models are audited too; after every
migrate the periodic-job registry is written to the scheduler and the append-only triggers are
checked (and re-created where a migration dropped them)."""

from django.db import connections
from django.db.models.signals import m2m_changed, post_migrate
from django.dispatch import receiver

from qualitas.core import audit, triggers
from qualitas.core.choices import ChangeActionChoices
from qualitas.framework.jobs import sync_periodic_tasks
from qualitas.framework.models.base import AuditedModel


@receiver(m2m_changed)
def audit_many_to_many(sender, instance, action, reverse, model, pk_set, **kwargs):
    if (
        reverse
        or not isinstance(instance, AuditedModel)
        or action not in ("post_add", "post_remove", "post_clear")
    ):
        return
    field = next((f for f in instance._meta.many_to_many if f.remote_field.through is sender), None)
    if field is None:
        return
    ids = sorted(pk_set or [])
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    audit.record_change(instance, ChangeActionChoices.UPDATE, changes={field.name: {verb: ids}})


@receiver(post_migrate)
def schedule_periodic_jobs(sender, using="default", **kwargs):
    # post_migrate is sent once per app; the schedule needs writing once.
    if sender.name == "qualitas.core":
        sync_periodic_tasks(using=using)


@receiver(post_migrate)
def keep_audit_tables_append_only(sender, using="default", **kwargs):
    if sender.name == "qualitas.core":
        triggers.ensure_triggers(connections[using])
