"""Process capability and performance indices, their confidence intervals, and normality.

Definitions (Montgomery, *Introduction to Statistical Quality Control*, 7th ed., 2013, Chapter 8;
AIAG *Statistical Process Control* manual, 2nd ed., 2005, Chapter IV; ISO 22514-2:2017)::

    Cp  = (USL - LSL) / (6 sigma_within)      Pp  = (USL - LSL) / (6 s)
    Cpu = (USL - mean) / (3 sigma_within)     Ppu = (USL - mean) / (3 s)
    Cpl = (mean - LSL) / (3 sigma_within)     Ppl = (mean - LSL) / (3 s)
    Cpk = min(Cpu, Cpl)                       Ppk = min(Ppu, Ppl)
    Cpm = (USL - LSL) / (6 sqrt(s^2 + (mean - T)^2))       (Chan, Cheng & Spiring 1988)

``sigma_within`` is the short-term sigma (R-/d2, s-/c4 or MR-/d2(2) from a control chart); when
it is not given it is estimated from the moving ranges of ``values`` (MR-/d2(2)), as for an
individuals chart. ``s`` is the overall sample standard deviation (n - 1 divisor). Cpm uses the
overall standard deviation, as Minitab does. With one specification limit, the two-sided indices
(Cp, Pp, Cpm) are None and Cpk/Ppk equal the one available side.

Confidence intervals (two-sided, ``confidence`` level):

* Cp and Pp: chi-square, Montgomery 7th ed., Section 8.3.5, equation 8.18::

      Cp^ sqrt(chi2_(alpha/2, n-1) / (n-1))  <=  Cp  <=  Cp^ sqrt(chi2_(1-alpha/2, n-1) / (n-1))

  (chi2_q is the lower q-quantile). The n - 1 degrees of freedom are exact for s and an
  approximation when sigma_within comes from ranges.
* Cpk, Cpu, Cpl, Ppk, Ppu, Ppl: Bissell's normal approximation, Bissell, A. F., "How Reliable Is
  Your Capability Index?", *Applied Statistics* 39(3), 1990, pp. 331-340; Montgomery eq. 8.19::

      C^ +- z_(1-alpha/2) sqrt( 1 / (9 n) + C^2 / (2 (n - 1)) )

* Cpm: Boyles, R. A., "The Taguchi Capability Index", *Journal of Quality Technology* 23(1),
  1991, pp. 17-26: chi-square with nu = n (1 + xi^2)^2 / (1 + 2 xi^2) degrees of freedom,
  xi = (mean - T) / s.

Expected fraction out of specification uses the normal model (``Phi``) with sigma_within and with
s; the observed fraction counts values strictly outside the limits. Both are in ppm.

Normality: Anderson-Darling statistic A^2 with estimated mean and standard deviation, the
small-sample correction A* = A^2 (1 + 0.75/n + 2.25/n^2) and the p-value from D'Agostino &
Stephens (eds.), *Goodness-of-Fit Techniques*, Marcel Dekker 1986, Table 4.9 (as also used by the
NIST/SEMATECH e-Handbook, 1.3.5.14, and by Minitab).

Non-normal data: the percentile (quantile) method of ISO 22514-2:2017, method M3/M4 family, with
the formulas of Clements, J. A., "Process Capability Calculations for Non-Normal
Distributions", *Quality Progress* 22(9), 1989, pp. 95-100::

    Pp  = (USL - LSL) / (X99.865 - X0.135)
    Ppu = (USL - X50) / (X99.865 - X50),   Ppl = (X50 - LSL) / (X50 - X0.135),   Ppk = min

Clements fitted Pearson curves to obtain the quantiles; here they are the empirical quantiles of
the data (linear interpolation, Hyndman & Fan type 7), which needs a large sample: fewer than
``PERCENTILE_MIN_N`` values give None with a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special, stats

from qualitas.stats._validation import finite_number, finite_vector, non_negative_number
from qualitas.stats.constants import d2
from qualitas.stats.errors import StatsError

__all__ = [
    "AndersonDarling",
    "CapabilityResult",
    "anderson_darling",
    "anderson_darling_p_value",
    "bissell_interval",
    "capability",
    "chi_square_interval",
]

PERCENTILE_MIN_N = 100
ANDERSON_DARLING_MIN_N = 8
INDEX_NAMES = ("Cp", "Cpl", "Cpu", "Cpk", "Cpm", "Pp", "Ppl", "Ppu", "Ppk")


@dataclass(frozen=True)
class AndersonDarling:
    """Anderson-Darling normality test with estimated parameters."""

    statistic: float  # A^2
    adjusted: float  # A* = A^2 (1 + 0.75/n + 2.25/n^2)
    p_value: float
    n: int

    def is_normal(self, alpha: float = 0.05) -> bool:
        return self.p_value >= alpha


def anderson_darling_p_value(adjusted: float) -> float:
    """p-value of the adjusted statistic A*, D'Agostino & Stephens (1986), Table 4.9.

    ::

        A* >= 0.60:         p = exp(1.2937 - 5.709 A* + 0.0186 A*^2)
        0.34 <= A* < 0.60:  p = exp(0.9177 - 4.279 A* - 1.38 A*^2)
        0.20 <= A* < 0.34:  p = 1 - exp(-8.318 + 42.796 A* - 59.938 A*^2)
        A* < 0.20:          p = 1 - exp(-13.436 + 101.14 A* - 223.73 A*^2)
    """
    a = float(adjusted)
    if a >= 0.6:
        p = math.exp(1.2937 - 5.709 * a + 0.0186 * a * a)
    elif a >= 0.34:
        p = math.exp(0.9177 - 4.279 * a - 1.38 * a * a)
    elif a >= 0.2:
        p = 1.0 - math.exp(-8.318 + 42.796 * a - 59.938 * a * a)
    else:
        p = 1.0 - math.exp(-13.436 + 101.14 * a - 223.73 * a * a)
    return min(max(p, 0.0), 1.0)


def anderson_darling(values) -> AndersonDarling:
    """Anderson-Darling test of normality (mean and sigma estimated from the data).

    A^2 = -n - (1/n) sum_(i=1..n) (2i - 1) [ln Phi(z_(i)) + ln(1 - Phi(z_(n+1-i)))],
    z = (x - mean) / s, the z sorted ascending (Stephens 1974; NIST e-Handbook 1.3.5.14).
    """
    data = finite_vector(values, "values", minimum=ANDERSON_DARLING_MIN_N)
    n = data.size
    spread = data.std(ddof=1)
    if spread == 0:
        raise StatsError("the Anderson-Darling test is undefined when every value is equal")
    z = np.sort((data - data.mean()) / spread)
    weights = 2.0 * np.arange(1, n + 1) - 1.0
    total = weights @ (special.log_ndtr(z) + special.log_ndtr(-z[::-1]))
    statistic = float(-n - total / n)
    adjusted = statistic * (1.0 + 0.75 / n + 2.25 / (n * n))
    return AndersonDarling(statistic, adjusted, anderson_darling_p_value(adjusted), n)


def chi_square_interval(index: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided chi-square interval for Cp or Pp (Montgomery 7th ed., eq. 8.18), n - 1 df."""
    alpha = _alpha(confidence)
    freedom = n - 1
    lower = index * math.sqrt(stats.chi2.ppf(alpha / 2, freedom) / freedom)
    upper = index * math.sqrt(stats.chi2.ppf(1 - alpha / 2, freedom) / freedom)
    return float(lower), float(upper)


