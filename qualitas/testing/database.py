"""Test-only database helpers. Nothing here is reachable from the product."""

from contextlib import contextmanager

from django.db import connection

from qualitas.core.triggers import create_triggers, drop_triggers


@contextmanager
def append_only_suspended():
    """Suspend the append-only triggers: to empty tables between transactional tests, and to
    tamper with rows in the tests that prove tampering is detected."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Triggers do not fire for a replica session (needs a superuser, as in CI).
            cursor.execute("SET session_replication_role = replica")
            try:
                yield cursor
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
        else:
            drop_triggers(connection.vendor, cursor.execute)
            try:
                yield cursor
            finally:
                # A flush re-creates them itself (post_migrate): replace, don't add.
                drop_triggers(connection.vendor, cursor.execute)
                create_triggers(connection.vendor, cursor.execute)
