"""Capability indices, intervals and normality against published examples."""

import json

import numpy as np
import pytest
from scipy import stats

from qualitas.stats import StatsError, charts
from qualitas.stats.capability import (
    anderson_darling,
    anderson_darling_p_value,
    bissell_interval,
    capability,
    chi_square_interval,
)
from qualitas.stats.tests.data import PISTON_RINGS


def with_moments(n, mean, sd):
    """n values whose sample mean and standard deviation (n - 1 divisor) are exactly mean and sd."""
    base = np.linspace(-1.0, 1.0, n) ** 3 + np.linspace(-1.0, 1.0, n)
    z = (base - base.mean()) / base.std(ddof=1)
    return mean + sd * z


def test_piston_ring_cp_montgomery_section_6_2_5():
    """Montgomery, Introduction to SQC, 7th ed., Section 6.2.5 (piston rings, specs 74.000 +- 0.05):
    sigma = R-/d2 = 0.0099 and Cp = 0.10 / (6 x 0.0099) = 1.68 (the text rounds sigma; unrounded
    sigma = 0.00999 gives 1.668)."""
    within = charts.xbar_r(PISTON_RINGS).sigma
    result = capability(np.ravel(PISTON_RINGS), lsl=73.95, usl=74.05, sigma_within=within)
    assert result.cp == pytest.approx(1.68, abs=0.015)
    assert result.cp == pytest.approx(0.10 / (6 * within))


def test_cp_confidence_interval_montgomery_section_8_3_5():
    """Montgomery 7th ed., Section 8.3.5 (equation 8.18): USL = 62, LSL = 38, n = 20, s = 1.75:
    Cp = 2.29 and the 95% interval 1.57 <= Cp <= 3.01."""
    values = with_moments(20, 50.0, 1.75)
    result = capability(values, lsl=38, usl=62, sigma_within=1.75)
    assert round(result.cp, 2) == 2.29
    # The text multiplies the rounded Cp = 2.29; the exact 24/10.5 = 2.2857 gives 1.565 and 3.005.
    lower, upper = result.interval("Cp")
    assert lower == pytest.approx(1.57, abs=0.01)
    assert upper == pytest.approx(3.01, abs=0.01)
    assert chi_square_interval(2.29, 20) == pytest.approx((1.57, 3.01), abs=0.005)
    assert result.interval("Pp") == pytest.approx((lower, upper))


def test_cpk_confidence_interval_bissell_montgomery_section_8_3_5():
    """Montgomery 7th ed., Section 8.3.5 (equation 8.19, Bissell 1990): n = 20, Cpk = 1.33:
    0.88 <= Cpk <= 1.78 at 95%."""
    lower, upper = bissell_interval(1.33, 20, 0.95)
    assert round(lower, 2) == 0.88
    assert round(upper, 2) == 1.78
    # Through capability(): a process with Cpk = 1.33 exactly.
    values = with_moments(20, 53.0, 1.0)
    result = capability(values, lsl=40.0, usl=56.99, sigma_within=1.0)
    assert result.cpk == pytest.approx(1.33)
    assert result.interval("Cpk") == pytest.approx((lower, upper))


def test_cpm_montgomery_table_8_5_process_b():
    """Montgomery 7th ed., Section 8.2.5 (processes A and B, LSL 35, USL 65, T = 50):
    process A mu = 50, sigma = 5: Cp = Cpk = Cpm = 1.0; process B mu = 57.5, sigma = 2.5:
    Cp = 2.0, Cpk = 1.0, Cpm = 0.63."""
    process_a = capability(with_moments(50, 50.0, 5.0), lsl=35, usl=65, target=50, sigma_within=5.0)
    assert process_a.cp == pytest.approx(1.0)
    assert process_a.cpk == pytest.approx(1.0)
    assert process_a.cpm == pytest.approx(1.0)
    process_b = capability(with_moments(50, 57.5, 2.5), lsl=35, usl=65, target=50, sigma_within=2.5)
    assert process_b.cp == pytest.approx(2.0)
    assert process_b.cpk == pytest.approx(1.0)
    assert round(process_b.cpm, 2) == 0.63
    low, high = process_b.interval("Cpm")
    assert low < process_b.cpm < high


def test_expected_fallout_montgomery_table_8_3():
    """Montgomery 7th ed., Table 8.3 (process fallout for a centred normal process): Cp = 1.00 gives
    2700 ppm for two-sided specifications (1350 one-sided); Cp = 1.33 gives 66 ppm (33)."""
    result = capability(with_moments(30, 0.0, 1.0), lsl=-3, usl=3, sigma_within=1.0)
    assert round(result.expected_ppm_within["total"]) == 2700
    assert round(result.expected_ppm_within["above"]) == 1350
    result = capability(with_moments(30, 0.0, 1.0), lsl=-4, usl=4, sigma_within=1.0)
    assert round(result.expected_ppm_within["total"]) == 63  # Cp = 1.333...; the table's 66 is for 1.33
    result = capability(with_moments(30, 0.0, 1.0), lsl=-3.99, usl=3.99, sigma_within=1.0)
    assert round(result.expected_ppm_within["total"]) == 66


