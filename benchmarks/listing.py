"""list: the Company list endpoint and page with 100,000 records.

Loads ``--records`` companies through the audited ``Company.objects.bulk_create`` in batches (so
the audit trail holds as many entries), signs in a QA Manager with ``django.test.Client`` and, for
each URL, counts the queries of one request and times ``--requests`` requests after a short
warm-up. Prints the query count, p50 and p95 latency. Runs on PostgreSQL by default.
"""

from benchmarks.harness import Stopwatch, median, percentile, print_table

DEFAULT_DATABASE = "postgres"
KINDS = ("customer", "supplier", "internal")
COUNTRIES = ("NL", "DE", "GB", "FR", "US", "IT", "PL", "SE")
WARM_UP = 3

PAGE_SIZE = 50  # the API's and the list page's default


def targets(records):
    """(label, URL) pairs. The first two are the figures the README quotes; the rest show how the
    last page (the deepest OFFSET) and free-text search behave at this size."""
    last = max(1, -(-records // PAGE_SIZE))
    probe = f"company+{records // 2:06d}"
    return (
        ("API list", "/api/v1/companies/"),
        ("page list", "/accounts/companies/"),
        ("API list, last page", f"/api/v1/companies/?page={last}"),
        ("page list, last page", f"/accounts/companies/?page={last}"),
        ("API search", f"/api/v1/companies/?q={probe}"),
        ("page search", f"/accounts/companies/?q={probe}"),
    )


def add_arguments(parser):
    parser.add_argument("--records", type=int, default=100_000, help="companies to load")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per URL")
    parser.add_argument("--batch", type=int, default=2_000, help="records per audited bulk_create")


def load(records, batch):
    from django.db import connection, transaction

    from qualitas.accounts.models import Company
    from qualitas.framework.context import change_context

    with change_context(reason="benchmark data"):
        for start in range(0, records, batch):
            with transaction.atomic():
                Company.objects.bulk_create(
                    [
                        Company(
                            name=f"Company {index:06d}",
                            code=f"C-{index:06d}",
                            kind=KINDS[index % len(KINDS)],
                            country=COUNTRIES[index % len(COUNTRIES)],
                            email=f"quality@company{index:06d}.example.com",
                            phone=f"+31 20 {index:07d}",
                        )
                        for index in range(start, min(start + batch, records))
                    ]
                )
    # What autovacuum would do shortly after a bulk load: give the planner statistics.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(options, database):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from qualitas.core.models import ObjectChange
    from qualitas.framework.context import change_context
    from qualitas.testing.factories import make_user

    with Stopwatch() as loading:
        load(options.records, options.batch)
    entries = ObjectChange.objects.count()
    print(
        f"Loaded {options.records:,} companies in {loading.seconds:.1f} s with audited bulk_create "
        f"(batches of {options.batch:,}); the audit trail holds {entries:,} entries."
    )

    with change_context(reason="benchmark user"):
        manager = make_user(role="QA Manager")
    client = Client()
    client.force_login(manager)

    rows = []
    for label, url in targets(options.records):
        for _ in range(WARM_UP):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"GET {url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # Read now: the next request's request_started signal empties the query log.
        query_count = len(queries.captured_queries)
        timings = []
        for _ in range(options.requests):
            with Stopwatch() as request:
                response = client.get(url)
            timings.append(request.seconds * 1000)
        rows.append(
            (
                label,
                url,
                query_count,
                f"{median(timings):.1f}",
                f"{percentile(timings, 0.95):.1f}",
                f"{len(response.content) / 1024:.1f}",
            )
        )
        print(f"  {label}: done", flush=True)
    print()
    print_table(("target", "URL", "queries", "p50 ms", "p95 ms", "KiB"), rows, left_columns=2)
    print(f"\n{options.requests} timed requests per URL after {WARM_UP} warm-up requests; a QA Manager.")
