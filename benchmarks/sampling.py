"""sampling: the sampling engine's decision, pure and with its state and log in the database.

    python -m benchmarks sampling --database-url postgres://postgres@127.0.0.1:5432/postgres
    python -m benchmarks.sampling                          # the same, PostgreSQL by default
    python -m benchmarks.sampling --database-url sqlite

Set-up (a throwaway database from benchmarks/harness.py): a part type with a released two-step
routing (Turn → Pack), a rule set at Turn with three rules (every 10th part, a random 5%, the first
3 parts then every 25th) and a stricter fallback set, and a work order of ``--parts`` parts (2,000).

Measured:

* ``evaluate``  the pure function for the 3-rule set, per decision: ``--parts`` serials evaluated in
                one batch, ``--runs`` batches, the median batch divided by the parts.
* ``decide``    the full ``sampling.decide(part, step)`` for every part of the work order, one after
                another, each timed on its own: the rule set chosen, the state locked and counted,
                the rules evaluated and the decision written to the log. As at the station, where
                it runs inside the transaction of the part's step start, it runs in a caller's
                transaction; "in the transaction" is decide itself, "with its own commit" adds the
                commit that the station's transaction would pay anyway. A first work order of 100
                parts warms up (connection, caches) and is not counted.
* ``decide again``  the same part decided again in the same visit (idempotent: the logged decision
                is returned), for 500 parts.
* ``record_inspections``  one report fed back into the state (window, counters), 500 times.
* for scale, one of the simplest ORM statements (a part by its primary key), 500 times: the full
  decide is about eight such statements (plus transaction control), each a round trip.

Printed: median and p95 (nearest rank) per decision, the CPU time of this process (on
PostgreSQL the server's work is not in it; on a busy machine it shows the work apart from the wait
for a core), and the SQL statements of one decide.
Target: a decision under 1 ms.
"""

import argparse
import sys
import time

from benchmarks.harness import median, percentile, print_table, run_benchmark, run_each

DEFAULT_DATABASE = "postgres"
TARGET_SECONDS = 0.001


def add_arguments(parser):
    parser.add_argument("--parts", type=int, default=2000, help="parts decided (one work order)")
    parser.add_argument("--runs", type=int, default=21, help="batches of the pure evaluate (median printed)")


def build(parts):
    """The routing, the rule sets and two work orders (a warm-up of 100 parts, then ``parts``)."""
    from qualitas.framework.context import change_context
    from qualitas.inspections.choices import SamplingRuleKindChoices as Kind
    from qualitas.inspections.models import SamplingRule, SamplingRuleSet
    from qualitas.production import services as production
    from qualitas.production.actions import ReleaseProcess
    from qualitas.production.models import PartType, Process, Step, StepEdge
    from qualitas.testing.factories import make_user

    with change_context(reason="benchmark data"):
        planner = make_user("Admin", full_name="Bench Planner")
    with change_context(user=planner, reason="benchmark data"):
        part_type = PartType.objects.create(part_number="BM-100", name="Bench shaft", serial_prefix="BM-")
        process = Process.objects.create(name="BM-100 turning", part_type=part_type)
        turn = Step.objects.create(process=process, name="Turn", sequence=10)
        pack = Step.objects.create(process=process, name="Pack", sequence=20)
        StepEdge.objects.create(process=process, source=turn, target=pack)
        ReleaseProcess(process, planner).execute()
        process.refresh_from_db()
        tightened = SamplingRuleSet.objects.create(name="Tightened", part_type=part_type, step=turn)
        SamplingRule.objects.create(rule_set=tightened, kind=Kind.ALL)
        normal = SamplingRuleSet.objects.create(
            name="Normal",
            part_type=part_type,
            step=turn,
            fallback=tightened,
            fallback_threshold=3,
            fallback_window=50,
            fallback_parts=100,
        )
        for sequence, (kind, parameters) in enumerate(
            (
                (Kind.EVERY_NTH, {"n": 10}),
                (Kind.PERCENTAGE, {"percentage": 5}),
                (Kind.FIRST_N_THEN_EVERY_M, {"n": 3, "m": 25}),
            ),
            start=1,
        ):
            SamplingRule.objects.create(rule_set=normal, kind=kind, sequence=sequence * 10, **parameters)
        warm_up = production.create_work_order(part_type, process, 100)
        work_order = production.create_work_order(part_type, process, parts)
    return normal, turn, warm_up, work_order


def time_evaluate(rule_set, serials, runs):
    """Seconds per decision of the pure ``evaluate``: (wall, CPU) per batch."""
    from qualitas.inspections import sampling

    rules = sampling.rules_of(rule_set)
    parts = len(serials)
    evaluate, pk = sampling.evaluate, rule_set.pk
    wall, cpu = [], []
    for _run in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        for sequence, serial in enumerate(serials, start=1):
            evaluate(rules, sequence, serial, pk)
        wall.append((time.perf_counter() - start) / parts)
        cpu.append((time.process_time() - start_cpu) / parts)
    inspected = sum(evaluate(rules, sequence, serial, pk)[0] for sequence, serial in enumerate(serials, 1))
    return (wall, cpu), inspected


