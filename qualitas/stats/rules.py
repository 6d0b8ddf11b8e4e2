"""Run rules (tests for special causes) on a control chart, in batch and one point at a time.

Rule sets
    ``western_electric``  WE1-WE4: Western Electric Company, *Statistical Quality Control
                          Handbook*, 1956, Section 1.B; Montgomery, *Introduction to Statistical
                          Quality Control*, 7th ed., Section 5.3.6, Table 5.1.
    ``nelson``            N1-N8: Nelson, L. S., "The Shewhart Control Chart - Tests for Special
                          Causes", *Journal of Quality Technology* 16(4), 1984, pp. 237-239.

Conventions (the same in :func:`evaluate` and :class:`Evaluator`)
    * z_i = (x_i - center) / sigma, where sigma is the standard deviation of the plotted point.
    * Every comparison is strict: a point exactly on a zone line is not beyond it, and a point on
      the center line is on neither side (it ends a same-side run); equal neighbours end a trend.
    * A point is flagged when it is the last point of a complete window that satisfies the rule,
      so a run of 10 points on one side flags the 9th and the 10th point for "9 in a row".
    * "2 of 3" and "4 of 5": the flagged point must itself be beyond the zone line, on the same
      side as the others.

Indices returned are 0-based positions in ``values``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qualitas.stats._validation import finite_number, finite_vector
from qualitas.stats.errors import StatsError

__all__ = ["RULES", "RULESETS", "Evaluator", "evaluate"]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    kind: str  # "beyond", "same_side", "trend", "alternating", "k_of_m", "within", "outside"
    length: int = 1  # points in the window
    count: int = 1  # for k_of_m: how many of the window must be beyond
    zone: float = 0.0  # in sigmas


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("WE1", "1 point beyond 3 sigma", "beyond", 1, 1, 3.0),
        Rule("WE2", "2 of 3 points beyond 2 sigma, same side", "k_of_m", 3, 2, 2.0),
        Rule("WE3", "4 of 5 points beyond 1 sigma, same side", "k_of_m", 5, 4, 1.0),
        Rule("WE4", "8 points in a row on the same side of the center line", "same_side", 8),
        Rule("N1", "1 point beyond 3 sigma", "beyond", 1, 1, 3.0),
        Rule("N2", "9 points in a row on the same side of the center line", "same_side", 9),
        Rule("N3", "6 points in a row steadily increasing or decreasing", "trend", 6),
        Rule("N4", "14 points in a row alternating up and down", "alternating", 14),
        Rule("N5", "2 of 3 points beyond 2 sigma, same side", "k_of_m", 3, 2, 2.0),
        Rule("N6", "4 of 5 points beyond 1 sigma, same side", "k_of_m", 5, 4, 1.0),
        Rule("N7", "15 points in a row within 1 sigma, either side", "within", 15, 15, 1.0),
        Rule(
            "N8", "8 points in a row beyond 1 sigma, either side (none within 1 sigma)", "outside", 8, 8, 1.0
        ),
    )
}

RULESETS: dict[str, tuple[str, ...]] = {
    "western_electric": ("WE1", "WE2", "WE3", "WE4"),
    "nelson": ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"),
}

_HISTORY = 4  # the longest k-of-m window (5) minus the new point


def _rule_names(ruleset) -> tuple[str, ...]:
    if isinstance(ruleset, str):
        if ruleset not in RULESETS:
            raise StatsError(f"unknown rule set {ruleset!r}; choose one of {sorted(RULESETS)}")
        return RULESETS[ruleset]
    names = tuple(ruleset)
    unknown = [name for name in names if name not in RULES]
    if unknown:
        raise StatsError(f"unknown rules {unknown}; known rules are {sorted(RULES)}")
    return names


def _sigma(sigma):
    array = np.asarray(sigma, dtype=np.float64)
    if not np.isfinite(array).all() or (array <= 0).any():
        raise StatsError(
            "sigma must be finite and greater than zero to evaluate run rules "
            "(zero variation leaves the zones undefined)"
        )
    return array


def _run_length(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True values ending at each position (0 where False)."""
    positions = np.arange(flags.size)
    last_false = np.maximum.accumulate(np.where(flags, -1, positions))
    return positions - last_false


