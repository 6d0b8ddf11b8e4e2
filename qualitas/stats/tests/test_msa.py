"""Measurement system analysis against the AIAG MSA manual and the kappa literature."""

import json

import numpy as np
import pytest

from qualitas.stats import StatsError
from qualitas.stats.msa import attribute_agreement, cohen_kappa, fleiss_kappa, gage_rr, type1_gage
from qualitas.stats.tests.data import AIAG_GAGE_STUDY


def long_format(study):
    measurements, parts, operators = [], [], []
    for operator, trials in study.items():
        for trial in trials:
            for part, value in enumerate(trial, start=1):
                measurements.append(value)
                parts.append(part)
                operators.append(operator)
    return measurements, parts, operators


def test_average_and_range_method_aiag_msa_4th_edition():
    """AIAG MSA 4th ed. (2010), Chapter III Section B, Gage Repeatability and Reproducibility
    Report (Figure III-B 15): R== = 0.3417, X-diff = 0.4447, Rp = 3.511, EV = 0.20188,
    AV = 0.22963, GRR = 0.30575, PV = 1.10456, TV = 1.14610; %EV 17.62, %AV 20.04, %GRR 26.68,
    %PV 96.38; ndc = 5. The manual multiplies by the 4-decimal constants K1 = 0.5908,
    K2 = 0.5231, K3 = 0.3146, hence agreement to about 1e-4."""
    result = gage_rr(*long_format(AIAG_GAGE_STUDY), method="average_range")
    assert round(result.details["R_bar_bar"], 4) == 0.3417
    assert round(result.details["X_diff"], 4) == 0.4447
    assert round(result.details["R_p"], 3) == 3.511
    assert round(result.details["K1"], 4) == 0.5908
    assert round(result.details["K2"], 4) == 0.5231
    assert round(result.details["K3"], 4) == 0.3146
    assert result.ev == pytest.approx(0.20188, abs=5e-5)
    assert result.av == pytest.approx(0.22963, abs=1e-4)
    assert result.grr == pytest.approx(0.30575, abs=1e-4)
    assert result.pv == pytest.approx(1.10456, abs=2e-4)
    assert result.tv == pytest.approx(1.14610, abs=2e-4)
    assert result.percent_study["EV"] == pytest.approx(17.62, abs=0.02)
    assert result.percent_study["AV"] == pytest.approx(20.04, abs=0.02)
    assert result.percent_study["GRR"] == pytest.approx(26.68, abs=0.02)
    assert result.percent_study["PV"] == pytest.approx(96.38, abs=0.02)
    assert result.ndc == 5
    assert result.components["interaction"] is None


def test_anova_method_aiag_msa_4th_edition():
    """AIAG MSA 4th ed., Chapter III Section B, ANOVA tables (Tables III-B 7 and 8) for the same
    study, also Minitab's published crossed gage R&R output for it: SS appraiser 3.1673, parts
    88.3619, interaction 0.3590 (p = 0.974, pooled), equipment 2.7589, total 94.6471; variance
    components repeatability 0.039973, reproducibility 0.051455, part 1.086446; %study GRR 27.86;
    ndc = 4."""
    result = gage_rr(*long_format(AIAG_GAGE_STUDY), method="anova")
    table = result.anova
    assert round(table["operator"]["ss"], 4) == 3.1673
    assert round(table["part"]["ss"], 4) == 88.3619
    assert round(table["interaction (full model)"]["ss"], 4) == 0.3590
    assert round(table["total"]["ss"], 4) == 94.6471
    assert round(table["repeatability"]["ss"] - table["interaction (full model)"]["ss"], 4) == 2.7589
    assert round(result.interaction_p_value, 3) == 0.974
    assert result.interaction_pooled is True
    assert result.ev**2 == pytest.approx(0.039973, abs=1e-6)
    assert result.av**2 == pytest.approx(0.051455, abs=2e-6)
    assert result.pv**2 == pytest.approx(1.086446, abs=2e-6)
    assert result.components["interaction"] == 0.0
    assert round(result.percent_study["GRR"], 2) == 27.86
    assert round(result.percent_contribution["GRR"], 2) == 7.76
    assert result.ndc == 4
    json.dumps(result.to_dict())


def test_percent_of_tolerance_uses_six_sigma():
    result = gage_rr(*long_format(AIAG_GAGE_STUDY), method="anova", tolerance=5.0)
    assert result.percent_tolerance["GRR"] == pytest.approx(100 * 6 * result.grr / 5.0)
    old = gage_rr(*long_format(AIAG_GAGE_STUDY), method="anova", tolerance=5.0, study_multiplier=5.15)
    assert old.percent_tolerance["GRR"] == pytest.approx(100 * 5.15 * result.grr / 5.0)


