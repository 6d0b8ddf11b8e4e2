"""audit: what the audit trail costs a write.

Creates ``--records`` companies with the audit trail on and as many with it off
(``qualitas.framework.context.audit_disabled()``), then updates every one of them. Every write
runs in its own transaction and its own change context (a request id, a user, an address), as a
request would, and each update first loads the record, as an edit page or API update does.

The two modes are interleaved in blocks of ``--block`` writes, alternating which goes first, in
the same database: load from other processes on the machine then falls on both modes alike
instead of on whichever run it happened to hit. Each repetition starts from a fresh copy of the
migrated database. Printed: median seconds per phase and mode, wall-clock and this process's CPU
time (on SQLite all the database work is in this process; on PostgreSQL the server's share is in
the wall-clock time only), and the audited/unaudited ratio, whose target is at most 1.5x.

Sealing the hash chain runs off the request path (a periodic job), so it is timed separately.
"""

import cProfile
import io
import pstats
import time
import uuid
from contextlib import nullcontext

from benchmarks.harness import BENCH_DIR, median, print_table

TARGET_RATIO = 1.5
KINDS = ("customer", "supplier", "internal")
MODES = (True, False)  # audited, unaudited


def add_arguments(parser):
    parser.add_argument("--records", type=int, default=10_000, help="companies per mode")
    parser.add_argument("--block", type=int, default=500, help="writes per interleaved block")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (medians are printed)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile one audited-only run with cProfile and print where the time goes",
    )


class Clock:
    """Accumulates wall-clock and process CPU seconds over several timed blocks."""

    def __init__(self):
        self.wall = 0.0
        self.cpu = 0.0

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.process_time() - self._cpu


def one_run(records, block, modes=MODES):
    """Returns {audited: {"create": Clock, "update": Clock}}, seal seconds, entries written."""
    from django.db import transaction

    from qualitas.accounts.models import Company, User
    from qualitas.core import audit
    from qualitas.core.models import ObjectChange
    from qualitas.framework.context import audit_disabled, change_context

    with change_context(reason="benchmark set-up"):
        user = User.objects.create_user(f"bench-{uuid.uuid4().hex[:8]}@example.com", None, full_name="Bench")
    entries_before = ObjectChange.objects.count()
    clocks = {audited: {"create": Clock(), "update": Clock()} for audited in modes}

    def request_context():
        return change_context(request_id=uuid.uuid4(), user=user, ip="127.0.0.1", reason="")

    def switch(audited):
        return nullcontext() if audited else audit_disabled()

    def order(index):
        return modes if index % 2 == 0 else tuple(reversed(modes))

    pks = {audited: [] for audited in modes}
    for index, start in enumerate(range(0, records, block)):
        for audited in order(index):
            prefix = "A" if audited else "U"
            with switch(audited), clocks[audited]["create"]:
                for number in range(start, min(start + block, records)):
                    with request_context(), transaction.atomic():
                        company = Company.objects.create(
                            name=f"Benchmark company {prefix}{number:06d}",
                            code=f"{prefix}{number:06d}",
                            kind=KINDS[number % len(KINDS)],
                            country="NL",
                            email=f"quality{number}@example.com",
                        )
                    pks[audited].append(company.pk)

    for index, start in enumerate(range(0, records, block)):
        for audited in order(index):
            with switch(audited), clocks[audited]["update"]:
                for pk in pks[audited][start : start + block]:
                    with request_context(), transaction.atomic():
                        company = Company.objects.get(pk=pk)
                        company.country = "DE"
                        company.phone = f"+49 30 {pk:07d}"
                        company.save()

    entries = ObjectChange.objects.count() - entries_before
    expected = 2 * records if True in modes else 0
    if entries != expected:
        raise SystemExit(f"Expected {expected} audit entries, found {entries}: the benchmark is wrong.")
    started = time.perf_counter()
    audit.seal()
    return clocks, time.perf_counter() - started, entries


def run(options, database):
    records, block, repeat = options.records, options.block, options.repeat
    print(
        f"{records:,} creates and {records:,} loads-and-updates per mode, every write in its own "
        f"transaction; modes interleaved in blocks of {block}; {repeat} repetitions, each on a fresh "
        "copy of the database."
    )
    results = []
    for repetition in range(repeat):
        with database.fresh():
            clocks, seal, entries = one_run(records, block)
        results.append((clocks, seal))
        audited, unaudited = clocks[True], clocks[False]
        print(
            f"  run {repetition + 1}: audited create {audited['create'].wall:6.2f} s, update "
            f"{audited['update'].wall:6.2f} s; unaudited create {unaudited['create'].wall:6.2f} s, "
            f"update {unaudited['update'].wall:6.2f} s; seal {entries:,} entries {seal:5.2f} s",
            flush=True,
        )

    def med(audited, phase, kind):
        values = []
        for clocks, _seal in results:
            if phase == "total":
                values.append(sum(getattr(clocks[audited][p], kind) for p in ("create", "update")))
            else:
                values.append(getattr(clocks[audited][phase], kind))
        return median(values)

    writes = 2 * records
    rows = []
    total_ratio = {}
    for kind, label in (("wall", "wall"), ("cpu", "CPU")):
        figures = {
            audited: [med(audited, phase, kind) for phase in ("create", "update", "total")]
            for audited in MODES
        }
        for audited in MODES:
            create, update, total = figures[audited]
            rows.append(
                (
                    f"{label}, {'audited' if audited else 'unaudited'}",
                    f"{create:.2f}",
                    f"{update:.2f}",
                    f"{total:.2f}",
                    f"{writes / total:,.0f}",
                    f"{total / writes * 1e6:,.0f}",
                )
            )
        ratios = [a / u for a, u in zip(figures[True], figures[False], strict=True)]
        rows.append((f"{label}, ratio", *(f"{ratio:.2f}x" for ratio in ratios), "", ""))
        total_ratio[kind] = ratios[2]
    print()
    print_table(("median seconds", "create", "update", "total", "writes/s", "us/write"), rows)
    seal = median([seal for _clocks, seal in results])
    print(
        f"\nSealing the chain (off the request path): {writes:,} entries in {seal:.2f} s "
        f"({writes / seal:,.0f} entries/s)."
    )
    verdict = "meets" if total_ratio["wall"] <= TARGET_RATIO else "MISSES"
    print(
        f"Audited/unaudited, wall-clock total: {total_ratio['wall']:.2f}x, which {verdict} the target "
        f"of {TARGET_RATIO}x."
    )

    if options.profile:
        profile_one(database, records, block)


def profile_one(database, records, block):
    profiler = cProfile.Profile()
    with database.fresh():
        profiler.enable()
        one_run(records, block, modes=(True,))
        profiler.disable()
    path = BENCH_DIR / f"audit-{database.vendor}.prof"
    profiler.dump_stats(path)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(r"qualitas/|django/db/(models/base|transaction)|commit|execute", 30)
    print(f"\nProfile of one audited run (saved to {path}), by cumulative time:")
    print(out.getvalue())
