"""Control charts against published examples (sources cited per test)."""

import json

import numpy as np
import pytest

from qualitas.stats import StatsError, charts
from qualitas.stats.tests.data import (
    CIRCUIT_BOARDS,
    CUSUM_EWMA,
    MORTGAGE_COSTS,
    ORANGE_JUICE,
    PERSONAL_COMPUTERS,
    PISTON_RINGS,
)

# --- X-bar and R ----------------------------------------------------------------------------


def test_xbar_r_piston_rings_montgomery_example_6_1():
    """Montgomery, Introduction to SQC, 7th ed., Table 6.3 and Example 6.1 (Section 6.2.2):
    x== = 74.001, R- = 0.023 (sum of ranges 0.581), X-bar limits 73.988 / 74.014, R chart 0 / 0.049,
    sigma = R-/d2 = 0.0099 (the text rounds R- to 0.023 before dividing)."""
    result = charts.xbar_r(PISTON_RINGS)
    assert result.location.center == pytest.approx(74.001, abs=5e-4)
    assert result.dispersion.center == pytest.approx(0.581 / 25, abs=1e-9)
    # The text computes the limits from the rounded x== = 74.001 and R- = 0.023, so the exact
    # limits (73.98777, 74.01458) agree with the printed ones to 0.001.
    assert result.location.lcl == pytest.approx(73.988, abs=1e-3)
    assert result.location.ucl == pytest.approx(74.014, abs=1e-3)
    assert result.dispersion.lcl == 0.0
    assert round(result.dispersion.ucl, 3) == 0.049
    assert result.sigma == pytest.approx(0.0099, abs=1e-4)
    assert result.location.beyond_limits().size == 0
    assert result.dispersion.beyond_limits().size == 0


def test_xbar_r_phase_two_with_frozen_limits_from_a_baseline():
    # Montgomery 7th ed., Section 6.2.2: the trial limits of Example 6.1 are carried forward to
    # monitor new samples; here the same samples, shifted, are judged against the frozen limits.
    baseline = charts.xbar_r(PISTON_RINGS)
    shifted = (np.array(PISTON_RINGS) + 0.02).tolist()
    frozen = charts.xbar_r(shifted, baseline=baseline)
    assert frozen.location.center == baseline.location.center
    assert frozen.location.ucl == pytest.approx(baseline.location.ucl)
    assert frozen.location.beyond_limits().size > 10
    given = charts.xbar_r(shifted, center=baseline.location.center, sigma=baseline.sigma)
    assert given.location.ucl == pytest.approx(frozen.location.ucl)
    # Standards given (Section 6.2.5): R chart centred on d2 sigma with D1 sigma, D2 sigma limits.
    assert given.dispersion.center == pytest.approx(baseline.dispersion.center)


def test_xbar_r_exclude_keeps_points_but_drops_them_from_the_limits():
    full = charts.xbar_r(PISTON_RINGS)
    trimmed = charts.xbar_r(PISTON_RINGS, exclude=[0, 13])
    kept = [group for index, group in enumerate(PISTON_RINGS) if index not in (0, 13)]
    reference = charts.xbar_r(kept)
    assert trimmed.location.points.size == 25
    assert trimmed.location.excluded == (0, 13)
    assert trimmed.location.center == pytest.approx(reference.location.center)
    assert trimmed.sigma == pytest.approx(reference.sigma)
    assert trimmed.sigma != full.sigma


def test_xbar_r_rejects_bad_input():
    with pytest.raises(StatsError, match="at least 2 values"):
        charts.xbar_r([[1.0], [2.0], [3.0]])
    with pytest.raises(StatsError, match="equal size"):
        charts.xbar_r([[1.0, 2.0], [1.0, 2.0, 3.0]])
    with pytest.raises(StatsError, match="NaN"):
        charts.xbar_r([[1.0, float("nan")], [1.0, 2.0]])
    with pytest.raises(StatsError, match="infinite"):
        charts.xbar_r([[1.0, float("inf")], [1.0, 2.0]])
    with pytest.raises(StatsError, match="too few"):
        charts.xbar_r([[1.0, 2.0]])
    with pytest.raises(StatsError, match="too few"):
        charts.xbar_r([[1.0, 2.0], [2.0, 3.0]], exclude=[0])
    with pytest.raises(StatsError, match="out of range"):
        charts.xbar_r(PISTON_RINGS, exclude=[25])


