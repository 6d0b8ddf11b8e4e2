"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE) on the append-only tables.

The models refuse these too; the triggers also stop raw SQL, the shell and other clients.
Used by migration core.0002 and by the test harness, which must empty the tables between
transactional tests.
"""

from django.db import connection as default_connection

APPEND_ONLY_TABLES = (
    "core_objectchange",
    "core_auditchainlink",
    "core_domainevent",
    "core_accesslog",
    # Tables of other apps exist only once their migrations ran: ``present`` skips them until
    # then, and ``ensure_triggers`` (after every migrate) adds their triggers.
    "signatures_signature",
)

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION qualitas_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'qualitas: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def sqlite_trigger(table, operation):
    return (
        f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'qualitas: {operation} on {table} is refused: the table is append-only'); END;"
    )


def present(tables=APPEND_ONLY_TABLES, connection=None):
    """The tables among ``tables`` that exist in the database (core's migrations run before the
    other apps have created theirs)."""
    existing = set((connection or default_connection).introspection.table_names())
    return [table for table in tables if table in existing]


def create_triggers(vendor, execute, connection=None):
    tables = present(connection=connection)
    if vendor == "postgresql":
        execute(POSTGRES_FUNCTION)
        for table in tables:
            execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION qualitas_refuse_change();"
            )
            execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION qualitas_refuse_change();"
            )
    elif vendor == "sqlite":
        for table in tables:
            for operation in ("UPDATE", "DELETE"):
                execute(sqlite_trigger(table, operation))


def existing_triggers(connection):
    """Names of the append-only triggers present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def expected_triggers(vendor, tables=APPEND_ONLY_TABLES):
    if vendor == "sqlite":
        return {f"{table}_no_{operation}" for table in tables for operation in ("update", "delete")}
    if vendor == "postgresql":
        return {f"{table}_{suffix}" for table in tables for suffix in ("append_only", "no_truncate")}
    return set()


def ensure_triggers(connection):
    """Re-create any missing append-only trigger. SQLite rebuilds a table (and loses its triggers)
    whenever a migration alters one of its columns, so this runs after every migrate. Returns the
    names it had to re-create."""
    expected = expected_triggers(connection.vendor, present(connection=connection))
    missing = expected - existing_triggers(connection)
    if missing:
        with connection.cursor() as cursor:
            drop_triggers(connection.vendor, cursor.execute, connection=connection)
            create_triggers(connection.vendor, cursor.execute, connection=connection)
    return missing


def drop_triggers(vendor, execute, connection=None):
    for table in present(connection=connection):
        if vendor == "postgresql":
            execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
        elif vendor == "sqlite":
            execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
    if vendor == "postgresql":
        execute("DROP FUNCTION IF EXISTS qualitas_refuse_change();")
