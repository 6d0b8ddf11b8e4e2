"""Benchmark of qualitas.stats: X-bar/R, capability and all Nelson rules over 1 000 000 values,
and incremental rule evaluation of one new point.

Each bulk task is timed three ways on the same data:

* ``library``  the public functions (input checks, result objects included);
* ``python``   a straightforward pure-Python implementation (loops, ``math``), the baseline;
* ``floor``    bare numpy arithmetic producing the same numbers with no checks or objects (numpy
               has no normal CDF, so the floor uses ``scipy.special.log_ndtr`` for the
               Anderson-Darling sums, as the library does).

Times are medians over several runs (fewer for the slow pure-Python baseline). Targets: the three
bulk tasks under 0.5 s in total, one incremental point under 1 ms.

Run: ``python -m benchmarks.stats_library`` (or ``python benchmarks/stats_library.py``).
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import time

import numpy as np
from scipy import special

from qualitas.stats import capability as capability_module
from qualitas.stats import charts, rules

SIZE = 1_000_000
SUBGROUP = 5
LIBRARY_RUNS = 7
PYTHON_RUNS = 3
INCREMENTAL_POINTS = 20_000
TARGET_BULK = 0.5
TARGET_POINT = 0.001

# Table values for the pure-Python baseline (Montgomery, 7th ed., Appendix VI), as a hand-written
# implementation would have them.
D2_5, D3_5, D2_2 = 2.326, 0.864, 1.128


def median_time(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- library ------------------------------------------------------------------------------------


def library_xbar_r(values):
    return charts.xbar_r(values.reshape(-1, SUBGROUP))


def library_capability(values):
    return capability_module.capability(values, lsl=6.0, usl=14.0)


def library_nelson(values):
    return rules.evaluate(values, 10.0, 1.0, "nelson")


# --- pure Python --------------------------------------------------------------------------------


def python_xbar_r(values):
    means, ranges = [], []
    for start in range(0, len(values), SUBGROUP):
        group = values[start : start + SUBGROUP]
        means.append(sum(group) / SUBGROUP)
        ranges.append(max(group) - min(group))
    grand = sum(means) / len(means)
    mean_range = sum(ranges) / len(ranges)
    sigma = mean_range / D2_5
    spread = 3 * sigma / math.sqrt(SUBGROUP)
    return (
        grand - spread,
        grand + spread,
        max(mean_range - 3 * D3_5 * sigma, 0.0),
        mean_range + 3 * D3_5 * sigma,
    )


def _phi(z):
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def python_capability(values, lsl=6.0, usl=14.0):
    n = len(values)
    mean = sum(values) / n
    overall = math.sqrt(sum((x - mean) ** 2 for x in values) / (n - 1))
    moving = sum(abs(values[i] - values[i - 1]) for i in range(1, n)) / (n - 1)
    within = moving / D2_2
    indices = {
        "Cp": (usl - lsl) / (6 * within),
        "Cpk": min(usl - mean, mean - lsl) / (3 * within),
        "Pp": (usl - lsl) / (6 * overall),
        "Ppk": min(usl - mean, mean - lsl) / (3 * overall),
    }
    ordered = sorted(values)
    z = [(x - mean) / overall for x in ordered]
    total = 0.0
    for i in range(n):
        total += (2 * i + 1) * (math.log(_phi(z[i])) + math.log(1.0 - _phi(z[n - 1 - i])))
    a2 = -n - total / n

    def quantile(q):
        position = q * (n - 1)
        low = int(position)
        return ordered[low] + (ordered[min(low + 1, n - 1)] - ordered[low]) * (position - low)

    low, high = quantile(0.00135), quantile(0.99865)
    outside = sum(1 for x in values if x < lsl or x > usl)
    return indices, a2, (usl - lsl) / (high - low), outside


def python_nelson(values, center=10.0, sigma=1.0):
    flagged = {name: [] for name in rules.RULESETS["nelson"]}
    above = below = up = down = turns = within = outside = 0
    previous = None
    previous_step = 0
    recent = []
    for index, x in enumerate(values):
        z = (x - center) / sigma
        above = above + 1 if z > 0 else 0
        below = below + 1 if z < 0 else 0
        within = within + 1 if abs(z) < 1 else 0
        outside = outside + 1 if abs(z) > 1 else 0
        step = 0 if previous is None else (x > previous) - (x < previous)
        up = up + 1 if step > 0 else 0
        down = down + 1 if step < 0 else 0
        turns = turns + 1 if step * previous_step < 0 else 0
        recent.append(z)
        if len(recent) > 5:
            recent.pop(0)
        if abs(z) > 3:
            flagged["N1"].append(index)
        if above >= 9 or below >= 9:
            flagged["N2"].append(index)
        if up >= 5 or down >= 5:
            flagged["N3"].append(index)
        if turns >= 12:
            flagged["N4"].append(index)
        if len(recent) >= 3 and (
            (z > 2 and sum(v > 2 for v in recent[-3:]) >= 2)
            or (z < -2 and sum(v < -2 for v in recent[-3:]) >= 2)
        ):
            flagged["N5"].append(index)
        if len(recent) == 5 and (
            (z > 1 and sum(v > 1 for v in recent) >= 4) or (z < -1 and sum(v < -1 for v in recent) >= 4)
        ):
            flagged["N6"].append(index)
        if within >= 15:
            flagged["N7"].append(index)
        if outside >= 8:
            flagged["N8"].append(index)
        previous, previous_step = x, step
    return flagged


# --- numpy floor --------------------------------------------------------------------------------


def floor_xbar_r(values):
    table = values.reshape(-1, SUBGROUP)
    means = table.mean(axis=1)
    ranges = np.ptp(table, axis=1)
    return means.mean(), ranges.mean(), means, ranges


def floor_capability(values):
    mean = values.mean()
    overall = values.std(ddof=1)
    within = np.abs(np.diff(values)).mean() / D2_2
    z = np.sort((values - mean) / overall)
    weights = 2.0 * np.arange(1, values.size + 1) - 1.0
    a2 = -values.size - weights @ (special.log_ndtr(z) + special.log_ndtr(-z[::-1])) / values.size
    quantiles = np.percentile(values, [0.135, 50.0, 99.865])
    outside = np.count_nonzero((values < 6.0) | (values > 14.0))
    return mean, overall, within, a2, quantiles, outside


def _runs(flags):
    positions = np.arange(flags.size)
    return positions - np.maximum.accumulate(np.where(flags, -1, positions))


def _window(flags, k, m):
    counts = np.cumsum(flags)
    window = counts.copy()
    window[m:] -= counts[:-m]
    return flags & (window >= k)


def floor_nelson(values):
    z = values - 10.0
    step = np.sign(np.diff(values))
    return (
        np.abs(z) > 3,
        (_runs(z > 0) >= 9) | (_runs(z < 0) >= 9),
        (_runs(step > 0) >= 5) | (_runs(step < 0) >= 5),
        _runs(step[1:] * step[:-1] < 0) >= 12,
        _window(z > 2, 2, 3) | _window(z < -2, 2, 3),
        _window(z > 1, 4, 5) | _window(z < -1, 4, 5),
        _runs(np.abs(z) < 1) >= 15,
        _runs(np.abs(z) > 1) >= 8,
    )


# --- incremental --------------------------------------------------------------------------------


def incremental_times(values):
    evaluator = rules.Evaluator(10.0, 1.0, "nelson")
    push_times = []
    for value in values[:INCREMENTAL_POINTS]:
        start = time.perf_counter_ns()
        evaluator.push(value)
        push_times.append(time.perf_counter_ns() - start)
    # The ingest path: load the stored state, push the point, store the state again (as JSON).
    stored = json.dumps(evaluator.state)
    ingest_times = []
    for value in values[INCREMENTAL_POINTS : 2 * INCREMENTAL_POINTS]:
        start = time.perf_counter_ns()
        loaded = rules.Evaluator.from_state(json.loads(stored))
        loaded.push(value)
        stored = json.dumps(loaded.state)
        ingest_times.append(time.perf_counter_ns() - start)
    return statistics.median(push_times) / 1e9, statistics.median(ingest_times) / 1e9


def run():
    rng = np.random.default_rng(20_260_101)
    values = np.round(rng.normal(10.0, 1.0, SIZE), 3)
    as_list = values.tolist()
    print(
        f"qualitas.stats benchmark - {SIZE:,} values; Python {platform.python_version()}, numpy "
        f"{np.__version__}, {os.cpu_count()} cores; medians of {LIBRARY_RUNS} runs "
        f"({PYTHON_RUNS} for pure Python)"
    )
    # Warm-up: constants caches, imports, page faults.
    library_xbar_r(values)
    library_capability(values[:1000])
    library_nelson(values[:1000])

    tasks = [
        ("X-bar/R (200,000 subgroups of 5)", library_xbar_r, python_xbar_r, floor_xbar_r),
        (
            "capability (indices, CIs, AD, percentiles)",
            library_capability,
            python_capability,
            floor_capability,
        ),
        ("Nelson rules N1-N8", library_nelson, python_nelson, floor_nelson),
    ]
    header = f"{'task':44} {'library':>10} {'python':>10} {'floor':>10} {'py/lib':>8} {'lib/floor':>9}"
    print(header)
    print("-" * len(header))
    total = 0.0
    for name, library, python, floor in tasks:
        library_time = median_time(lambda library=library: library(values), LIBRARY_RUNS)
        python_time = median_time(lambda python=python: python(as_list), PYTHON_RUNS)
        floor_time = median_time(lambda floor=floor: floor(values), LIBRARY_RUNS)
        total += library_time
        print(
            f"{name:44} {library_time:9.3f}s {python_time:9.3f}s {floor_time:9.3f}s "
            f"{python_time / library_time:7.1f}x {library_time / floor_time:8.2f}x"
        )
    verdict = "OK" if total < TARGET_BULK else "OVER TARGET"
    print(f"{'total (library)':44} {total:9.3f}s   target < {TARGET_BULK} s: {verdict}")

    push, ingest = incremental_times(as_list)
    print(
        f"incremental: push one point {push * 1e6:.1f} us; load state + push + store state (JSON) "
        f"{ingest * 1e6:.1f} us   target < {TARGET_POINT * 1e3:.0f} ms: "
        f"{'OK' if ingest < TARGET_POINT else 'OVER TARGET'}"
    )
    # The incremental evaluator and the batch rules agree on this data.
    batch = rules.evaluate(values[:INCREMENTAL_POINTS], 10.0, 1.0, "nelson")
    evaluator = rules.Evaluator(10.0, 1.0, "nelson")
    incremental = {rule: [] for rule in batch}
    for index, value in enumerate(as_list[:INCREMENTAL_POINTS]):
        for rule in evaluator.push(value):
            incremental[rule].append(index)
    print(f"incremental == batch on {INCREMENTAL_POINTS:,} points: {incremental == batch}")


if __name__ == "__main__":
    run()
