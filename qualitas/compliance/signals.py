"""Infrastructure: the clause catalogue is written into the database after every migrate, like
the role groups, so a new or corrected clause reaches every installation with its next upgrade."""

from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from qualitas.compliance import services
from qualitas.compliance.models import Clause, Standard


@receiver(post_migrate)
def sync_clauses_after_migrate(sender, using="default", **kwargs):
    # post_migrate is sent once per app; the catalogue needs writing once.
    if sender.name != "qualitas.compliance":
        return
    tables = connections[using].introspection.table_names()
    if Standard._meta.db_table not in tables or Clause._meta.db_table not in tables:
        return  # migrated only part of the way (``migrate <app> <migration>``)
    services.sync_catalogue()