def test_xbar_r_zero_variation_gives_collapsed_limits():
    result = charts.xbar_r([[5.0, 5.0, 5.0]] * 4)
    assert result.sigma == 0.0
    assert result.location.lcl == result.location.ucl == 5.0
    with pytest.raises(StatsError, match="greater than zero"):
        result.location.evaluate_rules()


# --- X-bar and S ----------------------------------------------------------------------------


def test_xbar_s_piston_rings_montgomery_example_6_3():
    """Montgomery 7th ed., Example 6.3 (Section 6.3.1): s- = 0.0094, X-bar limits 73.988 / 74.014,
    S chart 0 / 0.0196, sigma = s-/c4 = 0.0094/0.9400 = 0.01."""
    result = charts.xbar_s(PISTON_RINGS)
    assert round(result.dispersion.center, 4) == 0.0094
    assert result.location.lcl == pytest.approx(73.988, abs=1e-3)  # from rounded x== and s-
    assert result.location.ucl == pytest.approx(74.014, abs=1e-3)
    assert result.dispersion.lcl == 0.0
    assert round(result.dispersion.ucl, 4) == 0.0196
    assert result.sigma == pytest.approx(0.0100, abs=5e-5)


def test_xbar_s_unequal_subgroup_sizes_use_the_pooled_sigma():
    # Montgomery 7th ed., Section 6.3.2 (variable sample size), pooled estimate eq. 6.31.
    groups = [row[: 3 + index % 3] for index, row in enumerate(PISTON_RINGS)]
    result = charts.xbar_s(groups)
    sizes = np.array([len(group) for group in groups])
    variances = np.array([np.var(group, ddof=1) for group in groups])
    pooled = np.sqrt(np.sum((sizes - 1) * variances) / np.sum(sizes - 1))
    from qualitas.stats.constants import c4

    assert result.sigma == pytest.approx(pooled / c4(int(np.sum(sizes - 1)) + 1))
    assert isinstance(result.location.ucl, np.ndarray)
    assert result.location.ucl.shape == (25,)
    expected_ucl = result.location.center + 3 * result.sigma / np.sqrt(sizes)
    np.testing.assert_allclose(result.location.ucl, expected_ucl)
    grand = np.sum(sizes * np.array([np.mean(group) for group in groups])) / sizes.sum()
    assert result.location.center == pytest.approx(grand)


# --- individuals and moving range -----------------------------------------------------------


def test_imr_mortgage_costs_montgomery_example_6_5():
    """Montgomery 7th ed., Example 6.5 (Table 6.6): x- = 300.5, MR- = 7.79, individuals limits
    279.78 / 321.22, moving range UCL = 3.267 x 7.79 = 25.45."""
    result = charts.imr(MORTGAGE_COSTS)
    assert result.location.center == pytest.approx(300.5)
    assert round(result.dispersion.center, 2) == 7.79
    assert round(result.location.lcl, 2) == 279.79  # the text's 279.78 uses MR- rounded to 7.79
    assert result.location.lcl == pytest.approx(279.78, abs=0.015)
    assert result.location.ucl == pytest.approx(321.22, abs=0.015)
    assert result.dispersion.ucl == pytest.approx(25.45, abs=0.01)  # 3.267 x the rounded 7.79
    assert result.dispersion.lcl == 0.0
    assert result.dispersion.positions[0] == 1
    assert result.dispersion.points.size == len(MORTGAGE_COSTS) - 1


def test_imr_needs_two_values():
    with pytest.raises(StatsError, match="at least 2"):
        charts.imr([1.0])


# --- attributes charts ----------------------------------------------------------------------


def test_p_chart_orange_juice_montgomery_example_7_1():
    """Montgomery 7th ed., Example 7.1 (Table 7.1): p- = 0.2313, UCL = 0.4102, LCL = 0.0524;
    revised limits without samples 15 and 23: p- = 0.2150, UCL = 0.3893, LCL = 0.0407."""
    trial = charts.p_chart(ORANGE_JUICE, 50)
    assert round(trial.center, 4) == 0.2313
    assert round(trial.ucl, 4) == 0.4102
    assert round(trial.lcl, 4) == 0.0524
    assert trial.beyond_limits().tolist() == [14, 22]
    revised = charts.p_chart(ORANGE_JUICE, 50, exclude=[14, 22])
    assert round(revised.center, 4) == 0.2150
    assert round(revised.ucl, 4) == 0.3893
    assert round(revised.lcl, 4) == 0.0407
    assert revised.points.size == 30


