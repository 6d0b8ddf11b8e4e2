"""OEE and yields."""

import pytest

from qualitas.stats import StatsError
from qualitas.stats.yields import (
    first_pass_yield,
    oee,
    oee_from_counts,
    rolled_throughput_yield,
    yield_from_dpu,
)


def test_oee_worked_example_vorne():
    """Vorne Industries, oee.com "Calculate OEE" worked example: planned production time 420 min
    (a 480 min shift less 60 min of breaks), 47 min of stops, ideal cycle time 1.0 s, 19 271 parts
    of which 423 rejects: availability 88.81%, performance 86.11%, quality 97.80%, OEE 74.79%
    (also = 18 848 good parts x 1.0 s / 25 200 s)."""
    result = oee_from_counts(
        planned_time=420 * 60,
        stop_time=47 * 60,
        ideal_cycle_time=1.0,
        total_count=19271,
        good_count=19271 - 423,
    )
    assert round(result.availability * 100, 2) == 88.81
    assert round(result.performance * 100, 2) == 86.11
    assert round(result.quality * 100, 2) == 97.80
    assert round(result.oee * 100, 2) == 74.79
    assert result.oee == pytest.approx(18848 * 1.0 / (420 * 60))
    assert result.to_dict()["oee"] == pytest.approx(result.oee)


def test_oee_from_factors_and_bad_input():
    assert oee(0.9, 0.95, 0.999).oee == pytest.approx(0.9 * 0.95 * 0.999)
    with pytest.raises(StatsError, match="between 0 and 1"):
        oee(1.2, 0.9, 0.9)
    with pytest.raises(StatsError, match="ideal cycle time"):
        oee_from_counts(100, 0, 2.0, 60, 60)
    with pytest.raises(StatsError, match="good_count"):
        oee_from_counts(100, 0, 1.0, 60, 70)


def test_first_pass_and_rolled_throughput_yield():
    # Breyfogle, Implementing Six Sigma, 2nd ed., Section 1.19: RTY is the product of the steps'
    # first-pass yields; here 0.95 x 0.90 x 0.98 = 0.8379.
    assert first_pass_yield(200, 190) == pytest.approx(0.95)
    assert rolled_throughput_yield([0.95, 0.90, 0.98]) == pytest.approx(0.8379)
    assert yield_from_dpu(0.0) == 1.0
    assert yield_from_dpu(1.0) == pytest.approx(0.36788, abs=1e-5)
    with pytest.raises(StatsError):
        first_pass_yield(0, 0)
    with pytest.raises(StatsError):
        rolled_throughput_yield([0.9, 1.1])
