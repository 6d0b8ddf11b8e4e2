"""ingest: 100,000 measurements (10,000 parts × 10 characteristics) through the bulk API.

Set-up, once, in the template database: a released routing (``production_data.make_routings``)
whose inspection step measures 10 numeric characteristics, a sampling rule set on that step
(every part), ``--parts`` parts in work orders of ``--work-order-size`` made by
``production.services.create_work_order`` (audited like real ones), released, and the parts moved
to the inspection step, in progress (one audited update per work order, and their step log).
A QA Inspector gets a personal API token.

Each repetition, on a fresh copy of that database: for every batch of ``--batch`` parts, the
sampling decision of each part (``inspections.sampling.decide``, as the station takes it when the
part starts the step) and then one ``POST /api/v1/quality-reports/bulk/`` with the batch's
reports, sent by ``rest_framework.test.APIClient`` with the token (in-process: middleware,
authentication, parsing, ``record_reports`` with its audit trail, the sampling state, the NCRs
and their notifications, the response). Every ``--fail-every``-th part has one characteristic
out of tolerance, so its report fails, an NCR is opened and the part quarantined. The bodies are
encoded before the clock starts. Three repetitions per batch size; medians.

In the last repetition's database the same rows (the 100,000 results and 10,000 reports just
written) are read back and COPYed raw into scratch copies of the two tables (``CREATE TABLE ...
(LIKE ... INCLUDING ALL)``: the same columns, defaults and indexes, no foreign keys) three times;
the median gives the ratio to a raw COPY.
"""

import cProfile
import json
import pstats
import time
from dataclasses import dataclass

import numpy as np

from benchmarks.harness import Stopwatch, median, print_table

DEFAULT_DATABASE = "postgres"
BULK_URL = "/api/v1/quality-reports/bulk/"
TARGET_PER_SECOND = 5000


def add_arguments(parser):
    parser.add_argument("--parts", type=int, default=10_000, help="parts, each with one report of 10 results")
    parser.add_argument(
        "--batch",
        type=int,
        action="append",
        dest="batches",
        help="reports per request (default: 100 and 500)",
    )
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--fail-every", type=int, default=100, help="every Nth part fails a characteristic")
    parser.add_argument("--work-order-size", type=int, default=500)
    parser.add_argument(
        "--no-decide", dest="decide", action="store_false", help="skip the sampling decisions"
    )
    parser.add_argument("--copy-runs", type=int, default=3, help="raw COPY timings for the ratio")
    parser.add_argument(
        "--profile", action="store_true", help="profile the first repetition (cProfile, top 30 by own time)"
    )


# --- Set-up (in the template) --------------------------------------------------------------------


@dataclass
class SetUp:
    routing: object
    inspector: object
    key: str
    seconds: float
    decide_seconds: float | None = None
    decide_statements: float | None = None
    decisions: int = 0
    must_inspect: int = 0


