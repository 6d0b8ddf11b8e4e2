"""The benchmark harness: throwaway databases, Django set-up, timing and reporting.

Django reads ``DATABASE_URL`` when its settings are imported, so the database is chosen (and, for
PostgreSQL, created) before ``django.setup()``. The schema is migrated once into a template; a
benchmark that wants a clean slate per repetition asks for ``database.fresh()``, which copies the
template (``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, a file copy on SQLite).
"""

import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
import warnings
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


# --- Databases ----------------------------------------------------------------------------------


def describe_url(url):
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


class SqliteDatabase:
    vendor = "sqlite"

    def __init__(self):
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.template = BENCH_DIR / f"template-{self.token}.sqlite3"
        self.files = []

    @property
    def label(self):
        return "SQLite (WAL, file under var/bench/)"

    def url_for(self, path):
        return f"sqlite:///{path}"

    def create_template(self):
        self.files.append(self.template)
        return self.url_for(self.template)

    @contextmanager
    def fresh(self):
        from django.db import connection

        connection.close()  # the last connection's close checkpoints the WAL into the main file
        copy = BENCH_DIR / f"run-{self.token}-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.template, copy)
        self.files.append(copy)
        previous = connection.settings_dict["NAME"]
        connection.settings_dict["NAME"] = str(copy)
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = previous
            _remove_sqlite(copy)

    def drop_all(self):
        for path in self.files:
            _remove_sqlite(path)


def _remove_sqlite(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresDatabase:
    """Creates ``qualitas_bench_<random>`` databases on the server in ``url`` and drops them."""

    vendor = "postgresql"

    def __init__(self, url):
        self.server_url = url
        self.token = uuid.uuid4().hex[:10]
        self.template = f"qualitas_bench_{self.token}"
        self.created = []

    @property
    def label(self):
        return f"PostgreSQL ({describe_url(self.url_for('<fresh>'))})"

    def url_for(self, name):
        parts = urlsplit(self.server_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(self.url_for("postgres"), autocommit=True, connect_timeout=5) as admin:
            admin.execute(sql)

    def create_template(self):
        self._admin(f'CREATE DATABASE "{self.template}"')
        self.created.append(self.template)
        return self.url_for(self.template)

    @contextmanager
    def fresh(self):
        from django.db import connection

        connection.close()  # a template must have no open connections
        name = f"{self.template}_{uuid.uuid4().hex[:6]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        previous = connection.settings_dict["NAME"]
        connection.settings_dict["NAME"] = name
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = previous
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.created.remove(name)

    def drop_all(self):
        from django.db import connections

        connections.close_all()
        for name in reversed(self.created):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


def open_database(url):
    if url in (None, "", "sqlite"):
        return SqliteDatabase()
    if url == "postgres":
        return PostgresDatabase(DEFAULT_POSTGRES_URL)
    if url.startswith(("postgres://", "postgresql://")):
        return PostgresDatabase(url)
    raise SystemExit(
        f"Unsupported --database-url {describe_url(url)!r}: use sqlite, postgres or postgres://..."
    )


def setup_django(database):
    """Point Django at a newly created, migrated template database and set it up."""
    os.environ["DATABASE_URL"] = database.create_template()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualitas.settings")
    os.environ.setdefault("QUALITAS_LOG_LEVEL", "WARNING")
    os.environ.pop("QUALITAS_TESTING", None)

    # Static files are served by nginx in production; the missing collectstatic folder is no news.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    # Production-like: no per-query logging (DEBUG keeps every SQL statement in memory).
    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


# --- Running ------------------------------------------------------------------------------------


def run_benchmark(name, url, run, options):
    """Run ``run(options, database)`` once on a throwaway database opened from ``url``: print the
    heading, set Django up on it, and drop every database it made at the end, also when stopped."""
    # The throwaway databases are dropped in a ``finally``: make SIGTERM (and SIGINT, which a
    # shell ignores for background jobs) end the run through it.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    database = open_database(url)
    print(f"Benchmark {name} on {database.label}")
    print(f"Machine: {machine_line()}")
    try:
        setup_django(database)
        run(options, database)
    finally:
        database.drop_all()
    return 0


def _stop(signum, frame):
    raise SystemExit(f"Stopped by signal {signum}; dropping the benchmark databases.")


def run_each(argv, name, urls, module="benchmarks"):
    """One process per database (``python -m <module> ... --database-url URL``; Django binds to one
    database at start-up); the other options in ``argv`` are passed on unchanged."""
    rest, skip = [], False
    for index, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--database-url":
            skip = index + 1 < len(argv)
            continue
        if arg.startswith("--database-url="):
            continue
        rest.append(arg)
    status = 0
    for url in urls:
        print(f"\n=== {name} on {describe_url(url)} ===", flush=True)
        result = subprocess.run([sys.executable, "-m", module, *rest, "--database-url", url], check=False)
        status = status or result.returncode
    return status


# --- Measuring ----------------------------------------------------------------------------------


class Stopwatch:
    def __init__(self):
        self.seconds = None

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start


def median(values):
    return statistics.median(values)


def percentile(values, fraction):
    """Nearest-rank percentile: the smallest value with at least ``fraction`` of values at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def machine_line():
    cpus = os.cpu_count()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.system()} {platform.machine()}, "
        f"{cpus} cores, Python {platform.python_version()}"
    )


def print_table(headers, rows, left_columns=1):
    """A plain-text table: the first ``left_columns`` columns left-aligned, numbers right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join(
        f"{{:<{width}}}" if index < left_columns else f"{{:>{width}}}" for index, width in enumerate(widths)
    )
    print(line.format(*headers))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line.format(*row))