def test_p_chart_variable_sample_sizes_give_per_point_limits():
    # Montgomery 7th ed., Section 7.2.2: limits p- +- 3 sqrt(p-(1-p-)/n_i) for each sample.
    sizes = [100, 80, 80, 100, 110, 110, 100, 100, 90, 90]
    defectives = [12, 8, 6, 9, 10, 12, 11, 16, 10, 6]
    result = charts.p_chart(defectives, sizes)
    p_bar = sum(defectives) / sum(sizes)
    assert result.center == pytest.approx(p_bar)
    np.testing.assert_allclose(result.ucl, p_bar + 3 * np.sqrt(p_bar * (1 - p_bar) / np.array(sizes)))


def test_np_chart_orange_juice_montgomery_section_7_2_3():
    """Montgomery 7th ed., Section 7.2.3 (np chart of the Example 7.1 data): center 11.57,
    UCL 20.51, LCL 2.62."""
    result = charts.np_chart(ORANGE_JUICE, 50)
    assert round(result.center, 2) == 11.57
    assert round(result.ucl, 2) == 20.51
    assert round(result.lcl, 2) == 2.62


def test_c_chart_circuit_boards_montgomery_example_7_3():
    """Montgomery 7th ed., Example 7.3 (Table 7.7): c- = 19.85, UCL 33.22, LCL 6.48; samples 6 and
    20 are out of control; revised without them: c- = 19.67, UCL 32.97, LCL 6.36."""
    trial = charts.c_chart(CIRCUIT_BOARDS)
    assert round(trial.center, 2) == 19.85
    assert round(trial.ucl, 2) == 33.21  # 19.846 + 3 sqrt(19.846); the text rounds c- first
    assert trial.ucl == pytest.approx(33.22, abs=0.015)
    assert round(trial.lcl, 2) == 6.48
    assert trial.beyond_limits().tolist() == [5, 19]
    revised = charts.c_chart(CIRCUIT_BOARDS, exclude=[5, 19])
    assert round(revised.center, 2) == 19.67
    assert round(revised.ucl, 2) == 32.97
    assert round(revised.lcl, 2) == 6.36


def test_u_chart_personal_computers_montgomery_example_7_5():
    """Montgomery 7th ed., Example 7.5 (Table 7.10): u- = 1.93, UCL = 3.79, LCL = 0.07."""
    result = charts.u_chart(PERSONAL_COMPUTERS, 5)
    assert round(result.center, 2) == 1.93
    assert round(result.ucl, 2) == 3.79
    assert round(result.lcl, 2) == 0.07


def test_attribute_charts_reject_bad_input():
    with pytest.raises(StatsError, match="exceed"):
        charts.p_chart([60], 50)
    with pytest.raises(StatsError, match="negative"):
        charts.c_chart([1, -2, 3])
    with pytest.raises(StatsError, match="greater than zero"):
        charts.u_chart([1, 2], [1, 0])
    with pytest.raises(StatsError, match="2 values for 3"):
        charts.p_chart([1, 2, 3], [10, 10])


def test_attribute_chart_baseline_freezes_the_center():
    baseline = charts.c_chart(CIRCUIT_BOARDS, exclude=[5, 19])
    new = charts.c_chart([20, 25, 40], baseline=baseline)
    assert new.center == baseline.center
    assert new.beyond_limits().tolist() == [2]
    assert charts.np_chart([5, 6], 50, center=10).parameters["p"] == pytest.approx(0.2)


# --- CUSUM and EWMA -------------------------------------------------------------------------