def _k_of_m(beyond: np.ndarray, k: int, m: int) -> np.ndarray:
    counts = np.cumsum(beyond, dtype=np.int64)
    window = counts.copy()
    window[m:] -= counts[:-m]
    hits = beyond & (window >= k)
    hits[: m - 1] = False
    return hits


def evaluate(values, center, sigma, ruleset="western_electric") -> dict[str, list[int]]:
    """Flag the points that violate each rule of ``ruleset``.

    ``ruleset`` is ``"western_electric"``, ``"nelson"`` or an iterable of rule names (e.g.
    ``("N1", "N5")``). ``center`` and ``sigma`` are scalars or arrays with one value per point
    (charts whose limits vary). Returns ``{rule name: [0-based indices]}`` with every requested
    rule present. Vectorised: O(n) numpy passes, no Python loop over the points.
    """
    names = _rule_names(ruleset)
    x = finite_vector(values, "values", minimum=0)
    middle = np.asarray(center, dtype=np.float64)
    spread = _sigma(sigma)
    for name, array in (("center", middle), ("sigma", spread)):
        if array.ndim > 1 or (array.ndim == 1 and array.shape != x.shape):
            raise StatsError(f"{name} must be a scalar or have one value per point ({x.size})")
    if not np.isfinite(middle).all():
        raise StatsError("center must be finite")
    z = (x - middle) / spread
    result: dict[str, list[int]] = {}
    cache: dict[str, np.ndarray] = {}
    for name in names:
        rule = RULES[name]
        result[name] = np.flatnonzero(_batch_rule(rule, x, z, cache)).tolist()
    return result


def _batch_rule(rule: Rule, x: np.ndarray, z: np.ndarray, cache: dict) -> np.ndarray:
    n = x.size
    if rule.kind == "beyond":
        return np.abs(z) > rule.zone
    if rule.kind == "same_side":
        if "above" not in cache:
            cache["above"] = _run_length(z > 0)
            cache["below"] = _run_length(z < 0)
        return (cache["above"] >= rule.length) | (cache["below"] >= rule.length)
    if rule.kind == "k_of_m":
        return _k_of_m(z > rule.zone, rule.count, rule.length) | _k_of_m(
            z < -rule.zone, rule.count, rule.length
        )
    if rule.kind == "within":
        return _run_length(np.abs(z) < rule.zone) >= rule.length
    if rule.kind == "outside":
        return _run_length(np.abs(z) > rule.zone) >= rule.length
    flags = np.zeros(n, dtype=bool)
    if n < 2:
        return flags
    step = np.diff(x)
    if rule.kind == "trend":
        needed = rule.length - 1  # 6 points make 5 steps
        trend = (_run_length(step > 0) >= needed) | (_run_length(step < 0) >= needed)
        flags[1:] = trend
        return flags
    if rule.kind == "alternating":
        if n < 3:
            return flags
        direction = np.sign(step)
        alternates = direction[1:] * direction[:-1] < 0
        flags[2:] = _run_length(alternates) >= rule.length - 2  # 14 points: 13 steps, 12 turns
        return flags
    raise StatsError(f"rule kind {rule.kind!r} is not implemented")  # pragma: no cover