def set_up(options, decide):
    """The routing, the sampling rule set, the work orders and their parts at the inspection step,
    the inspector's token and, with ``decide``, every part's sampling decision (timed)."""
    from django.db import transaction
    from django.utils import timezone

    from benchmarks import production_data
    from qualitas.accounts.services import create_api_token
    from qualitas.framework.context import change_context
    from qualitas.inspections.models import SamplingRule, SamplingRuleSet
    from qualitas.production.actions import ReleaseWorkOrder
    from qualitas.production.models import Part, StepTransition, WorkOrder
    from qualitas.production.services import create_work_order
    from qualitas.testing.factories import make_user

    started = time.perf_counter()
    with change_context(reason="benchmark set-up"):
        people = production_data.make_people(inspectors=1, operators=1)
        # Two more QA managers: an NCR's notification goes to every one of them.
        for _ in range(2):
            make_user(role="QA Manager")
        (routing,) = production_data.make_routings(1, people.manager)
        rule_set = SamplingRuleSet.objects.create(
            name="Valve body: every part",
            part_type=routing.part_type,
            process=routing.process,
            step=routing.inspect,
            priority=10,
        )
        SamplingRule.objects.create(rule_set=rule_set, kind="all", sequence=10)
    with change_context(user=people.manager, reason="benchmark set-up"):
        work_orders = []
        for start in range(0, options.parts, options.work_order_size):
            quantity = min(options.work_order_size, options.parts - start)
            work_order = create_work_order(
                routing.part_type,
                routing.process,
                quantity,
                due_date=(timezone.now() + timezone.timedelta(days=14)).date(),
            )
            ReleaseWorkOrder(work_order, people.manager).execute()
            work_orders.append(work_order)
    machine, inspect = routing.steps[0], routing.inspect
    operator = people.operators[0]
    with change_context(user=operator, reason="benchmark set-up: machined, at inspection"):
        for work_order in work_orders:
            with transaction.atomic():
                now = timezone.now()
                WorkOrder.objects.filter(pk=work_order.pk).update(status="in_progress", started_at=now)
                part_ids = list(Part.objects.filter(work_order=work_order).values_list("pk", flat=True))
                Part.objects.filter(pk__in=part_ids).update(
                    current_step=inspect, status="in_progress", step_entered_at=now
                )
                log = []
                for pk in part_ids:
                    log += [
                        StepTransition(
                            part_id=pk,
                            kind="started",
                            from_step=machine,
                            to_step=machine,
                            status_before="pending",
                            status_after="in_progress",
                            operator=operator,
                            time=now,
                        ),
                        StepTransition(
                            part_id=pk,
                            kind="moved",
                            from_step=machine,
                            to_step=inspect,
                            status_before="passed_step",
                            status_after="pending",
                            operator=operator,
                            time=now,
                        ),
                        StepTransition(
                            part_id=pk,
                            kind="started",
                            from_step=inspect,
                            to_step=inspect,
                            status_before="pending",
                            status_after="in_progress",
                            operator=operator,
                            time=now,
                        ),
                    ]
                StepTransition.objects.bulk_create(log, batch_size=5000)
        _token, key = create_api_token(people.inspectors[0], "ingest benchmark", days=30)
    result = SetUp(routing, people.inspectors[0], key, time.perf_counter() - started)
    if decide:
        take_decisions(result)
    return result


