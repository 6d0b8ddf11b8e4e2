"""Measurement system analysis: gage R&R, type 1 gage study, attribute agreement (kappa).

References
    AIAG, *Measurement Systems Analysis Reference Manual*, 4th ed., 2010, Chapter III Section B
    (average-and-range method and ANOVA method) and Section C (attribute study, kappa).
    Montgomery, *Introduction to Statistical Quality Control*, 7th ed., Section 8.7.
    Robert Bosch GmbH, *Booklet No. 10: Capability of Measurement and Test Processes*, 2010
    (type 1 study, Cg and Cgk).
    Cohen, J., "A coefficient of agreement for nominal scales", *Educational and Psychological
    Measurement* 20, 1960, pp. 37-46. Fleiss, J. L., "Measuring nominal scale agreement among many
    raters", *Psychological Bulletin* 76(5), 1971, pp. 378-382.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, cast

import numpy as np
from scipy import stats

from qualitas.stats._validation import finite_number, finite_vector, positive_number
from qualitas.stats.constants import d2, d2_star
from qualitas.stats.errors import StatsError

__all__ = [
    "AttributeAgreement",
    "GageRRResult",
    "Type1GageResult",
    "attribute_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "gage_rr",
    "type1_gage",
]

# Pool the part x operator interaction into repeatability when its p-value exceeds this level.
# 0.25 is the conventional "sometimes pool" level for preliminary tests (Bancroft 1964; Montgomery,
# *Design and Analysis of Experiments*, 8th ed., Section 13.2.4, and Minitab's long-standing
# default "alpha to remove interaction term" for crossed gage R&R). AIAG MSA 4th ed. pools a
# non-significant interaction without fixing a level.
INTERACTION_ALPHA = 0.25
NDC_FACTOR = 1.41  # AIAG MSA 4th ed.: ndc = 1.41 (PV / GRR), truncated to an integer

COMPONENTS = ("EV", "AV", "interaction", "GRR", "PV", "TV")


@dataclass(frozen=True)
class GageRRResult:
    """Gage R&R components as standard deviations, with percentages and ndc.

    ``components`` maps EV, AV, interaction, GRR, PV and TV to standard deviations (interaction
    is None for the average-and-range method). ``percent_study`` is 100 x component / TV,
    ``percent_contribution`` 100 x variance / TV^2 and ``percent_tolerance`` 100 x multiplier x
    component / tolerance (None without a tolerance).
    """

    method: str
    parts: int
    operators: int
    trials: int
    components: dict[str, float | None]
    percent_study: dict[str, float | None]
    percent_contribution: dict[str, float | None]
    percent_tolerance: dict[str, float | None] | None
    ndc: int
    ndc_exact: float | None
    tolerance: float | None
    study_multiplier: float
    interaction_pooled: bool | None = None
    interaction_p_value: float | None = None
    anova: dict[str, dict[str, float | None]] | None = None
    details: dict[str, float] = field(default_factory=dict)

    @property
    def ev(self) -> float:
        return cast(float, self.components["EV"])

    @property
    def av(self) -> float:
        return cast(float, self.components["AV"])

    @property
    def interaction(self) -> float | None:
        return self.components["interaction"]

    @property
    def grr(self) -> float:
        return cast(float, self.components["GRR"])

    @property
    def pv(self) -> float:
        return cast(float, self.components["PV"])

    @property
    def tv(self) -> float:
        return cast(float, self.components["TV"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "parts": self.parts,
            "operators": self.operators,
            "trials": self.trials,
            "components": dict(self.components),
            "percent_study": dict(self.percent_study),
            "percent_contribution": dict(self.percent_contribution),
            "percent_tolerance": None if self.percent_tolerance is None else dict(self.percent_tolerance),
            "ndc": self.ndc,
            "ndc_exact": self.ndc_exact,
            "tolerance": self.tolerance,
            "study_multiplier": self.study_multiplier,
            "interaction_pooled": self.interaction_pooled,
            "interaction_p_value": self.interaction_p_value,
            "anova": self.anova,
            "details": dict(self.details),
        }


def _crossed_design(measurements, parts, operators) -> tuple[np.ndarray, list, list]:
    """Arrange long-format data as an array [part, operator, trial] of a balanced crossed study."""
    values = finite_vector(measurements, "measurements")
    parts = list(parts)
    operators = list(operators)
    if not len(parts) == len(operators) == values.size:
        raise StatsError(
            f"measurements, parts and operators must have the same length, got "
            f"{values.size}, {len(parts)} and {len(operators)}"
        )
    part_labels = list(dict.fromkeys(parts))
    operator_labels = list(dict.fromkeys(operators))
    cells: dict[tuple[Hashable, Hashable], list[float]] = {}
    for value, part, operator in zip(values, parts, operators, strict=True):
        cells.setdefault((part, operator), []).append(float(value))
    trials = {len(cells.get((part, operator), [])) for part in part_labels for operator in operator_labels}
    if len(trials) != 1 or 0 in trials:
        raise StatsError(
            "the study must be a balanced crossed design: every operator measures every part the same "
            f"number of times (found trial counts {sorted(trials)})"
        )
    r = trials.pop()
    if r < 2:
        raise StatsError("each operator must measure each part at least twice")
    if len(part_labels) < 2:
        raise StatsError("the study needs at least 2 parts")
    data = np.array([[cells[(part, operator)] for operator in operator_labels] for part in part_labels])
    return data, part_labels, operator_labels


def gage_rr(
    measurements,
    parts,
    operators,
    method: str = "anova",
    tolerance: float | None = None,
    *,
    study_multiplier: float = 6.0,
    interaction_alpha: float = INTERACTION_ALPHA,
) -> GageRRResult:
    """Crossed gage R&R study (every operator measures every part r >= 2 times).

    ``measurements``, ``parts`` and ``operators`` are parallel sequences (one row per reading).

    ANOVA method (AIAG MSA 4th ed., Chapter III Section B, "Analysis of Variance (ANOVA) Method";
    Montgomery 7th ed., Section 8.7.2), two-factor random-effects model with p parts, o operators
    and r trials::

        MS_P, MS_O, MS_PO, MS_E from the two-way ANOVA with interaction
        interaction kept (p-value of F = MS_PO / MS_E <= interaction_alpha):
            EV^2 = MS_E,  INT^2 = (MS_PO - MS_E) / r,
            AV^2 = (MS_O - MS_PO) / (p r),  PV^2 = (MS_P - MS_PO) / (o r)
        interaction pooled (p-value > interaction_alpha):
            MS_E' = (SS_PO + SS_E) / (df_PO + df_E),  EV^2 = MS_E',  INT = 0,
            AV^2 = (MS_O - MS_E') / (p r),  PV^2 = (MS_P - MS_E') / (o r)
        negative variance estimates are set to 0.

    Average-and-range method (AIAG MSA 4th ed., Chapter III Section B, Figures III-B 6 and
    III-B 15)::

        EV = R== K1,  K1 = 1 / d2(r)
        AV = sqrt( (X-diff K2)^2 - EV^2 / (p r) ),  K2 = 1 / d2*(o, 1)   (0 if negative)
        PV = R_p K3,  K3 = 1 / d2*(p, 1)
        (the AIAG constants K1 = 0.5908, K2 = 0.5231, K3 = 0.3146 for r = 3, o = 3, p = 10)

    Both: GRR = sqrt(EV^2 + AV^2 + INT^2), TV = sqrt(GRR^2 + PV^2), %study = 100 x / TV,
    %tolerance = 100 study_multiplier x / tolerance (AIAG uses 6; older editions 5.15),
    ndc = 1.41 PV / GRR truncated to an integer.
    """
    data, part_labels, operator_labels = _crossed_design(measurements, parts, operators)
    p, o, r = data.shape
    multiplier = positive_number(study_multiplier, "study_multiplier")
    if tolerance is not None:
        tolerance = positive_number(tolerance, "tolerance")
    alpha = finite_number(interaction_alpha, "interaction_alpha")
    anova_table = None
    pooled = None
    interaction_p = None
    details: dict[str, float] = {}
    if method == "anova":
        (ev2, av2, int2, pv2), anova_table, pooled, interaction_p = _anova_components(data, alpha)
        interaction: float | None = math.sqrt(int2)
    elif method == "average_range":
        ev2, av2, pv2, details = _average_range_components(data)
        interaction = None
    else:
        raise StatsError(f"unknown gage R&R method {method!r}; choose 'anova' or 'average_range'")
    ev, av, pv = math.sqrt(ev2), math.sqrt(av2), math.sqrt(pv2)
    grr = math.sqrt(ev2 + av2 + (interaction or 0.0) ** 2)
    tv = math.sqrt(grr * grr + pv2)
    components: dict[str, float | None] = {
        "EV": ev,
        "AV": av,
        "interaction": interaction,
        "GRR": grr,
        "PV": pv,
        "TV": tv,
    }

    def share(value, total, scale=1.0, power=1):
        if value is None or total == 0:
            return None
        return 100.0 * scale * value**power / total**power

    percent_study = {key: share(value, tv) for key, value in components.items()}
    percent_contribution = {key: share(value, tv, power=2) for key, value in components.items()}
    percent_tolerance = None
    if tolerance is not None:
        percent_tolerance = {key: share(value, tolerance, multiplier) for key, value in components.items()}
    if grr > 0:
        ndc_exact = NDC_FACTOR * pv / grr
        ndc = int(math.floor(ndc_exact))
    else:
        ndc_exact, ndc = None, 0
    return GageRRResult(
        method=method,
        parts=p,
        operators=o,
        trials=r,
        components=components,
        percent_study=percent_study,
        percent_contribution=percent_contribution,
        percent_tolerance=percent_tolerance,
        ndc=ndc,
        ndc_exact=ndc_exact,
        tolerance=tolerance,
        study_multiplier=multiplier,
        interaction_pooled=pooled,
        interaction_p_value=interaction_p,
        anova=anova_table,
        details=details,
    )


def _anova_components(data: np.ndarray, alpha: float):
    p, o, r = data.shape
    grand = data.mean()
    part_means = data.mean(axis=(1, 2))
    operator_means = data.mean(axis=(0, 2))
    cell_means = data.mean(axis=2)
    ss_part = o * r * float(((part_means - grand) ** 2).sum())
    ss_operator = p * r * float(((operator_means - grand) ** 2).sum())
    ss_cells = r * float(((cell_means - grand) ** 2).sum())
    ss_interaction = ss_cells - ss_part - ss_operator
    ss_error = float(((data - cell_means[:, :, None]) ** 2).sum())
    ss_total = float(((data - grand) ** 2).sum())
    df_part, df_operator = p - 1, o - 1
    df_interaction, df_error = df_part * df_operator, p * o * (r - 1)
    ms_part = ss_part / df_part
    ms_operator = ss_operator / df_operator if df_operator else 0.0
    ms_interaction = ss_interaction / df_interaction if df_interaction else 0.0
    ms_error = ss_error / df_error
    interaction_p = None
    if df_interaction and ms_error > 0:
        interaction_p = float(stats.f.sf(ms_interaction / ms_error, df_interaction, df_error))
    elif df_interaction:
        interaction_p = 0.0 if ms_interaction > 0 else 1.0
    pooled = df_interaction == 0 or (interaction_p is not None and interaction_p > alpha)
    table: dict[str, dict[str, float | None]] = {}
    if pooled:
        ms_residual = (ss_interaction + ss_error) / (df_interaction + df_error)
        ev2 = ms_residual
        int2 = 0.0
        av2 = max((ms_operator - ms_residual) / (p * r), 0.0) if df_operator else 0.0
        pv2 = max((ms_part - ms_residual) / (o * r), 0.0)
        denominator = ms_residual
        table["repeatability"] = _row(df_interaction + df_error, ss_interaction + ss_error, None, None)
    else:
        ev2 = ms_error
        int2 = max((ms_interaction - ms_error) / r, 0.0)
        av2 = max((ms_operator - ms_interaction) / (p * r), 0.0) if df_operator else 0.0
        pv2 = max((ms_part - ms_interaction) / (o * r), 0.0)
        denominator = ms_interaction
        table["interaction"] = _row(df_interaction, ss_interaction, ms_error, (df_interaction, df_error))
        table["repeatability"] = _row(df_error, ss_error, None, None)
    table["part"] = _row(
        df_part, ss_part, denominator, (df_part, df_interaction if not pooled else df_interaction + df_error)
    )
    if df_operator:
        table["operator"] = _row(
            df_operator,
            ss_operator,
            denominator,
            (df_operator, df_interaction if not pooled else df_interaction + df_error),
        )
    table["interaction (full model)"] = _row(
        df_interaction, ss_interaction, ms_error, (df_interaction, df_error)
    )
    table["total"] = _row(p * o * r - 1, ss_total, None, None)
    return (ev2, av2, int2, pv2), table, pooled, interaction_p


def _row(df, ss, denominator, freedoms) -> dict[str, float | None]:
    ms = ss / df if df else None
    f_value = p_value = None
    if ms is not None and denominator:
        f_value = ms / denominator
        p_value = float(stats.f.sf(f_value, *freedoms))
    return {"df": float(df), "ss": float(ss), "ms": ms, "f": f_value, "p": p_value}


def _average_range_components(data: np.ndarray):
    p, o, r = data.shape
    ranges = data.max(axis=2) - data.min(axis=2)  # [part, operator]
    mean_range = float(ranges.mean(axis=0).mean())  # R== = mean of the appraisers' R-
    operator_means = data.mean(axis=(0, 2))
    part_means = data.mean(axis=(1, 2))
    x_diff = float(operator_means.max() - operator_means.min())
    part_range = float(part_means.max() - part_means.min())
    k1 = 1.0 / d2(r)
    k2 = 1.0 / d2_star(o, 1) if o > 1 else 0.0
    k3 = 1.0 / d2_star(p, 1)
    ev = mean_range * k1
    av2 = max((x_diff * k2) ** 2 - ev * ev / (p * r), 0.0)
    pv = part_range * k3
    details = {
        "R_bar_bar": mean_range,
        "X_diff": x_diff,
        "R_p": part_range,
        "K1": k1,
        "K2": k2,
        "K3": k3,
    }
    return ev * ev, av2, pv * pv, details


# --- type 1 gage study ----------------------------------------------------------------------


@dataclass(frozen=True)
class Type1GageResult:
    n: int
    mean: float
    std: float
    reference: float
    tolerance: float
    bias: float
    bias_t: float | None
    bias_p_value: float | None
    cg: float | None
    cgk: float | None
    percent_repeatability: float | None
    percent_repeatability_bias: float | None
    reason: str | None = None


def type1_gage(
    values, reference, tolerance, *, k_percent: float = 20.0, spread: float = 6.0
) -> Type1GageResult:
    """Type 1 gage study: repeated measurements of one reference part.

    Bosch Booklet No. 10 (2010), Section 4.1; Minitab "Type 1 Gage Study" (same defaults)::

        Cg  = (K/100 x T) / (L x s)                     K = 20 %, L = 6 (``spread``)
        Cgk = (K/200 x T - |mean - reference|) / (L/2 x s)
        bias = mean - reference,  t = bias / (s / sqrt(n)), two-sided p from t with n - 1 df
        %Var(repeatability) = K / Cg,  %Var(repeatability and bias) = K / Cgk

    Capable when Cg >= 1.33 and Cgk >= 1.33 (Bosch). Zero spread gives None with a reason.
    """
    data = finite_vector(values, "values", minimum=2)
    reference = finite_number(reference, "reference")
    tolerance = positive_number(tolerance, "tolerance")
    k = positive_number(k_percent, "k_percent")
    spread = positive_number(spread, "spread")
    n = data.size
    mean = float(data.mean())
    std = float(data.std(ddof=1))
    bias = mean - reference
    if std == 0:
        return Type1GageResult(
            n, mean, 0.0, reference, tolerance, bias, None, None, None, None, None, None,
            reason="zero variation: every reading is equal, so Cg and Cgk are undefined",
        )  # fmt: skip
    t = bias / (std / math.sqrt(n))
    p_value = float(2 * stats.t.sf(abs(t), n - 1))
    cg = (k / 100.0 * tolerance) / (spread * std)
    cgk = (k / 200.0 * tolerance - abs(bias)) / (spread / 2.0 * std)
    return Type1GageResult(
        n=n,
        mean=mean,
        std=std,
        reference=reference,
        tolerance=tolerance,
        bias=bias,
        bias_t=float(t),
        bias_p_value=p_value,
        cg=cg,
        cgk=cgk,
        percent_repeatability=k / cg,
        percent_repeatability_bias=k / cgk if cgk > 0 else None,
    )


# --- attribute agreement --------------------------------------------------------------------


def cohen_kappa(rater_a: Sequence[Hashable], rater_b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa for two raters of the same items (Cohen 1960).

    kappa = (p_o - p_e) / (1 - p_e), p_o the observed agreement, p_e = sum_k p_a(k) p_b(k).
    None when p_e = 1 (both raters used a single, identical category: kappa is undefined).
    """
    a, b = list(rater_a), list(rater_b)
    if len(a) != len(b):
        raise StatsError(f"both raters must rate the same items, got {len(a)} and {len(b)} ratings")
    if not a:
        raise StatsError("no ratings given")
    n = len(a)
    categories = list(dict.fromkeys([*a, *b]))
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    expected = sum((a.count(category) / n) * (b.count(category) / n) for category in categories)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def fleiss_kappa(counts) -> float | None:
    """Fleiss' kappa from a subjects x categories table of rating counts (Fleiss 1971).

    Every row must sum to the same number of raters m >= 2::

        P_i = (sum_j n_ij^2 - m) / (m (m - 1)),  P- = mean P_i
        p_j = sum_i n_ij / (N m),  P-_e = sum_j p_j^2,  kappa = (P- - P-_e) / (1 - P-_e)

    None when P-_e = 1 (every rating in one category).
    """
    table = np.asarray(counts, dtype=np.float64)
    if table.ndim != 2 or table.shape[0] < 1 or table.shape[1] < 1:
        raise StatsError("counts must be a table: one row per subject, one column per category")
    if not np.isfinite(table).all() or (table < 0).any() or (table != np.round(table)).any():
        raise StatsError("counts must be non-negative whole numbers")
    raters = table.sum(axis=1)
    if not np.all(raters == raters[0]) or raters[0] < 2:
        raise StatsError("every subject must be rated by the same number of raters, at least 2")
    m = raters[0]
    agreement = ((table**2).sum(axis=1) - m) / (m * (m - 1))
    observed = float(agreement.mean())
    proportions = table.sum(axis=0) / table.sum()
    expected = float((proportions**2).sum())
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class AttributeAgreement:
    """Attribute agreement study (AIAG MSA 4th ed., Chapter III Section C, kappa method)."""

    between: dict[str, float | None]  # "A*B": Cohen's kappa of each pair of appraisers
    versus_reference: dict[str, float | None]  # "A": Cohen's kappa of each appraiser vs reference
    fleiss: float | None  # all appraisers' ratings of each item pooled
    percent_agreement: dict[str, float]  # each appraiser vs reference, and "all" (all agree with it)