def time_decide(parts, step):
    """Seconds per part: (wall in the caller's transaction, CPU there, wall with the commit)."""
    from django.db import transaction

    from qualitas.inspections import sampling

    inside, cpu, total = [], [], []
    for part in parts:
        start, start_cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            sampling.decide(part, step)
            decided, decided_cpu = time.perf_counter(), time.process_time()
        end = time.perf_counter()
        inside.append(decided - start)
        cpu.append(decided_cpu - start_cpu)
        total.append(end - start)
    return inside, cpu, total


def time_each(function, items):
    """Seconds per call: (wall, CPU)."""
    wall, cpu = [], []
    for item in items:
        start, start_cpu = time.perf_counter(), time.process_time()
        function(item)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def run(options, database):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from qualitas.framework.context import change_context
    from qualitas.inspections import sampling
    from qualitas.inspections.models import SamplingDecision, SamplingState
    from qualitas.production.models import Part

    normal, turn, warm_up, work_order = build(options.parts)
    warm_parts = list(warm_up.parts.order_by("serial_number"))
    parts = list(work_order.parts.order_by("serial_number"))
    print(
        f"{options.parts:,} parts of one work order at one step; rule set “{normal}”: "
        + ", ".join(sampling.describe_rule(rule) for rule in sampling.rules_of(normal))
    )

    batches, inspected = time_evaluate(normal, [part.serial_number for part in parts], options.runs)

    with change_context(reason="benchmark"):
        with transaction.atomic():
            sampling.decide(warm_parts[0], turn)
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            sampling.decide(warm_parts[1], turn)
        statements = [query["sql"] for query in queries.captured_queries]
        time_decide(warm_parts[2:], turn)
        inside, inside_cpu, total = time_decide(parts, turn)
        again = time_each(lambda part: sampling.decide(part, turn), parts[:500])
        feedback = time_each(lambda part: sampling.record_inspections([(part, turn, False)]), parts[:500])
        # For scale: one of the simplest ORM statements there is, on the same database and machine.
        reference = time_each(lambda part: Part.objects.filter(pk=part.pk).first(), parts[:500])

    decisions = SamplingDecision.objects.filter(work_order=work_order)
    assert decisions.count() == options.parts
    assert sorted(decisions.values_list("sequence", flat=True)) == list(range(1, options.parts + 1))
    state = SamplingState.objects.get(work_order=work_order, step=turn)
    required = decisions.filter(must_inspect=True).count()
    assert state.inspections_required == required == inspected

    def row(name, wall, cpu=None):
        verdict = "OK" if median(wall) < TARGET_SECONDS else "OVER TARGET"
        return (
            name,
            f"{median(wall) * 1e6:,.1f}",
            f"{percentile(wall, 0.95) * 1e6:,.1f}",
            f"{max(wall) * 1e6:,.1f}",
            f"{median(cpu) * 1e6:,.1f}" if cpu is not None else "",
            verdict,
        )

    print()
    print_table(
        ("per call", "median µs", "p95 µs", "max µs", "median CPU µs", "target 1 ms"),
        [
            row("evaluate (pure, 3 rules)", *batches),
            row("decide, in the transaction", inside, inside_cpu),
            row("decide, with its own commit", total),
            row("decide again (same visit)", *again),
            row("record_inspections (1 report)", *feedback),
            row("for scale: Part by primary key", *reference),
        ],
    )
    print(
        f"\nevaluate: {options.runs} batches of {options.parts:,} (median batch per decision; p95 and max "
        f"over batches). decide: {options.parts:,} parts after a warm-up of {len(warm_parts)}, "
        f"{required} of them to inspect ({required / options.parts:.1%}). "
        f"One decide (a part after the first, whose decide makes the state): {len(statements)} SQL "
        "statements, transaction control included:"
    )
    for sql in statements:
        print(f"  {sql[:150]}")


# --- Command line (the same conventions as ``python -m benchmarks``) --------------------------------


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.sampling", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        action="append",
        dest="database_urls",
        metavar="URL",
        help="postgres (default), sqlite, or postgres://user@host:port/db; repeat to run on several",
    )
    add_arguments(parser)
    options = parser.parse_args(argv)
    urls = options.database_urls or [DEFAULT_DATABASE]
    if len(urls) > 1:
        return run_each(argv, "sampling", urls, module="benchmarks.sampling")
    return run_benchmark("sampling", urls[0], run, options)


if __name__ == "__main__":
    sys.exit(main())
