"""Pinned query counts.

A list endpoint or list page runs an exact number of queries, whatever the number of rows. The
counts are stored beside the tests in ``query_counts.json`` (one file per app's tests), keyed by
database vendor because SQLite and PostgreSQL may differ (savepoints, sequences). A change in the
count fails the test; a deliberate change is recorded with

    QUALITAS_UPDATE_QUERY_PINS=1 pytest <the tests>

and the updated JSON file is committed with the change that explains it.
"""

import fcntl
import json
import os
import sys
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

UPDATE_ENV = "QUALITAS_UPDATE_QUERY_PINS"
PIN_FILE = "query_counts.json"
#: Row counts a pinned list is measured at: the count must be the same for both.
ROW_COUNTS = (3, 30)


def updating():
    return os.environ.get(UPDATE_ENV, "").strip().lower() in {"1", "true", "yes"}


def pin_file_for(test_class):
    """``query_counts.json`` in the directory of the module that defines ``test_class``."""
    return Path(sys.modules[test_class.__module__].__file__).resolve().parent / PIN_FILE


def count_queries(request):
    """Run ``request()`` and return (its result, the captured queries)."""
    with CaptureQueriesContext(connection) as context:
        result = request()
    return result, [query["sql"] for query in context.captured_queries]


def _read(path):
    if not path.exists():
        return {}
    with path.open() as handle:
        text = handle.read()
    return json.loads(text) if text.strip() else {}


def _record(path, vendor, key, count):
    path.touch(exist_ok=True)
    with path.open("r+") as handle:
        # Parallel test workers may record at the same time.
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = handle.read()
        pins = json.loads(text) if text.strip() else {}
        pins.setdefault(vendor, {})[key] = count
        pins = {name: dict(sorted(values.items())) for name, values in sorted(pins.items())}
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(pins, indent=2) + "\n")
        fcntl.flock(handle, fcntl.LOCK_UN)


def assert_pinned(path, key, queries):
    """``queries`` (the SQL captured for one request) must number exactly the pin for ``key``."""
    vendor = connection.vendor
    count = len(queries)
    if updating():
        _record(path, vendor, key, count)
        return
    pinned = _read(path).get(vendor, {}).get(key)
    listing = "\n".join(f"  {index + 1}. {sql[:200]}" for index, sql in enumerate(queries))
    assert pinned is not None, (
        f"No pinned query count for {key!r} on {vendor} in {path}. "
        f"It ran {count} queries:\n{listing}\nRecord it with {UPDATE_ENV}=1."
    )
    assert count == pinned, (
        f"{key!r} ran {count} queries on {vendor}; the pin in {path.name} is {pinned}.\n{listing}\n"
        f"If the change is deliberate, refresh the pin with {UPDATE_ENV}=1."
    )


def assert_constant_and_pinned(test, key, make_rows, request):
    """Measure ``request()`` at 3 and at 30 rows: the counts must be equal and match the pin.

    ``make_rows(total)`` brings the number of visible rows up to ``total``; ``request()`` returns
    a response whose status must be 200. Each measurement follows a warm-up request so that
    process-wide caches (content types) do not count.
    """
    measured = {}
    for rows in ROW_COUNTS:
        make_rows(rows)
        warm = request()
        assert warm.status_code == 200, warm.status_code
        response, queries = count_queries(request)
        assert response.status_code == 200, response.status_code
        measured[rows] = queries
    few, many = (measured[rows] for rows in ROW_COUNTS)
    assert len(few) == len(many), (
        f"{key!r}: the query count grows with the rows ({len(few)} queries at {ROW_COUNTS[0]} rows, "
        f"{len(many)} at {ROW_COUNTS[1]}). Queries at {ROW_COUNTS[1]} rows:\n"
        + "\n".join(sql[:200] for sql in many)
    )
    assert_pinned(pin_file_for(type(test)), key, many)