def take_decisions(result):
    """Every part's sampling decision at the inspection step, one transaction each, as the station
    takes it when the part starts the step (``production.services.start_at_station``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qualitas.framework.context import change_context
    from qualitas.inspections import sampling
    from qualitas.inspections.models import SamplingDecision
    from qualitas.production.models import Part

    inspect = result.routing.inspect
    parts = list(Part.objects.filter(current_step=inspect).select_related("part_type").order_by("pk"))
    probe = 20
    with change_context(user=result.inspector, reason=""):
        with CaptureQueriesContext(connection) as queries:
            for part in parts[:probe]:
                sampling.decide(part, inspect)
        result.decide_statements = len(queries.captured_queries) / probe
        with Stopwatch() as watch:
            for part in parts[probe:]:
                sampling.decide(part, inspect)
    result.decide_seconds = watch.seconds * len(parts) / max(1, len(parts) - probe)
    result.decisions = SamplingDecision.objects.count()
    result.must_inspect = SamplingDecision.objects.filter(must_inspect=True).count()


# --- The bodies ------------------------------------------------------------------------------------


def bodies(routing, part_ids, batch, fail_every, seed=7):
    """The request bodies (JSON bytes), one per ``batch`` parts, and the number of failing parts."""
    from benchmarks.production_data import CHARACTERISTICS

    rng = np.random.default_rng(seed)
    nominal = np.array([c[2] for c in CHARACTERISTICS])
    lsl = nominal + np.array([c[3] for c in CHARACTERISTICS])
    usl = nominal + np.array([c[4] for c in CHARACTERISTICS])
    values = np.clip(
        np.round(nominal + rng.standard_normal((len(part_ids), 10)) * (usl - lsl) / 8, 4), lsl, usl
    )
    failing = [index for index in range(len(part_ids)) if index % fail_every == fail_every // 2]
    for index in failing:
        column = index % 10
        values[index, column] = round(usl[column] + (usl[column] - nominal[column]) * 0.5 + 0.001, 4)
    definitions = [d.pk for d in routing.definitions]
    step = routing.inspect.pk
    out = []
    for start in range(0, len(part_ids), batch):
        reports = [
            {
                "part": part_ids[index],
                "step": step,
                "results": [
                    {"definition": definitions[c], "value": float(values[index, c]), "unit": "mm"}
                    for c in range(10)
                ],
            }
            for index in range(start, min(start + batch, len(part_ids)))
        ]
        out.append((start, json.dumps({"reports": reports}).encode()))
    return out, len(failing)


# --- One repetition -------------------------------------------------------------------------------


class Repetition:
    def __init__(self):
        self.post = 0.0
        self.statements = None
        self.statement_kinds = None
        self.ncrs_in_responses = 0
        self.times = []
        self.cpu = 0.0
        self.counts = {}
        self.load = None


def statement_kinds(queries):
    """``{"INSERT core_objectchange": 3, ...}`` for the captured statements."""
    kinds = {}
    for query in queries:
        sql = query["sql"].lstrip()
        verb = sql.split(None, 1)[0].upper() if sql else "?"
        table = ""
        for marker in (' INTO "', ' FROM "', 'UPDATE "'):
            at = sql.find(marker)
            if at >= 0:
                table = sql[at + len(marker) :].split('"', 1)[0]
                break
        key = f"{verb} {table}".strip()
        kinds[key] = kinds.get(key, 0) + 1
    return dict(sorted(kinds.items(), key=lambda item: -item[1]))


def repetition(key, payloads, capture):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    result = Repetition()
    cpu = time.process_time()
    for number, (_start, body) in enumerate(payloads):
        with Stopwatch() as watch:
            if capture and number == 0:
                with CaptureQueriesContext(connection) as queries:
                    response = client.post(BULK_URL, body, content_type="application/json")
                result.statements = len(queries.captured_queries)
                result.statement_kinds = statement_kinds(queries.captured_queries)
            else:
                response = client.post(BULK_URL, body, content_type="application/json")
        result.post += watch.seconds
        result.times.append(watch.seconds)
        if response.status_code != 201:
            raise SystemExit(f"POST {BULK_URL} answered {response.status_code}: {response.content[:2000]!r}")
        result.ncrs_in_responses += sum(1 for item in response.json()["reports"] if item["nonconformance"])
    result.cpu = time.process_time() - cpu
    result.counts = written_counts()
    return result


def written_counts():
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Sum

    from qualitas.core.models import ObjectChange
    from qualitas.inspections.models import MeasurementResult, QualityReport, SamplingDecision, SamplingState
    from qualitas.nonconformance.models import NonConformance
    from qualitas.production.models import Part

    def audited(model):
        return ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(model)).count()

    return {
        "results": MeasurementResult.objects.count(),
        "reports": QualityReport.objects.count(),
        "result audit entries": audited(MeasurementResult),
        "report audit entries": audited(QualityReport),
        "NCRs": NonConformance.objects.count(),
        "NCR audit entries": audited(NonConformance),
        "parts quarantined": Part.objects.filter(status="quarantined").count(),
        "sampling decisions": SamplingDecision.objects.count(),
        "inspections counted": SamplingState.objects.aggregate(n=Sum("inspections_done"))["n"] or 0,
    }


# --- Raw COPY of the same rows ---------------------------------------------------------------------


COPY_TABLES = ("inspections_qualityreport", "inspections_measurementresult")


def raw_copy_seconds(runs):
    """Read the reports and results just written and COPY them into scratch tables like theirs;
    returns the seconds of each run (COPY and commit)."""
    from django.db import connection, transaction

    data = {}
    with connection.cursor() as cursor:
        for table in COPY_TABLES:
            chunks = []
            with cursor.copy(f'COPY (SELECT * FROM "{table}" ORDER BY id) TO STDOUT (FORMAT BINARY)') as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
            data[table] = b"".join(chunks)
        seconds = []
        for _ in range(runs):
            for table in COPY_TABLES:
                cursor.execute(f'CREATE TABLE "scratch_{table}" (LIKE "{table}" INCLUDING ALL)')
            start = time.perf_counter()
            with transaction.atomic():
                for table in COPY_TABLES:
                    with cursor.copy(f'COPY "scratch_{table}" FROM STDIN (FORMAT BINARY)') as copy:
                        copy.write(data[table])
            seconds.append(time.perf_counter() - start)
            for table in COPY_TABLES:
                cursor.execute(f'DROP TABLE "scratch_{table}"')
    return seconds, {table: len(blob) for table, blob in data.items()}


# --- Run ------------------------------------------------------------------------------------------


def run(options, database):
    import os
    import shutil

    from django.db import connection

    from benchmarks.notifications import private_broker
    from qualitas.inspections import sampling
    from qualitas.production.models import Part

    batches = options.batches or [100, 500]
    decide = options.decide and hasattr(sampling, "decide")
    folder = private_broker()
    try:
        setup = set_up(options, decide)
        routing = setup.routing
        part_ids = list(
            Part.objects.filter(work_order__process=routing.process)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        measurements = len(part_ids) * len(routing.definitions)
        print(
            f"Set-up: {len(part_ids):,} parts at “{routing.inspect}” (in progress) in "
            f"{-(-len(part_ids) // options.work_order_size)} work orders, 10 numeric characteristics, "
            f"sampling rule set “every part”; {setup.seconds:.1f} s."
        )
        if decide:
            print(
                f"Sampling: inspections.sampling.decide exists, so every part's decision was taken before "
                f"posting, one transaction each, as the station does when the part starts the step: "
                f"{setup.decisions:,} decisions ({setup.must_inspect:,} to inspect) in {setup.decide_seconds:.1f} s "
                f"({setup.decisions / setup.decide_seconds:,.0f}/s, {setup.decide_statements:.1f} SQL statements each)."
            )
        else:
            print("Sampling: no decisions taken (inspections.sampling.decide is missing, or --no-decide).")
        connection.close()
        details = {}
        copy_seconds, copy_bytes = None, None
        for batch in batches:
            payloads, failing = bodies(routing, part_ids, batch, options.fail_every)
            runs = []
            for number in range(options.repetitions):
                load = os.getloadavg()[0]
                with database.fresh():
                    profiler = cProfile.Profile() if options.profile and number == 0 else None
                    if profiler is not None:
                        profiler.enable()
                    result = repetition(setup.key, payloads, capture=number == 0)
                    if profiler is not None:
                        profiler.disable()
                        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
                        pstats.Stats(profiler).sort_stats("cumulative").print_stats("qualitas", 40)
                    result.load = load
                    last = batch == batches[-1] and number == options.repetitions - 1
                    if database.vendor == "postgresql" and last:
                        copy_seconds, copy_bytes = raw_copy_seconds(options.copy_runs)
                runs.append(result)
                tenth = max(1, len(result.times) // 10)
                print(
                    f"  batch {batch}, run {number + 1}: {result.post:.1f} s "
                    f"({measurements / result.post:,.0f} measurements/s; CPU of this process {result.cpu:.1f} s; "
                    f"first and last tenth of the requests {median(result.times[:tenth]) * 1000:.0f} and "
                    f"{median(result.times[-tenth:]) * 1000:.0f} ms each), load average {load:.1f}",
                    flush=True,
                )
            details[batch] = (runs, failing)
        copy_median = median(copy_seconds) if copy_seconds else None

        print()
        rows = []
        for batch, (runs, _failing) in details.items():
            post = median([r.post for r in runs])
            rows.append(
                (
                    f"{batch} reports ({batch * 10:,} measurements)",
                    -(-len(part_ids) // batch),
                    f"{post:.1f}",
                    f"{min(r.post for r in runs):.1f}–{max(r.post for r in runs):.1f}",
                    f"{measurements / post:,.0f}",
                    f"{measurements / (post + setup.decide_seconds):,.0f}" if decide else "",
                    runs[0].statements,
                    f"{post / copy_median:.0f}×" if copy_median else "",
                    f"{median([r.load for r in runs]):.1f}",
                )
            )
        print_table(
            (
                "batch",
                "requests",
                "post s",
                "range s",
                "measurements/s",
                "with decisions /s",
                "SQL, 1st request",
                "× raw COPY",
                "load",
            ),
            rows,
        )
        print(
            f"\nMedians of {options.repetitions} runs on fresh copies; {measurements:,} measurements per run; "
            f"target {TARGET_PER_SECOND:,}/s. “With decisions” adds the {setup.decide_seconds:.0f} s of sampling "
            f"decisions to the posting; load: the 1-minute load average as each run started."
        )
        if copy_median:
            print(
                f"Raw COPY of the same {measurements:,} result rows and {len(part_ids):,} report rows into "
                f"scratch tables with the same columns and indexes (no foreign keys), in one transaction: "
                f"median {copy_median:.2f} s ({', '.join(f'{s:.2f}' for s in copy_seconds)}; "
                f"{sum(copy_bytes.values()) / 1e6:.1f} MB binary)."
            )
        for batch, (runs, failing) in details.items():
            first = runs[0]
            kinds = ", ".join(f"{kind} {count}" for kind, count in list(first.statement_kinds.items())[:14])
            in_first = len(range(options.fail_every // 2, min(batch, len(part_ids)), options.fail_every))
            print(
                f"\nBatch {batch}: {first.statements} SQL statements in the first request "
                f"({in_first} of its {batch} reports fail and open an NCR).\n  {kinds}"
            )
            counts = ", ".join(f"{name} {value:,}" for name, value in runs[-1].counts.items())
            print(
                f"  Written (last run): {counts}; NCR numbers in the responses {runs[-1].ncrs_in_responses:,} "
                f"(expected {failing:,})."
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