def test_nist_capability_example():
    """NIST/SEMATECH e-Handbook 6.1.6 ("What is Process Capability?"), example: USL = 20,
    LSL = 8, mu = 16, sigma = 2: Cp = 1.0, Cpk = min(0.6667, 1.3333) = 0.6667."""
    result = capability(with_moments(40, 16.0, 2.0), lsl=8, usl=20, sigma_within=2.0)
    assert result.cp == pytest.approx(1.0)
    assert result.indices["Cpu"] == pytest.approx(0.6667, abs=1e-4)
    assert result.indices["Cpl"] == pytest.approx(1.3333, abs=1e-4)
    assert result.cpk == pytest.approx(0.6667, abs=1e-4)


def test_one_sided_specification_leaves_two_sided_indices_undefined():
    values = with_moments(30, 10.0, 1.0)
    result = capability(values, usl=14.0, sigma_within=1.0)
    assert result.cp is None and result.pp is None and result.cpm is None
    assert "one-sided" in result.reasons["Cp"]
    assert result.cpk == result.indices["Cpu"] == pytest.approx(4.0 / 3.0)
    assert result.indices["Cpl"] is None
    assert result.interval("Cp") is None
    assert result.expected_ppm_within["below"] == 0.0
    lower_only = capability(values, lsl=7.0, sigma_within=1.0)
    assert lower_only.cpk == pytest.approx(1.0)


def test_zero_variation_gives_none_with_a_reason():
    result = capability([5.0] * 10, lsl=4.0, usl=6.0)
    assert result.cp is None and result.cpk is None and result.ppk is None
    assert "zero variation" in result.reasons["Cpk"]
    assert result.normality is None
    assert result.observed_ppm["total"] == 0.0
    json.dumps(result.to_dict())


def test_observed_fraction_counts_values_strictly_outside():
    result = capability([1.0, 2.0, 3.0, 4.0, 5.0], lsl=2.0, usl=4.5, sigma_within=1.0)
    assert result.observed_ppm == {"below": 200000.0, "above": 200000.0, "total": 400000.0}


def test_bad_input():
    with pytest.raises(StatsError, match="specification"):
        capability([1.0, 2.0, 3.0])
    with pytest.raises(StatsError, match="below usl"):
        capability([1.0, 2.0, 3.0], lsl=5, usl=4)
    with pytest.raises(StatsError, match="NaN"):
        capability([1.0, float("nan")], lsl=0)
    with pytest.raises(StatsError, match="at least 2"):
        capability([1.0], lsl=0)
    with pytest.raises(StatsError, match="confidence"):
        capability([1.0, 2.0], lsl=0, confidence=95)
    with pytest.raises(StatsError, match="unknown index"):
        capability([1.0, 2.0], lsl=0).interval("Cpz")


def test_anderson_darling_p_value_reproduces_the_published_critical_values():
    """D'Agostino & Stephens (eds.), Goodness-of-Fit Techniques (1986), Table 4.7, case 3 (mean and
    variance estimated), upper-tail points of A* = A^2 (1 + 0.75/n + 2.25/n^2): 0.631 (10%),
    0.752 (5%), 0.873 (2.5%), 1.035 (1%); the p-value formula of Table 4.9 returns those levels."""
    assert anderson_darling_p_value(0.631) == pytest.approx(0.10, abs=0.002)
    assert anderson_darling_p_value(0.752) == pytest.approx(0.05, abs=0.001)
    assert anderson_darling_p_value(0.873) == pytest.approx(0.025, abs=0.001)
    assert anderson_darling_p_value(1.035) == pytest.approx(0.01, abs=0.0005)


def test_anderson_darling_statistic_agrees_with_scipy():
    # scipy.stats.anderson (a well-known implementation) returns the same A^2.
    rng = np.random.default_rng(7)
    for values in (rng.normal(size=50), rng.exponential(size=200), np.ravel(PISTON_RINGS)):
        assert anderson_darling(values).statistic == pytest.approx(stats.anderson(values).statistic, rel=1e-9)
    assert anderson_darling(rng.exponential(size=200)).p_value < 0.001
    assert capability(np.ravel(PISTON_RINGS), lsl=73.95, usl=74.05).normality.is_normal()


def test_percentile_method_for_non_normal_data():
    """ISO 22514-2 / Clements (1989) quantile method: with a large normal sample it agrees with Pp
    and Ppk (the 0.135% and 99.865% quantiles are mean -+ 3 sigma)."""
    values = stats.norm.ppf((np.arange(1, 20001) - 0.5) / 20000, loc=10, scale=1)
    result = capability(values, lsl=6.0, usl=13.0)
    assert result.percentile["Pp"] == pytest.approx(result.pp, rel=0.01)
    assert result.percentile["Ppk"] == pytest.approx(result.ppk, rel=0.01)
    # Skewed data: the percentile Ppu is smaller than the normal-theory Ppu.
    skewed = stats.lognorm.ppf((np.arange(1, 5001) - 0.5) / 5000, s=0.5)
    skewed_result = capability(skewed, usl=5.0)
    assert skewed_result.percentile["Ppu"] < skewed_result.indices["Ppu"]
    small = capability(values[::400], lsl=6.0, usl=13.0)
    assert small.percentile == {} and "at least" in small.percentile_reason