class Evaluator:
    """Incremental rule evaluation: one point at a time, without rescanning the history.

    The state is a small dict of plain values (``.state``), so it can be stored in a database
    field with the chart and restored with ``Evaluator.from_state(state)``. ``push(value)``
    returns the names of the rules the new point triggers, exactly as :func:`evaluate` would flag
    that point at the end of the full series (tests/test_rules.py proves it on random data).
    """

    STATE_VERSION = 1

    def __init__(self, center: float, sigma: float, ruleset="western_electric", state: dict | None = None):
        self.center = finite_number(center, "center")
        self.sigma = float(_sigma(finite_number(sigma, "sigma")))
        self.names = _rule_names(ruleset)
        self._rules = [RULES[name] for name in self.names]
        self.ruleset = ruleset if isinstance(ruleset, str) else list(self.names)
        self.count = 0
        self.last_value: float | None = None
        self.last_step = 0  # sign of the last step: -1, 0, 1
        self.runs = {"above": 0, "below": 0, "up": 0, "down": 0, "turns": 0, "within": 0, "outside": 0}
        self.recent: list[float] = []  # the last z values, for the k-of-m windows
        if state is not None:
            self._load(state)

    @classmethod
    def from_state(cls, state: dict) -> Evaluator:
        try:
            return cls(state["center"], state["sigma"], state["ruleset"], state=state)
        except KeyError as missing:
            raise StatsError(f"evaluator state lacks {missing}") from None

    @property
    def state(self) -> dict:
        return {
            "version": self.STATE_VERSION,
            "center": self.center,
            "sigma": self.sigma,
            "ruleset": self.ruleset,
            "count": self.count,
            "last_value": self.last_value,
            "last_step": self.last_step,
            "runs": dict(self.runs),
            "recent": list(self.recent),
        }

    def _load(self, state: dict) -> None:
        if state.get("version") != self.STATE_VERSION:
            raise StatsError(f"unsupported evaluator state version {state.get('version')!r}")
        try:
            self.count = int(state["count"])
            self.last_value = None if state["last_value"] is None else float(state["last_value"])
            self.last_step = int(state["last_step"])
            self.runs = {key: int(state["runs"][key]) for key in self.runs}
            self.recent = [float(value) for value in state["recent"]][-_HISTORY:]
        except (KeyError, TypeError, ValueError) as error:
            raise StatsError(f"evaluator state is malformed: {error}") from None

    def push(self, value: float) -> list[str]:
        """Add one point; return the rules (in rule-set order) whose window ends at this point."""
        x = finite_number(value, "value")
        z = (x - self.center) / self.sigma
        runs = self.runs
        runs["above"] = runs["above"] + 1 if z > 0 else 0
        runs["below"] = runs["below"] + 1 if z < 0 else 0
        runs["within"] = runs["within"] + 1 if abs(z) < 1.0 else 0
        runs["outside"] = runs["outside"] + 1 if abs(z) > 1.0 else 0
        if self.last_value is None:
            step = 0
            runs["up"] = runs["down"] = runs["turns"] = 0
        else:
            step = (x > self.last_value) - (x < self.last_value)
            runs["up"] = runs["up"] + 1 if step > 0 else 0
            runs["down"] = runs["down"] + 1 if step < 0 else 0
            runs["turns"] = runs["turns"] + 1 if step * self.last_step < 0 else 0
        window = [*self.recent, z]
        triggered = [rule.name for rule in self._rules if self._triggers(rule, z, window)]
        self.count += 1
        self.last_value = x
        self.last_step = step
        self.recent = window[-_HISTORY:]
        return triggered

    def _triggers(self, rule: Rule, z: float, window: list[float]) -> bool:
        runs = self.runs
        if rule.kind == "beyond":
            return abs(z) > rule.zone
        if rule.kind == "same_side":
            return runs["above"] >= rule.length or runs["below"] >= rule.length
        if rule.kind == "k_of_m":
            if len(window) < rule.length:
                return False
            span = window[-rule.length :]
            if z > rule.zone:
                return sum(point > rule.zone for point in span) >= rule.count
            if z < -rule.zone:
                return sum(point < -rule.zone for point in span) >= rule.count
            return False
        if rule.kind == "within":
            return runs["within"] >= rule.length
        if rule.kind == "outside":
            return runs["outside"] >= rule.length
        if rule.kind == "trend":
            return runs["up"] >= rule.length - 1 or runs["down"] >= rule.length - 1
        if rule.kind == "alternating":
            return runs["turns"] >= rule.length - 2
        raise StatsError(f"rule kind {rule.kind!r} is not implemented")  # pragma: no cover
