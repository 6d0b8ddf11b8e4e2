"""Database triggers that refuse UPDATE and DELETE on the append-only audit tables.

The models refuse these too; the triggers also stop raw SQL, the shell and other clients.
"""

from django.db import migrations

from qualitas.core.triggers import create_triggers, drop_triggers


def create(apps, schema_editor):
    create_triggers(schema_editor.connection.vendor, lambda sql: schema_editor.execute(sql, None))


def drop(apps, schema_editor):
    drop_triggers(schema_editor.connection.vendor, lambda sql: schema_editor.execute(sql, None))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