def test_significant_interaction_is_kept():
    # Montgomery, 7th ed., Section 8.7.2: with the interaction in the model,
    # sigma^2_interaction = (MS_PO - MS_E) / r and sigma^2_operator = (MS_O - MS_PO) / (p r).
    rng = np.random.default_rng(3)
    parts, operators, trials = 6, 3, 3
    effects = rng.normal(0, 2.0, (parts, operators))
    data = (
        10
        + np.arange(parts)[:, None, None]
        + effects[:, :, None]
        + rng.normal(0, 0.1, (parts, operators, trials))
    )
    values = data.ravel().tolist()
    part_labels = np.repeat(np.arange(parts), operators * trials).tolist()
    operator_labels = np.tile(np.repeat(["A", "B", "C"], trials), parts).tolist()
    result = gage_rr(values, part_labels, operator_labels)
    assert result.interaction_pooled is False
    ms = {row: result.anova[row]["ms"] for row in ("part", "operator", "interaction", "repeatability")}
    assert result.ev**2 == pytest.approx(ms["repeatability"])
    assert result.components["interaction"] ** 2 == pytest.approx(
        (ms["interaction"] - ms["repeatability"]) / trials
    )
    assert result.av**2 == pytest.approx(max((ms["operator"] - ms["interaction"]) / (parts * trials), 0.0))
    assert result.grr**2 == pytest.approx(result.ev**2 + result.av**2 + result.components["interaction"] ** 2)


def test_gage_rr_rejects_bad_designs():
    measurements, parts, operators = long_format(AIAG_GAGE_STUDY)
    with pytest.raises(StatsError, match="balanced"):
        gage_rr(measurements[:-1], parts[:-1], operators[:-1])
    with pytest.raises(StatsError, match="same length"):
        gage_rr(measurements, parts[:-1], operators)
    with pytest.raises(StatsError, match="at least twice"):
        gage_rr([1.0, 2.0, 3.0, 4.0], [1, 2, 1, 2], ["A", "A", "B", "B"])
    with pytest.raises(StatsError, match="method"):
        gage_rr(measurements, parts, operators, method="ranges")


def test_type1_gage_bosch_formulas():
    """Bosch Booklet No. 10 (2010), type 1 study: Cg = 0.2 T / (6 s),
    Cgk = (0.1 T - |x- - x_m|) / (3 s); here worked by hand for T = 0.1, x_m = 10.000."""
    readings = [10.002, 9.998, 10.001, 10.000, 9.999, 10.003, 9.997, 10.001, 10.000, 9.999,
                10.002, 10.001, 9.998, 10.000, 10.001, 10.000, 9.999, 10.002, 10.001, 10.000]  # fmt: skip
    mean = sum(readings) / 20
    s = (sum((x - mean) ** 2 for x in readings) / 19) ** 0.5
    result = type1_gage(readings, reference=10.000, tolerance=0.1)
    assert result.cg == pytest.approx(0.2 * 0.1 / (6 * s))
    assert result.cgk == pytest.approx((0.1 * 0.1 - abs(mean - 10.0)) / (3 * s))
    assert result.bias == pytest.approx(mean - 10.0)
    assert result.percent_repeatability == pytest.approx(20 / result.cg)
    assert 0 < result.bias_p_value <= 1
    flat = type1_gage([1.0, 1.0, 1.0], reference=1.0, tolerance=0.1)
    assert flat.cg is None and "zero variation" in flat.reason


def test_cohen_kappa_worked_example():
    """Cohen (1960) kappa; worked example of the Wikipedia article "Cohen's kappa": 50 proposals,
    both yes 20, A yes / B no 5, A no / B yes 10, both no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    rater_a = ["yes"] * 25 + ["no"] * 25
    rater_b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(rater_a, rater_b) == pytest.approx(0.4)
    assert cohen_kappa(["a", "a"], ["a", "a"]) is None


def test_fleiss_kappa_worked_example():
    """Fleiss (1971) kappa; worked example of the Wikipedia article "Fleiss' kappa": 10 subjects,
    14 raters, 5 categories: P- = 0.378, P-_e = 0.213, kappa = 0.210."""
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert round(fleiss_kappa(table), 3) == 0.210
    with pytest.raises(StatsError, match="same number of raters"):
        fleiss_kappa([[1, 2], [1, 1]])


def test_attribute_agreement_between_appraisers_and_reference():
    reference = ["ok", "ok", "nok", "ok", "nok", "ok", "nok", "nok", "ok", "ok"]
    ratings = {
        "A": list(reference),
        "B": ["ok", "ok", "nok", "ok", "ok", "ok", "nok", "nok", "ok", "ok"],
        "C": ["ok", "nok", "nok", "ok", "nok", "ok", "nok", "ok", "ok", "ok"],
    }
    study = attribute_agreement(ratings, reference)
    assert study.versus_reference["A"] == pytest.approx(1.0)
    assert study.between["A*B"] == pytest.approx(cohen_kappa(ratings["A"], ratings["B"]))
    assert study.percent_agreement["B"] == pytest.approx(90.0)
    assert study.percent_agreement["all"] == pytest.approx(70.0)
    assert 0 < study.fleiss < 1