def bissell_interval(index: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Bissell (1990) normal-approximation interval for Cpk (and Cpu, Cpl, Ppk, Ppu, Ppl)."""
    alpha = _alpha(confidence)
    z = stats.norm.ppf(1 - alpha / 2)
    half = z * math.sqrt(1.0 / (9.0 * n) + index * index / (2.0 * (n - 1)))
    return float(index - half), float(index + half)


def _boyles_interval(index: float, n: int, xi: float, confidence: float) -> tuple[float, float]:
    alpha = _alpha(confidence)
    freedom = n * (1 + xi * xi) ** 2 / (1 + 2 * xi * xi)
    lower = index * math.sqrt(stats.chi2.ppf(alpha / 2, freedom) / freedom)
    upper = index * math.sqrt(stats.chi2.ppf(1 - alpha / 2, freedom) / freedom)
    return float(lower), float(upper)


def _alpha(confidence) -> float:
    level = finite_number(confidence, "confidence")
    if not 0 < level < 1:
        raise StatsError(f"confidence must be between 0 and 1, got {confidence!r}")
    return 1.0 - level


@dataclass(frozen=True)
class CapabilityResult:
    """Capability indices; an undefined index is None and ``reasons[name]`` says why."""

    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    lsl: float | None
    usl: float | None
    target: float | None
    confidence: float
    indices: dict[str, float | None]
    reasons: dict[str, str]
    intervals: dict[str, tuple[float, float]]
    expected_ppm_within: dict[str, float] | None
    expected_ppm_overall: dict[str, float] | None
    observed_ppm: dict[str, float]
    normality: AndersonDarling | None
    percentile: dict[str, float | None] = field(default_factory=dict)
    percentile_reason: str | None = None

    @property
    def cp(self) -> float | None:
        return self.indices["Cp"]

    @property
    def cpl(self) -> float | None:
        return self.indices["Cpl"]

    @property
    def cpu(self) -> float | None:
        return self.indices["Cpu"]

    @property
    def cpk(self) -> float | None:
        return self.indices["Cpk"]

    @property
    def cpm(self) -> float | None:
        return self.indices["Cpm"]

    @property
    def pp(self) -> float | None:
        return self.indices["Pp"]

    @property
    def ppl(self) -> float | None:
        return self.indices["Ppl"]

    @property
    def ppu(self) -> float | None:
        return self.indices["Ppu"]

    @property
    def ppk(self) -> float | None:
        return self.indices["Ppk"]

    def interval(self, name: str) -> tuple[float, float] | None:
        """The confidence interval of index ``name`` (e.g. "Cpk"), or None when undefined."""
        if name not in INDEX_NAMES:
            raise StatsError(f"unknown index {name!r}; choose one of {list(INDEX_NAMES)}")
        return self.intervals.get(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "sigma_within": self.sigma_within,
            "sigma_overall": self.sigma_overall,
            "lsl": self.lsl,
            "usl": self.usl,
            "target": self.target,
            "confidence": self.confidence,
            "indices": dict(self.indices),
            "reasons": dict(self.reasons),
            "intervals": {name: list(bounds) for name, bounds in self.intervals.items()},
            "expected_ppm_within": self.expected_ppm_within,
            "expected_ppm_overall": self.expected_ppm_overall,
            "observed_ppm": self.observed_ppm,
            "normality": None
            if self.normality is None
            else {
                "statistic": self.normality.statistic,
                "adjusted": self.normality.adjusted,
                "p_value": self.normality.p_value,
                "n": self.normality.n,
            },
            "percentile": dict(self.percentile),
            "percentile_reason": self.percentile_reason,
        }


def _expected_ppm(mean, sigma, lsl, usl) -> dict[str, float]:
    below = stats.norm.cdf((lsl - mean) / sigma) if lsl is not None else 0.0
    above = stats.norm.sf((usl - mean) / sigma) if usl is not None else 0.0
    return {"below": float(below * 1e6), "above": float(above * 1e6), "total": float((below + above) * 1e6)}


def _side_indices(mean, sigma, lsl, usl, prefix: str) -> dict[str, float | None]:
    spread = 3.0 * sigma
    upper = (usl - mean) / spread if usl is not None else None
    lower = (mean - lsl) / spread if lsl is not None else None
    both = (usl - lsl) / (2.0 * spread) if usl is not None and lsl is not None else None
    sides = [value for value in (upper, lower) if value is not None]
    return {
        f"{prefix}p": both,
        f"{prefix}pl": lower,
        f"{prefix}pu": upper,
        f"{prefix}pk": min(sides),
    }


def capability(
    values,
    lsl: float | None = None,
    usl: float | None = None,
    target: float | None = None,
    sigma_within: float | None = None,
    confidence: float = 0.95,
) -> CapabilityResult:
    """Capability (Cp, Cpk ...) and performance (Pp, Ppk ...) indices of ``values``.

    See the module docstring for every formula and its source. At least one specification limit
    is required; ``target`` defaults to the midpoint of a two-sided specification.
    """
    data = finite_vector(values, "values", minimum=2)
    lsl = None if lsl is None else finite_number(lsl, "lsl")
    usl = None if usl is None else finite_number(usl, "usl")
    if lsl is None and usl is None:
        raise StatsError("capability needs at least one specification limit (lsl or usl)")
    if lsl is not None and usl is not None and lsl >= usl:
        raise StatsError(f"lsl ({lsl}) must be below usl ({usl})")
    if target is not None:
        target = finite_number(target, "target")
    elif lsl is not None and usl is not None:
        target = (lsl + usl) / 2.0
    _alpha(confidence)
    n = data.size
    mean = float(data.mean())
    overall = float(data.std(ddof=1))
    if sigma_within is None:
        within = float(np.abs(np.diff(data)).mean()) / d2(2)
    else:
        within = non_negative_number(sigma_within, "sigma_within")

    indices: dict[str, float | None] = dict.fromkeys(INDEX_NAMES)
    reasons: dict[str, str] = {}
    intervals: dict[str, tuple[float, float]] = {}
    for name, sigma in (("C", within), ("P", overall)):
        if sigma == 0:
            for key in INDEX_NAMES:
                if key.startswith(name) and key != "Cpm":
                    reasons[key] = "zero variation: the standard deviation is 0, so the index is undefined"
            continue
        indices.update(_side_indices(mean, sigma, lsl, usl, name))
    for key in ("Cp", "Pp", "Cpm"):
        if (lsl is None or usl is None) and key not in reasons:
            side = "lower" if lsl is None else "upper"
            reasons[key] = f"one-sided specification: no {side} limit, so the two-sided index is undefined"
    if lsl is not None and usl is not None and target is not None:
        if overall == 0 and mean == target:
            reasons["Cpm"] = "zero variation on target: the index is undefined"
        else:
            tau = math.sqrt(overall * overall + (mean - target) ** 2)
            cpm = (usl - lsl) / (6.0 * tau)
            indices["Cpm"] = cpm
            if overall > 0 and n > 1:
                xi = (mean - target) / overall
                intervals["Cpm"] = _boyles_interval(cpm, n, xi, confidence)
    for key in INDEX_NAMES:
        value = indices[key]
        if value is None or key == "Cpm" or n < 2:
            continue
        if key in ("Cp", "Pp"):
            intervals[key] = chi_square_interval(value, n, confidence)
        else:
            intervals[key] = bissell_interval(value, n, confidence)

    observed = {
        "below": float(np.count_nonzero(data < lsl) / n * 1e6) if lsl is not None else 0.0,
        "above": float(np.count_nonzero(data > usl) / n * 1e6) if usl is not None else 0.0,
    }
    observed["total"] = observed["below"] + observed["above"]

    normality = None
    if n >= ANDERSON_DARLING_MIN_N and overall > 0:
        normality = anderson_darling(data)

    percentile, percentile_reason = _percentile_indices(data, lsl, usl)
    return CapabilityResult(
        n=n,
        mean=mean,
        sigma_within=within,
        sigma_overall=overall,
        lsl=lsl,
        usl=usl,
        target=target,
        confidence=float(confidence),
        indices=indices,
        reasons=reasons,
        intervals=intervals,
        expected_ppm_within=_expected_ppm(mean, within, lsl, usl) if within > 0 else None,
        expected_ppm_overall=_expected_ppm(mean, overall, lsl, usl) if overall > 0 else None,
        observed_ppm=observed,
        normality=normality,
        percentile=percentile,
        percentile_reason=percentile_reason,
    )


def _percentile_indices(data, lsl, usl) -> tuple[dict[str, float | None], str | None]:
    if data.size < PERCENTILE_MIN_N:
        return {}, (
            f"the percentile method needs at least {PERCENTILE_MIN_N} values to estimate the "
            f"0.135% and 99.865% quantiles, got {data.size}"
        )
    low, median, high = np.percentile(data, [0.135, 50.0, 99.865])
    result: dict[str, float | None] = dict.fromkeys(("Pp", "Ppl", "Ppu", "Ppk"))
    if high == low:
        return result, "zero spread between the 0.135% and 99.865% quantiles"
    if lsl is not None and usl is not None:
        result["Pp"] = float((usl - lsl) / (high - low))
    if usl is not None and high > median:
        result["Ppu"] = float((usl - median) / (high - median))
    if lsl is not None and median > low:
        result["Ppl"] = float((median - lsl) / (median - low))
    sides = [value for value in (result["Ppu"], result["Ppl"]) if value is not None]
    result["Ppk"] = min(sides) if sides else None
    return result, None
