"""production-lists: the parts list, a part's page and the WIP page with 1,000,000 parts.

Generates ``--scale`` × (1,000,000 parts, 10,000,000 measurement results) with
``benchmarks.production_data`` (COPY, then VACUUM ANALYZE), signs in a QA Manager with
``django.test.Client`` and, for each URL, counts the queries of one request and times
``--requests`` requests after a short warm-up. Prints the query count, p50 and p95 latency.
A page that does not exist (yet) is skipped with a note. Runs on PostgreSQL only.
"""

import os

from benchmarks.harness import Stopwatch, median, percentile, print_table

DEFAULT_DATABASE = "postgres"
WARM_UP = 3
TARGET_MS = 150


def add_arguments(parser):
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1,000,000 parts, 10,000,000 results")
    parser.add_argument("--parts", type=int, help="parts (overrides --scale)")
    parser.add_argument("--results", type=int, help="measurement results (overrides --scale)")
    parser.add_argument("--part-types", type=int, default=3)
    parser.add_argument("--work-order-size", type=int, default=500)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per URL")
    parser.add_argument(
        "--no-validate", dest="validate", action="store_false", help="add the foreign keys NOT VALID"
    )
    parser.add_argument("--extra", action="store_true", help="also time the unfiltered lists")


def targets(work_order, part, extra=False):
    """(label, URL name, URL, is a target) for the URLs that exist; the names that do not resolve
    are returned apart, to be skipped with a note."""
    from django.urls import NoReverseMatch, reverse

    wanted = [
        ("parts list, by work order and status", "production:part_list", None, True),
        ("part detail", "production:part_detail", [part], True),
        ("WIP", "production:wip", None, True),
        ("API parts list, by work order and status", "part-list", None, True),
    ]
    if extra:
        wanted += [
            ("parts list, unfiltered", "production:part_list", None, False),
            ("API parts list, unfiltered", "part-list", None, False),
            ("API part detail", "part-detail", [part], False),
        ]
    found, missing = [], []
    for label, name, args, is_target in wanted:
        try:
            path = reverse(name, args=args)
        except NoReverseMatch:
            missing.append((label, name))
            continue
        if "by work order" in label:
            path += f"?work_order={work_order}&status=in_progress"
        found.append((label, path, is_target))
    return found, missing


def run(options, database):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks import production_data
    from qualitas.framework.context import change_context
    from qualitas.production.models import Part
    from qualitas.testing.factories import make_user

    if database.vendor != "postgresql":
        raise SystemExit("production-lists loads its data with COPY: run it on PostgreSQL.")
    parts, results = production_data.sizes_from(options)
    print(f"Generating {parts:,} parts and {results:,} measurement results (COPY):", flush=True)
    summary = production_data.generate(
        parts,
        results,
        work_order_size=options.work_order_size,
        part_types=options.part_types,
        validate=options.validate,
    )
    print(production_data.describe(summary))
    work_order, part = summary.sample_work_order, summary.sample_part
    in_progress = Part.objects.filter(work_order_id=work_order, status="in_progress").count()
    print(
        f"Probes: work order id {work_order} ({in_progress} parts in progress), part id {part} "
        f"({Part.objects.get(pk=part).transitions.count()} step-log rows)."
    )

    with change_context(reason="benchmark user"):
        manager = make_user(role="QA Manager")
    client = Client()
    client.force_login(manager)

    found, missing = targets(work_order, part, extra=options.extra)
    for label, name in missing:
        print(f"  skipped {label}: no URL named {name!r} yet")
    rows = []
    for label, url, is_target in found:
        load = os.getloadavg()[0]
        status = None
        for _ in range(WARM_UP):
            response = client.get(url)
            status = response.status_code
            if status != 200:
                break
        if status != 200:
            print(f"  skipped {label}: GET {url} answered {status}")
            continue
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # Read now: the next request's request_started signal empties the query log.
        query_count = len(queries.captured_queries)
        timings = []
        for _ in range(options.requests):
            with Stopwatch() as request:
                response = client.get(url)
            timings.append(request.seconds * 1000)
        p95 = percentile(timings, 0.95)
        verdict = ("met" if p95 < TARGET_MS else "MISSED") if is_target else ""
        rows.append(
            (
                label,
                url,
                query_count,
                f"{median(timings):.1f}",
                f"{p95:.1f}",
                f"{len(response.content) / 1024:.1f}",
                verdict,
                f"{load:.1f}",
            )
        )
        print(f"  {label}: done", flush=True)
    print()
    print_table(
        ("target", "URL", "queries", "p50 ms", "p95 ms", "KiB", f"< {TARGET_MS} ms", "load"),
        rows,
        left_columns=2,
    )
    generation = ", ".join(f"{label.strip()} {seconds:.0f} s" for label, seconds in summary.timings)
    print(
        f"\n{options.requests} timed requests per URL after {WARM_UP} warm-up requests; a QA Manager; "
        "load: the 1-minute load average when the URL's requests started."
    )
    print(f"Generation: {generation}.")
