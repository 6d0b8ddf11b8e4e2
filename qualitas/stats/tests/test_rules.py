"""Run rules: the definitions of Western Electric (1956) and Nelson (1984), boundary cases, and the
incremental evaluator against the batch one."""

import json

import numpy as np
import pytest

from qualitas.stats import StatsError
from qualitas.stats.rules import RULESETS, Evaluator, evaluate


def flagged(values, rule, ruleset="nelson"):
    return evaluate(values, 0.0, 1.0, ruleset)[rule]


def test_every_rule_is_reported_even_when_empty():
    assert set(evaluate([0.0, 0.1], 0, 1, "nelson")) == set(RULESETS["nelson"])
    assert set(evaluate([], 0, 1, "western_electric")) == {"WE1", "WE2", "WE3", "WE4"}


def test_beyond_three_sigma_is_strict():
    # Western Electric Handbook (1956) test 1 / Nelson (1984) test 1: beyond zone A.
    assert flagged([0.0, 3.0, 3.01, -3.5, -3.0], "N1") == [2, 3]
    assert flagged([0.0, 3.0, 3.01, -3.5], "WE1", "western_electric") == [2, 3]


def test_two_of_three_beyond_two_sigma_same_side_and_the_last_point_beyond():
    assert flagged([0.0, 2.5, 2.1], "N5") == [2]
    assert flagged([2.5, -2.5, 2.1], "N5") == [2]  # the other two on the same side: 2.5 and 2.1
    assert flagged([0.0, 2.5, 2.1, 0.0], "N5") == [2]  # the last point must itself be beyond
    assert flagged([2.0, 2.5, 2.5], "N5") == [2]  # 2.0 is on the line, not beyond
    assert flagged([2.5, -2.5, -2.1], "N5") == [2]
    assert flagged([2.5, 2.6], "N5") == []  # no complete window of 3
    assert flagged([2.5, -2.6, 2.1, -2.2], "WE2", "western_electric") == [2, 3]


def test_four_of_five_beyond_one_sigma_same_side():
    assert flagged([0.0, 1.5, 1.5, 0.5, 1.5, 1.5], "N6") == [5]
    assert flagged([1.5, 1.5, 1.5, 1.5, 0.5], "N6") == []  # last point not beyond
    assert flagged([1.5, 1.5, 1.5, 1.0, 1.5], "WE3", "western_electric") == [4]
    assert flagged([1.5, 1.5, -1.5, 1.0, 1.5], "WE3", "western_electric") == []


def test_runs_on_one_side():
    assert flagged([0.1] * 8, "WE4", "western_electric") == [7]
    assert flagged([0.1] * 7 + [0.0, 0.1], "WE4", "western_electric") == []  # on the center line
    assert flagged([-0.1] * 10, "N2") == [8, 9]


def test_trend_of_six():
    assert flagged([0.0, 0.1, 0.2, 0.3, 0.4, 0.5], "N3") == [5]
    assert flagged([0.5, 0.4, 0.3, 0.2, 0.1, 0.0, -0.1], "N3") == [5, 6]
    assert flagged([0.0, 0.1, 0.2, 0.2, 0.3, 0.4, 0.5], "N3") == []  # a tie breaks the trend


def test_fourteen_alternating():
    assert flagged([0.0, 0.5] * 7, "N4") == [13]
    assert flagged([0.0, 0.5] * 7 + [0.0], "N4") == [13, 14]
    assert flagged(([0.0, 0.5] * 7)[:13], "N4") == []
    assert flagged([0.0, 0.5] * 3 + [0.5] + [0.0, 0.5] * 4, "N4") == []


def test_fifteen_within_one_sigma():
    assert flagged([0.5] * 15, "N7") == [14]
    assert flagged([0.5] * 7 + [1.0] + [0.5] * 7, "N7") == []  # exactly 1 sigma is not within


def test_eight_beyond_one_sigma_either_side():
    assert flagged([1.5, -1.5] * 4, "N8") == [7]
    assert flagged([1.5, -1.5] * 3 + [1.0, 1.5], "N8") == []


def test_center_and_sigma_can_vary_per_point():
    values = [10.0, 10.0, 13.5]
    result = evaluate(values, [0.0, 0.0, 10.0], [1.0, 1.0, 1.0], ["N1"])
    assert result["N1"] == [0, 1, 2]


def test_bad_input():
    with pytest.raises(StatsError, match="sigma"):
        evaluate([1.0], 0, 0, "nelson")
    with pytest.raises(StatsError, match="unknown rule set"):
        evaluate([1.0], 0, 1, "westinghouse")
    with pytest.raises(StatsError, match="NaN"):
        evaluate([1.0, float("nan")], 0, 1, "nelson")
    with pytest.raises(StatsError, match="unknown rules"):
        evaluate([1.0], 0, 1, ["N9"])


def _random_series(seed, size=3000):  # size >= 2520
    rng = np.random.default_rng(seed)
    base = rng.normal(0.0, 1.0, size)
    # Drifts and shifts to trigger every rule, and rounding so that ties and center hits occur.
    base[500:700] += 1.7
    base[1200:1300] = np.linspace(-2, 2, 100)
    base[1500:1530] = np.tile([-0.3, 0.4], 15)
    base[2000:2040] *= 0.2
    base[2500:2520] = np.tile([1.6, -1.6], 10)
    return np.round(base, 1)


@pytest.mark.parametrize("ruleset", ["nelson", "western_electric"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_evaluator_matches_batch_evaluation(ruleset, seed):
    values = _random_series(seed)
    center, sigma = 0.05, 0.9
    batch = evaluate(values, center, sigma, ruleset)
    assert all(batch[name] for name in RULESETS[ruleset]), "the series should trigger every rule"
    evaluator = Evaluator(center, sigma, ruleset)
    incremental = {name: [] for name in RULESETS[ruleset]}
    for index, value in enumerate(values):
        if index % 97 == 0:
            # The state survives a round trip through JSON (it is stored with the chart).
            evaluator = Evaluator.from_state(json.loads(json.dumps(evaluator.state)))
        for name in evaluator.push(float(value)):
            incremental[name].append(index)
    assert incremental == batch


def test_evaluator_state_is_small_and_plain():
    evaluator = Evaluator(0.0, 1.0, "nelson")
    for value in _random_series(4)[:200]:
        evaluator.push(float(value))
    state = evaluator.state
    assert json.loads(json.dumps(state)) == state
    assert len(state["recent"]) <= 4
    with pytest.raises(StatsError, match="version"):
        Evaluator.from_state({**state, "version": 99})


def test_evaluator_custom_rule_list():
    evaluator = Evaluator(0.0, 1.0, ["N1", "N5"])
    assert evaluator.push(3.5) == ["N1"]
    assert evaluator.push(2.5) == []
    assert evaluator.push(2.5) == ["N5"]