def test_tabular_cusum_montgomery_example_9_1():
    """Montgomery 7th ed., Example 9.1 and Table 9.2 (mu0 = 10, sigma = 1, k = 0.5, h = 5):
    C+ for periods 1-29 as tabulated, first signal at period 29 with C+ = 5.28 and N+ = 7."""
    published_upper = [0.00, 0.00, 0.00, 1.16, 2.82, 2.50, 0.04, 1.00, 0.00, 0.00, 0.00, 0.97, 0.98, 0.00, 0.00,
                       0.00, 0.12, 0.00, 0.00, 0.34, 0.74, 0.00, 1.79, 2.79, 2.89, 3.47, 3.35, 4.47, 5.28]  # fmt: skip
    result = charts.cusum(CUSUM_EWMA, k=0.5, h=5, target=10, sigma=1)
    np.testing.assert_allclose(result.upper[:29], published_upper, atol=0.006)
    assert result.lower[0] == pytest.approx(0.05)
    assert result.lower[1] == pytest.approx(1.56)
    assert result.lower[2] == pytest.approx(1.77)
    assert result.beyond_limits()[0] == 28
    assert result.upper_run[28] == 7
    assert result.ucl == 5.0 and result.lcl == -5.0
    np.testing.assert_allclose(result.lower_points, -result.lower)


def test_ewma_montgomery_example_9_2():
    """Montgomery 7th ed., Example 9.2 and Table 9.11 (lam = 0.1, L = 2.7, mu0 = 10, sigma = 1):
    z1 = 9.945, z2 = 9.7495; limits 10.27/9.73 at period 1, 10.36/9.64 at period 2; the EWMA
    signals at periods 29 and 30."""
    result = charts.ewma(CUSUM_EWMA, lam=0.1, L=2.7, target=10, sigma=1)
    assert result.points[0] == pytest.approx(9.945)
    assert result.points[1] == pytest.approx(9.7495)
    assert round(result.ucl[0], 2) == 10.27 and round(result.lcl[0], 2) == 9.73
    assert round(result.ucl[1], 2) == 10.36 and round(result.lcl[1], 2) == 9.64
    assert result.beyond_limits().tolist() == [28, 29]


def test_ewma_nist_handbook_example():
    """NIST/SEMATECH e-Handbook of Statistical Methods, 6.3.2.4 ("EWMA Control Charts"), example:
    EWMA0 = 50, s = 2.0539, lambda = 0.3, k = 3: UCL = 52.5884, LCL = 47.4115 (asymptotic), and the
    EWMA statistics 50.60, 49.52, ... 51.99 of the 20 listed points."""
    data = [52.0, 47.0, 53.0, 49.3, 50.1, 47.0, 51.0, 50.1, 51.2, 50.5,
            49.6, 47.6, 49.9, 51.3, 47.8, 51.2, 52.6, 52.4, 53.6, 52.1]  # fmt: skip
    published = [50.60, 49.52, 50.56, 50.18, 50.16, 49.21, 49.75, 49.85, 50.26, 50.33,
                 50.11, 49.36, 49.52, 50.05, 49.38, 49.92, 50.73, 51.23, 51.94, 51.99]  # fmt: skip
    result = charts.ewma(data, lam=0.3, L=3, target=50, sigma=2.0539)
    np.testing.assert_allclose(result.points, published, atol=0.006)
    assert result.ucl[-1] == pytest.approx(52.5884, abs=1e-4)
    assert result.lcl[-1] == pytest.approx(47.4115, abs=2e-4)
    assert result.beyond_limits().size == 0


def test_ewma_and_cusum_estimate_target_and_sigma_from_the_data_or_a_baseline():
    individuals = charts.imr(CUSUM_EWMA[:20])
    from_baseline = charts.ewma(CUSUM_EWMA, baseline=individuals)
    assert from_baseline.center == pytest.approx(np.mean(CUSUM_EWMA[:20]))
    assert from_baseline.sigma == pytest.approx(individuals.sigma)
    estimated = charts.cusum(CUSUM_EWMA[:20])
    assert estimated.sigma == pytest.approx(individuals.sigma)
    with pytest.raises(StatsError, match="lam"):
        charts.ewma(CUSUM_EWMA, lam=1.5)


def test_results_serialise_to_json():
    for result in (charts.xbar_r(PISTON_RINGS), charts.c_chart(CIRCUIT_BOARDS), charts.cusum(CUSUM_EWMA)):
        json.dumps(result.to_dict())


def test_evaluate_rules_on_a_chart_uses_the_point_sigma():
    result = charts.c_chart(CIRCUIT_BOARDS)
    flagged = result.evaluate_rules("western_electric")
    assert flagged["WE1"] == [5, 19]