def attribute_agreement(ratings: dict[str, Sequence[Hashable]], reference: Sequence[Hashable] | None = None):
    """Kappa between appraisers, and against a reference decision when given.

    ``ratings`` maps appraiser -> the decisions for items 1..N (repeat trials may be laid end to
    end; each position is one assessment of the same item by every appraiser). AIAG MSA 4th ed.
    reads kappa > 0.75 as good and < 0.40 as poor agreement.
    """
    if len(ratings) < 1:
        raise StatsError("no appraisers given")
    lengths = {len(values) for values in ratings.values()}
    if len(lengths) != 1:
        raise StatsError(f"every appraiser must rate the same items, got {sorted(lengths)} ratings")
    names = list(ratings)
    between = {f"{a}*{b}": cohen_kappa(ratings[a], ratings[b]) for a, b in combinations(names, 2)}
    versus: dict[str, float | None] = {}
    percent: dict[str, float] = {}
    items = next(iter(lengths))
    if reference is not None:
        reference = list(reference)
        if len(reference) != items:
            raise StatsError("the reference must have one decision per item")
        for name in names:
            versus[name] = cohen_kappa(ratings[name], reference)
            matches = [x == y for x, y in zip(ratings[name], reference, strict=True)]
            percent[name] = 100.0 * sum(matches) / items
        every = [all(ratings[name][i] == reference[i] for name in names) for i in range(items)]
        percent["all"] = 100.0 * sum(every) / items
    categories = list(dict.fromkeys(value for values in ratings.values() for value in values))
    table = [
        [sum(ratings[name][i] == category for name in names) for category in categories] for i in range(items)
    ]
    fleiss = fleiss_kappa(table) if len(names) >= 2 else None
    return AttributeAgreement(
        between=between, versus_reference=versus, fleiss=fleiss, percent_agreement=percent
    )
