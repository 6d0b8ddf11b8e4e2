"""Control charts: Shewhart variables and attributes charts, EWMA and tabular CUSUM.

Every chart returns a :class:`ChartResult` with the center line, the limits (a float, or one value
per point when the limits vary), the plotted points and the process sigma. The paired variables
charts (X-bar/R, X-bar/S, individuals/moving range) return a :class:`PairedChartResult` holding
a ``location`` and a ``dispersion`` chart.

Common options
    ``baseline``  a previous result: its center and sigma are reused, so the limits are frozen
                  (phase II monitoring) instead of being recomputed from the new data.
    ``center`` / ``sigma``  standard values given directly ("standards given" charts,
                  Montgomery, 7th ed., Section 6.2.5 and Table 6.2 footnote).
    ``exclude``   indices of points that are still plotted but are left out of the limit
                  calculation (points with an assignable cause, revised trial limits).
    ``L``         the distance of the limits from the center, in sigmas of the plotted
                  statistic (3 by default).

References: Montgomery, D. C., *Introduction to Statistical Quality Control*, 7th ed., Wiley
2013, chapters 6 (variables), 7 (attributes) and 9 (CUSUM and EWMA); the NIST/SEMATECH
e-Handbook of Statistical Methods, section 6.3.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import numpy as np
from scipy.signal import lfilter

from qualitas.stats import rules
from qualitas.stats._validation import (
    finite_number,
    finite_vector,
    index_mask,
    non_negative_number,
    positive_number,
)
from qualitas.stats.constants import c4, d2, d3
from qualitas.stats.errors import StatsError

__all__ = [
    "ChartResult",
    "CusumResult",
    "PairedChartResult",
    "c_chart",
    "cusum",
    "ewma",
    "imr",
    "np_chart",
    "p_chart",
    "u_chart",
    "xbar_r",
    "xbar_s",
]

MIN_POINTS = 2  # the fewest included subgroups (or values) from which limits are estimated

Limit = float | np.ndarray


@dataclass(frozen=True, eq=False)
class ChartResult:
    """One control chart.

    ``center``, ``lcl`` and ``ucl`` are floats, or arrays with one value per point when the limits
    vary (unequal subgroup sizes, EWMA). ``points`` is the plotted statistic and ``positions`` the
    index of each point in the input (the moving range starts at 1). ``sigma`` is the estimated
    process sigma (for attributes charts the per-unit sigma of the counting model) and
    ``point_sigma`` the standard deviation of each plotted point, which the run rules use.
    """

    chart: str
    center: Limit
    lcl: Limit
    ucl: Limit
    points: np.ndarray
    sigma: float | None
    point_sigma: Limit | None
    positions: np.ndarray
    excluded: tuple[int, ...] = ()
    L: float = 3.0
    parameters: dict[str, float] = field(default_factory=dict)

    def beyond_limits(self) -> np.ndarray:
        """Indices (into ``points``) of the points strictly outside the control limits."""
        above = self.points > self.ucl
        below = self.points < self.lcl
        return np.flatnonzero(above | below)

    def evaluate_rules(self, ruleset: str = "western_electric") -> dict[str, list[int]]:
        """Run-rule violations on this chart (see :func:`qualitas.stats.rules.evaluate`)."""
        if self.point_sigma is None:
            raise StatsError(f"run rules are not defined for the {self.chart} chart")
        return rules.evaluate(self.points, self.center, self.point_sigma, ruleset)

    def to_dict(self) -> dict[str, Any]:
        """Plain values (lists, floats, None) for JSON."""
        return {
            "chart": self.chart,
            "center": _plain(self.center),
            "lcl": _plain(self.lcl),
            "ucl": _plain(self.ucl),
            "points": _plain(self.points),
            "positions": _plain(self.positions),
            "sigma": self.sigma,
            "point_sigma": _plain(self.point_sigma),
            "excluded": list(self.excluded),
            "L": self.L,
            "parameters": dict(self.parameters),
        }


@dataclass(frozen=True, eq=False)
class CusumResult(ChartResult):
    """Tabular CUSUM. ``points`` is the upper sum C+ and ``lower_points`` is -C- (both plotted)."""

    upper: np.ndarray = field(default_factory=lambda: np.empty(0))
    lower: np.ndarray = field(default_factory=lambda: np.empty(0))
    upper_run: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))
    lower_run: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=int))

    @property
    def lower_points(self) -> np.ndarray:
        return -self.lower

    def beyond_limits(self) -> np.ndarray:
        """Indices where C+ > H or C- > H."""
        return np.flatnonzero((self.upper > self.ucl) | (self.lower > self.ucl))

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update(
            upper=_plain(self.upper),
            lower=_plain(self.lower),
            upper_run=_plain(self.upper_run),
            lower_run=_plain(self.lower_run),
        )
        return data


@dataclass(frozen=True, eq=False)
class PairedChartResult:
    """A location chart (X-bar or individuals) with its dispersion chart (R, S or moving range)."""

    chart: str
    location: ChartResult
    dispersion: ChartResult
    sigma: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "chart": self.chart,
            "sigma": self.sigma,
            "location": self.location.to_dict(),
            "dispersion": self.dispersion.to_dict(),
        }


def _plain(value):
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _limit(values) -> Limit:
    """A float when the value is a scalar or every point has the same value, else the array."""
    if np.ndim(values) == 0:
        return float(values)
    if values.size and np.all(values == values[0]):
        return float(values[0])
    return values


def _excluded(keep: np.ndarray) -> tuple[int, ...]:
    return tuple(int(index) for index in np.flatnonzero(~keep))


def _check_L(L) -> float:
    return positive_number(L, "L (the distance of the limits in sigmas)")


def _baseline_parameters(baseline, keys: Sequence[str]) -> dict[str, float]:
    if baseline is None:
        return {}
    if isinstance(baseline, PairedChartResult):
        parameters = baseline.location.parameters
    elif isinstance(baseline, ChartResult):
        parameters = baseline.parameters
    elif isinstance(baseline, dict):
        parameters = baseline
    else:
        raise StatsError(f"baseline must be a chart result or a dict, got {type(baseline).__name__}")
    missing = [key for key in keys if parameters.get(key) is None]
    if missing:
        raise StatsError(f"the baseline does not provide {', '.join(missing)}")
    return {key: float(parameters[key]) for key in keys}


def _need_points(included: int, what: str) -> None:
    if included < MIN_POINTS:
        raise StatsError(
            f"too few {what} to estimate control limits: {included} included, at least {MIN_POINTS} "
            "needed (20 to 25 are recommended)"
        )


# --- shared construction: frozen or estimated parameters, limits, result objects -------------


def _given_mean_and_sigma(
    baseline, center, sigma, keep: np.ndarray, what: str, center_name: str = "center"
) -> tuple[float | None, float | None]:
    """The mean and sigma the limits are frozen at, checked; None for each one to estimate.

    A ``baseline`` provides both and takes precedence over ``center``/``sigma``. When either is
    left to estimate, at least MIN_POINTS of the points (``what``) must be included.
    """
    if baseline is not None:
        given = _baseline_parameters(baseline, ("mean", "sigma"))
        center, sigma = given["mean"], given["sigma"]
    if center is None or sigma is None:
        _need_points(int(keep.sum()), what)
    if center is not None:
        center = finite_number(center, center_name)
    if sigma is not None:
        sigma = non_negative_number(sigma, "sigma")
    return center, sigma


def _shewhart_chart(
    chart: str,
    points: np.ndarray,
    positions: np.ndarray,
    *,
    center,
    half_width,
    point_sigma,
    sigma: float,
    excluded: tuple[int, ...],
    L: float,
    parameters: dict[str, float],
    floor_at_zero: bool = True,
    ceiling: float | None = None,
) -> ChartResult:
    """A chart with limits center +- half_width, each a float or one value per point.

    The lower limit is floored at 0 (dispersion and attributes charts) unless ``floor_at_zero`` is
    False, and the upper limit is capped at ``ceiling`` when one is given (p chart).
    """
    lower = center - half_width
    if floor_at_zero:
        lower = np.maximum(lower, 0.0)
    upper = center + half_width
    if ceiling is not None:
        upper = np.minimum(upper, ceiling)
    return ChartResult(
        chart=chart,
        center=_limit(center),
        lcl=_limit(lower),
        ucl=_limit(upper),
        points=points,
        sigma=sigma,
        point_sigma=_limit(point_sigma),
        positions=positions,
        excluded=excluded,
        L=L,
        parameters=parameters,
    )


def _paired_chart(
    name: str,
    mean: float,
    sigma: float,
    keep: np.ndarray,
    L: float,
    *,
    location_chart: str,
    points: np.ndarray,
    point_sigma,
    dispersion_chart: str,
    dispersions: np.ndarray,
    dispersion_positions: np.ndarray,
    center_factor,
    sd_factor,
) -> PairedChartResult:
    """A location chart and its dispersion chart, both from the process ``mean`` and ``sigma``.

    Location chart: mean +- L * point_sigma. Dispersion chart: center center_factor * sigma,
    limits center +- L * sd_factor * sigma, LCL floored at 0 (d2, d3 for ranges; c4, sqrt(1 - c4^2)
    for standard deviations). ``point_sigma`` and the factors are floats or one value per point.
    """
    excluded = _excluded(keep)
    location = _shewhart_chart(
        location_chart,
        points,
        np.arange(points.size),
        center=mean,
        half_width=L * point_sigma,
        point_sigma=point_sigma,
        sigma=sigma,
        excluded=excluded,
        L=L,
        parameters={"mean": mean, "sigma": sigma},
        floor_at_zero=False,
    )
    dispersion = _shewhart_chart(
        dispersion_chart,
        dispersions,
        dispersion_positions,
        center=center_factor * sigma,
        half_width=L * sd_factor * sigma,
        point_sigma=sd_factor * sigma,
        sigma=sigma,
        excluded=excluded,
        L=L,
        parameters={"mean": mean, "sigma": sigma},
    )
    return PairedChartResult(chart=name, location=location, dispersion=dispersion, sigma=sigma)


def _subgroup_chart(
    name: str,
    mean: float,
    sigma: float,
    keep: np.ndarray,
    L: float,
    *,
    means: np.ndarray,
    sizes,
    dispersion_chart: str,
    dispersions: np.ndarray,
    center_factor,
    sd_factor,
) -> PairedChartResult:
    """The X-bar chart (point sigma = sigma / sqrt(n_i)) with its R or S chart.

    ``sizes`` and the factors are floats (one subgroup size) or one value per subgroup.
    """
    return _paired_chart(
        name,
        mean,
        sigma,
        keep,
        L,
        location_chart="xbar",
        points=means,
        point_sigma=sigma / np.sqrt(sizes),
        dispersion_chart=dispersion_chart,
        dispersions=dispersions,
        dispersion_positions=np.arange(means.size),
        center_factor=center_factor,
        sd_factor=sd_factor,
    )


# --- subgroup input -------------------------------------------------------------------------


@overload
def _subgroups(subgroups, allow_unequal: Literal[False]) -> np.ndarray: ...
@overload
def _subgroups(subgroups, allow_unequal: bool) -> list[np.ndarray] | np.ndarray: ...
def _subgroups(subgroups, allow_unequal: bool) -> list[np.ndarray] | np.ndarray:
    """A 2-D array (equal sizes, validated in one pass) or, for unequal sizes, a list of rows."""
    try:
        table = np.asarray(subgroups, dtype=np.float64)
    except (TypeError, ValueError):
        table = None  # ragged: unequal subgroup sizes
    if table is not None and table.ndim == 2:
        if table.shape[0] == 0 or table.shape[1] == 0:
            raise StatsError("no subgroups given")
        if not np.isfinite(table).all():
            bad_rows, bad_columns = np.nonzero(~np.isfinite(table))
            raise StatsError(
                "subgroups contain NaN or infinite values "
                f"(subgroup {int(bad_rows[0])}, position {int(bad_columns[0])})"
            )
        return table
    if (table is not None and table.ndim != 1) or isinstance(subgroups, str):
        raise StatsError("subgroups must be a sequence of sequences of numbers")
    try:
        rows = [finite_vector(row, f"subgroup {index}") for index, row in enumerate(subgroups)]
    except TypeError:
        raise StatsError("subgroups must be a sequence of sequences of numbers") from None
    if not rows:
        raise StatsError("no subgroups given")
    sizes = {row.size for row in rows}
    if len(sizes) == 1:
        return np.vstack(rows)
    if not allow_unequal:
        raise StatsError(
            f"X-bar/R needs subgroups of equal size, got sizes {sorted(sizes)}; use xbar_s for unequal sizes"
        )
    return rows


# --- X-bar and R ----------------------------------------------------------------------------


def xbar_r(
    subgroups,
    *,
    baseline=None,
    center: float | None = None,
    sigma: float | None = None,
    exclude: Iterable[int] | None = None,
    L: float = 3.0,
) -> PairedChartResult:
    """X-bar and R charts for subgroups of equal size n >= 2.

    From the data (Montgomery, 7th ed., Section 6.2.1, equations 6.4 and 6.5)::

        grand mean  x== = mean of the subgroup means,    R- = mean of the subgroup ranges
        sigma       = R- / d2(n)
        X-bar chart:  x== +- L * sigma / sqrt(n)          (= x== +- A2 R- for L = 3)
        R chart:      center R-, limits R- +- L * d3(n) * sigma, LCL floored at 0  (= D3 R-, D4 R-)

    With ``center``/``sigma`` (or a ``baseline``) given, the same formulas use the given values and
    the R chart is centred on d2(n) * sigma (Montgomery, Section 6.2.5, limits D1 sigma, D2 sigma).
    """
    data = _subgroups(subgroups, allow_unequal=False)
    count, n = data.shape
    if n < 2:
        raise StatsError("X-bar/R needs subgroups of at least 2 values; for single values use imr")
    L = _check_L(L)
    means = data.mean(axis=1)
    ranges = data.max(axis=1) - data.min(axis=1)
    keep = index_mask(exclude, count)
    mean, process_sigma = _given_mean_and_sigma(baseline, center, sigma, keep, "subgroups")
    if mean is None:
        mean = float(means[keep].mean())
    if process_sigma is None:
        process_sigma = float(ranges[keep].mean()) / d2(n)
    return _subgroup_chart(
        "xbar_r",
        mean,
        process_sigma,
        keep,
        L,
        means=means,
        sizes=n,
        dispersion_chart="r",
        dispersions=ranges,
        center_factor=d2(n),
        sd_factor=d3(n),
    )


# --- X-bar and S ----------------------------------------------------------------------------


def xbar_s(
    subgroups,
    *,
    baseline=None,
    center: float | None = None,
    sigma: float | None = None,
    exclude: Iterable[int] | None = None,
    L: float = 3.0,
) -> PairedChartResult:
    """X-bar and S charts; subgroups may have unequal sizes (each at least 2).

    Equal sizes n (Montgomery, 7th ed., Section 6.3.1, equations 6.27 to 6.30)::

        s- = mean of the subgroup standard deviations,   sigma = s- / c4(n)
        X-bar chart:  x== +- L * sigma / sqrt(n)         (= x== +- A3 s-)
        S chart:      center c4 sigma = s-, limits s- +- L sigma sqrt(1 - c4^2)  (= B3 s-, B4 s-)

    Unequal sizes n_i use the pooled approach (Montgomery, Section 6.3.2, equation 6.31;
    ASTM E2587-16, Section 8.2)::

        x== = sum n_i x-_i / sum n_i
        s_p = sqrt( sum (n_i - 1) s_i^2 / sum (n_i - 1) ),   sigma = s_p / c4(nu + 1), nu = sum (n_i - 1)
        per point:  x== +- L sigma / sqrt(n_i);  S chart centre c4(n_i) sigma,
                    limits c4(n_i) sigma +- L sigma sqrt(1 - c4(n_i)^2), LCL floored at 0
    """
    rows = _subgroups(subgroups, allow_unequal=True)
    if isinstance(rows, np.ndarray):
        sizes = np.full(rows.shape[0], rows.shape[1], dtype=np.int64)
        if rows.shape[1] < 2:
            raise StatsError("X-bar/S needs subgroups of at least 2 values; for single values use imr")
        means = rows.mean(axis=1)
        deviations = rows.std(axis=1, ddof=1)
    else:
        sizes = np.array([row.size for row in rows], dtype=np.int64)
        if sizes.min() < 2:
            raise StatsError("X-bar/S needs subgroups of at least 2 values; for single values use imr")
        means = np.array([row.mean() for row in rows])
        deviations = np.array([row.std(ddof=1) for row in rows])
    L = _check_L(L)
    keep = index_mask(exclude, sizes.size)
    mean, process_sigma = _given_mean_and_sigma(baseline, center, sigma, keep, "subgroups")
    equal = bool(np.all(sizes == sizes[0]))
    if mean is None:
        mean = float(np.sum(sizes[keep] * means[keep]) / np.sum(sizes[keep]))
    if process_sigma is None:
        if equal:
            process_sigma = float(deviations[keep].mean()) / c4(int(sizes[0]))
        else:
            freedom = int(np.sum(sizes[keep] - 1))
            pooled = math.sqrt(float(np.sum((sizes[keep] - 1) * deviations[keep] ** 2)) / freedom)
            process_sigma = pooled / c4(freedom + 1)
    c4_by_size = {int(size): c4(int(size)) for size in np.unique(sizes)}
    c4_values = (
        np.array([c4_by_size[int(size)] for size in sizes])
        if not equal
        else np.full(sizes.size, c4_by_size[int(sizes[0])])
    )
    return _subgroup_chart(
        "xbar_s",
        mean,
        process_sigma,
        keep,
        L,
        means=means,
        sizes=sizes,
        dispersion_chart="s",
        dispersions=deviations,
        center_factor=c4_values,
        sd_factor=np.sqrt(1 - c4_values**2),
    )


# --- individuals and moving range -----------------------------------------------------------


def _moving_range_sigma(moving: np.ndarray, keep: np.ndarray) -> float:
    """MR- / d2(2) over the moving ranges whose two values are both included."""
    usable = keep[1:] & keep[:-1]
    if not usable.any():
        raise StatsError("too few consecutive included values to estimate sigma from moving ranges")
    return float(moving[usable].mean()) / d2(2)


def imr(
    values,
    *,
    baseline=None,
    center: float | None = None,
    sigma: float | None = None,
    exclude: Iterable[int] | None = None,
    L: float = 3.0,
) -> PairedChartResult:
    """Individuals (X) and moving range (MR, span 2) charts.

    Montgomery, 7th ed., Section 6.4, equations 6.33 and 6.34::

        MR_i = |x_i - x_(i-1)|,   MR- = mean of the moving ranges,   sigma = MR- / d2(2)
        X chart:   x- +- L sigma               (= x- +- 3 MR- / 1.128)
        MR chart:  center MR-, limits MR- +- L d3(2) sigma, LCL floored at 0   (UCL = 3.267 MR-)

    A moving range is left out of MR- when either of its two values is excluded. The moving range
    chart's ``positions`` start at 1.
    """
    data = finite_vector(values, "values", minimum=MIN_POINTS)
    L = _check_L(L)
    keep = index_mask(exclude, data.size)
    mean, process_sigma = _given_mean_and_sigma(baseline, center, sigma, keep, "values")
    moving = np.abs(np.diff(data))
    if mean is None:
        mean = float(data[keep].mean())
    if process_sigma is None:
        process_sigma = _moving_range_sigma(moving, keep)
    return _paired_chart(
        "imr",
        mean,
        process_sigma,
        keep,
        L,
        location_chart="individuals",
        points=data,
        point_sigma=process_sigma,
        dispersion_chart="moving_range",
        dispersions=moving,
        dispersion_positions=np.arange(1, data.size),
        center_factor=d2(2),
        sd_factor=d3(2),
    )


# --- attributes charts ----------------------------------------------------------------------


def _counts(values, name: str) -> np.ndarray:
    data = finite_vector(values, name)
    if (data < 0).any():
        raise StatsError(f"{name} must not be negative")
    return data


def _sizes(sample_sizes, count: int, name: str = "sample_sizes") -> np.ndarray:
    sizes = np.asarray(sample_sizes, dtype=np.float64)
    if sizes.ndim == 0:
        sizes = np.full(count, float(sizes))
    sizes = finite_vector(sizes, name)
    if sizes.size != count:
        raise StatsError(f"{name} has {sizes.size} values for {count} points")
    if (sizes <= 0).any():
        raise StatsError(f"{name} must be greater than zero")
    return sizes


def _center_given(baseline, center, key: str) -> float | None:
    if baseline is not None:
        return _baseline_parameters(baseline, (key,))[key]
    if center is not None:
        return non_negative_number(center, "center")
    return None


def _attribute_result(chart, center, spread, points, keep, L, sigma, parameters) -> ChartResult:
    return _shewhart_chart(
        chart,
        points,
        np.arange(points.size),
        center=float(center),
        half_width=L * spread,
        point_sigma=spread,
        sigma=sigma,
        excluded=_excluded(keep),
        L=L,
        parameters=parameters,
        ceiling=1.0 if chart == "p" else None,
    )


def p_chart(
    defectives,
    sample_sizes,
    *,
    baseline=None,
    center: float | None = None,
    exclude: Iterable[int] | None = None,
    L: float = 3.0,
) -> ChartResult:
    """Fraction nonconforming (p) chart; sample sizes may vary (then the limits vary per point).

    Montgomery, 7th ed., Section 7.2.1, equations 7.7 and 7.8 (variable n: Section 7.2.2)::

        p_i = D_i / n_i,   p- = sum D_i / sum n_i,   limits p- +- L sqrt(p- (1 - p-) / n_i)

    clipped to [0, 1]. ``center`` is a standard value of p. ``sigma`` is sqrt(p-(1 - p-)).
    """
    counts = _counts(defectives, "defectives")
    sizes = _sizes(sample_sizes, counts.size)
    if (counts > sizes).any():
        raise StatsError("defectives must not exceed the sample size")
    L = _check_L(L)
    keep = index_mask(exclude, counts.size)
    proportion = _center_given(baseline, center, "p")
    if proportion is None:
        _need_points(int(keep.sum()), "samples")
        proportion = float(counts[keep].sum() / sizes[keep].sum())
    elif proportion > 1:
        raise StatsError(f"the fraction nonconforming must be at most 1, got {proportion}")
    unit_sigma = math.sqrt(proportion * (1 - proportion))
    return _attribute_result(
        "p", proportion, unit_sigma / np.sqrt(sizes), counts / sizes, keep, L, unit_sigma, {"p": proportion}
    )


def np_chart(
    defectives,
    sample_size,
    *,
    baseline=None,
    center: float | None = None,
    exclude: Iterable[int] | None = None,
    L: float = 3.0,
) -> ChartResult:
    """Number nonconforming (np) chart for a constant sample size n.

    Montgomery, 7th ed., Section 7.2.3, equation 7.13::

        center n p-,   limits n p- +- L sqrt(n p- (1 - p-)),  LCL floored at 0

    ``center`` is the standard value of the center line n p (so p = center / n).
    """
    counts = _counts(defectives, "defectives")
    n = positive_number(sample_size, "sample_size")
    if (counts > n).any():
        raise StatsError("defectives must not exceed the sample size")
    L = _check_L(L)
    keep = index_mask(exclude, counts.size)
    if baseline is not None:
        proportion = _baseline_parameters(baseline, ("p",))["p"]
    elif center is not None:
        proportion = finite_number(center, "center") / n
        if not 0 <= proportion <= 1:
            raise StatsError(f"center must lie between 0 and the sample size {n}, got {center!r}")
    else:
        _need_points(int(keep.sum()), "samples")
        proportion = float(counts[keep].sum() / (n * keep.sum()))
    unit_sigma = math.sqrt(proportion * (1 - proportion))
    spread = np.full(counts.size, math.sqrt(n) * unit_sigma)
    return _attribute_result("np", n * proportion, spread, counts, keep, L, unit_sigma, {"p": proportion})


def c_chart(
    counts,
    *,
    baseline=None,
    center: float | None = None,
    exclude: Iterable[int] | None = None,
    L: float = 3.0,
) -> ChartResult:
    """Nonconformities (c) chart for a constant inspection unit.

    Montgomery, 7th ed., Section 7.3.1, equation 7.17::

        c- = mean count,   limits c- +- L sqrt(c-),  LCL floored at 0;   sigma = sqrt(c-)
    """
    data = _counts(counts, "counts")
    L = _check_L(L)
    keep = index_mask(exclude, data.size)
    mean = _center_given(baseline, center, "c")
    if mean is None:
        _need_points(int(keep.sum()), "samples")
        mean = float(data[keep].mean())
    spread = np.full(data.size, math.sqrt(mean))
    return _attribute_result("c", mean, spread, data, keep, L, math.sqrt(mean), {"c": mean})


def u_chart(
    counts,
    sample_sizes,
    *,
    baseline=None,
    center: float | None = None,
    exclude: Iterable[int] | None = None,
    L: float = 3.0,
) -> ChartResult:
    """Nonconformities per unit (u) chart; the number of inspection units n_i may vary.

    Montgomery, 7th ed., Section 7.3.1, equations 7.19 and 7.20::

        u_i = c_i / n_i,   u- = sum c_i / sum n_i,   limits u- +- L sqrt(u- / n_i), LCL floored at 0
    """
    data = _counts(counts, "counts")
    sizes = _sizes(sample_sizes, data.size)
    L = _check_L(L)
    keep = index_mask(exclude, data.size)
    rate = _center_given(baseline, center, "u")
    if rate is None:
        _need_points(int(keep.sum()), "samples")
        rate = float(data[keep].sum() / sizes[keep].sum())
    return _attribute_result(
        "u", rate, np.sqrt(rate / sizes), data / sizes, keep, L, math.sqrt(rate), {"u": rate}
    )


# --- EWMA and CUSUM -------------------------------------------------------------------------


def _target_and_sigma(data, keep, baseline, target, sigma) -> tuple[float, float]:
    # Unlike the Shewhart charts, a target or sigma given here overrides the baseline's.
    if baseline is not None:
        given = _baseline_parameters(baseline, ("mean", "sigma"))
        target = given["mean"] if target is None else target
        sigma = given["sigma"] if sigma is None else sigma
    target, sigma = _given_mean_and_sigma(None, target, sigma, keep, "values", center_name="target")
    if target is None:
        target = float(data[keep].mean())
    if sigma is None:
        sigma = _moving_range_sigma(np.abs(np.diff(data)), keep)
    return target, float(sigma)


def ewma(
    values,
    lam: float = 0.2,
    L: float = 3,
    target: float | None = None,
    sigma: float | None = None,
    *,
    baseline=None,
    exclude: Iterable[int] | None = None,
) -> ChartResult:
    """Exponentially weighted moving average chart for individual values.

    Montgomery, 7th ed., Section 9.2, equations 9.22 to 9.24; NIST/SEMATECH e-Handbook 6.3.2.4::

        z_0 = target,   z_i = lam x_i + (1 - lam) z_(i-1)
        limits  target +- L sigma sqrt( lam / (2 - lam) * (1 - (1 - lam)^(2 i)) )

    The limits widen towards the asymptote target +- L sigma sqrt(lam / (2 - lam)). Without
    ``target``/``sigma`` (or a ``baseline``) the mean of the values and MR-/d2(2) are used.
    """
    data = finite_vector(values, "values")
    weight = finite_number(lam, "lam")
    if not 0 < weight <= 1:
        raise StatsError(f"lam must be in (0, 1], got {lam!r}")
    L = _check_L(L)
    keep = index_mask(exclude, data.size)
    target, sigma = _target_and_sigma(data, keep, baseline, target, sigma)
    points = _ewma_recursion(data, weight, target)
    steps = np.arange(1, data.size + 1)
    if weight == 1:
        spread = np.full(data.size, sigma)  # lam = 1 is the Shewhart individuals chart
    else:
        spread = sigma * np.sqrt(weight / (2 - weight) * -np.expm1(2 * steps * np.log1p(-weight)))
    return ChartResult(
        chart="ewma",
        center=target,
        lcl=target - L * spread,
        ucl=target + L * spread,
        points=points,
        sigma=sigma,
        point_sigma=spread,
        positions=np.arange(data.size),
        excluded=_excluded(keep),
        L=L,
        parameters={"mean": target, "sigma": sigma, "lam": weight},
    )


def _ewma_recursion(data: np.ndarray, weight: float, start: float) -> np.ndarray:
    # z_i - (1 - lam) z_(i-1) = lam x_i, with initial condition z_0 = start.
    decay = 1.0 - weight
    filtered, _ = lfilter([weight], [1.0, -decay], data, zi=[decay * start])
    return filtered


def cusum(
    values,
    k: float = 0.5,
    h: float = 5,
    target: float | None = None,
    sigma: float | None = None,
    *,
    baseline=None,
    exclude: Iterable[int] | None = None,
) -> CusumResult:
    """Tabular (algorithmic) CUSUM for individual values.

    Montgomery, 7th ed., Section 9.1.2, equations 9.2 and 9.3, with K = k sigma and H = h sigma::

        C+_i = max(0, x_i - (target + K) + C+_(i-1)),   C-_i = max(0, (target - K) - x_i + C-_(i-1))
        C+_0 = C-_0 = 0;  a signal when C+_i > H or C-_i > H

    ``upper_run``/``lower_run`` are N+ and N-, the number of consecutive periods the sum has been
    non-zero, used to date the shift. ``ucl`` is H and ``lcl`` is -H.
    """
    data = finite_vector(values, "values")
    k = finite_number(k, "k")
    if k < 0:
        raise StatsError(f"k must not be negative, got {k!r}")
    h = positive_number(h, "h")
    keep = index_mask(exclude, data.size)
    target, sigma = _target_and_sigma(data, keep, baseline, target, sigma)
    slack = k * sigma
    upper, upper_run = _one_sided_cusum(data - (target + slack))
    lower, lower_run = _one_sided_cusum((target - slack) - data)
    decision = h * sigma
    return CusumResult(
        chart="cusum",
        center=0.0,
        lcl=-decision,
        ucl=decision,
        points=upper,
        sigma=sigma,
        point_sigma=None,
        positions=np.arange(data.size),
        excluded=_excluded(keep),
        L=h,
        parameters={"mean": target, "sigma": sigma, "k": k, "h": h},
        upper=upper,
        lower=lower,
        upper_run=upper_run,
        lower_run=lower_run,
    )


def _one_sided_cusum(increments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S_i = max(0, S_(i-1) + y_i), vectorised.

    S_i = P_i - min(0, min_(j <= i) P_j) with P the prefix sums of y (Lindley's recursion). The run
    counter N_i is the number of steps since the sum was last at zero.
    """
    prefix = np.cumsum(increments)
    floor = np.minimum.accumulate(np.minimum(prefix, 0.0))
    # Where the exact sum is zero, P_i is the running minimum itself, so the difference is exactly 0.
    sums = prefix - floor
    positions = np.arange(sums.size)
    last_zero = np.maximum.accumulate(np.where(sums == 0.0, positions, -1))
    runs = positions - last_zero
    return sums, runs
