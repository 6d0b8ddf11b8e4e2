"""Bias-correction constants for control charts, computed rather than copied from tables.

The printed tables (Montgomery, *Introduction to Statistical Quality Control*, Appendix VI;
ASTM E2587; AIAG SPC manual) round d2, d3 and c4 to three or four decimals. Here they are computed
to about ten significant digits, so limits do not inherit rounding from a table.

* ``c4(n)``: exact, from the gamma function.
* ``d2(n)`` and ``d3(n)``: the mean and standard deviation of the range of ``n`` independent
  standard normal variables, by numerical integration of the range distribution (Tippett 1925;
  formulae as in Montgomery, 7th ed., Section 6.2 and Appendix VI).
* ``d2_star(m, g)``: Duncan's d2* for the average of ``g`` ranges of ``m`` (Patnaik's chi
  approximation), used by the AIAG average-and-range gage study.

Derived chart factors (A2, A3, B3, B4, D3, D4, ...) are written out where they are used, from
these constants and their textbook definitions.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

from qualitas.stats._validation import positive_integer
from qualitas.stats.errors import StatsError

__all__ = ["c4", "d2", "d2_star", "d3", "range_moments"]

# Composite 16-point Gauss-Legendre rule. The integrands below are analytic and decay like a
# normal tail, so 36 panels over +-(9 + log10 n) reproduce adaptive quadrature
# (scipy.integrate.quad) to better than 1e-10; see tests/test_constants.py.
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(16)
_PANELS = 36
_MAX_N = 10_000


def _grid(lower: float, upper: float) -> tuple[np.ndarray, np.ndarray]:
    edges = np.linspace(lower, upper, _PANELS + 1)
    half = np.diff(edges) / 2
    middle = (edges[:-1] + edges[1:]) / 2
    points = (middle[:, None] + half[:, None] * _NODES[None, :]).ravel()
    weights = (half[:, None] * _WEIGHTS[None, :]).ravel()
    return points, weights


@lru_cache(maxsize=256)
def range_moments(n: int) -> tuple[float, float]:
    """(d2, d3): mean and standard deviation of the range of ``n`` standard normal variables.

    With Phi the standard normal CDF and phi its density (Tippett 1925; David & Nagaraja,
    *Order Statistics*, 3rd ed., Section 4.2)::

        d2 = E[R]   = integral over x of  1 - Phi(x)^n - (1 - Phi(x))^n
        P(R > r)    = n * integral over x of phi(x) * [(1 - Phi(x))^(n-1) - (Phi(x+r) - Phi(x))^(n-1)]
        E[R^2]      = integral over r >= 0 of  2 r P(R > r)
        d3 = sqrt(E[R^2] - d2^2)
    """
    n = positive_integer(n, "subgroup size n", minimum=2)
    if n > _MAX_N:
        raise StatsError(f"subgroup size n must be at most {_MAX_N}, got {n}")
    bound = 9.0 + math.log10(n)
    x, x_weights = _grid(-bound, bound)
    log_below = special.log_ndtr(x)
    log_above = special.log_ndtr(-x)
    mean_range = float((-np.expm1(n * log_below) - np.exp(n * log_above)) @ x_weights)

    r, r_weights = _grid(0.0, 2.0 * bound)
    column = x[:, None]
    width = r[None, :]
    # Phi(x + r) - Phi(x), taken from the nearer tail to avoid cancellation.
    between = np.where(
        column > 0,
        special.ndtr(-column) - special.ndtr(-column - width),
        special.ndtr(column + width) - special.ndtr(column),
    )
    density = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    exceed = x_weights @ (n * density[:, None] * (np.exp((n - 1) * log_above)[:, None] - between ** (n - 1)))
    second_moment = float((2.0 * r * exceed) @ r_weights)
    return mean_range, math.sqrt(second_moment - mean_range * mean_range)


def d2(n: int) -> float:
    """Mean of the relative range R/sigma for subgroups of ``n`` normal values (d2(5) = 2.326)."""
    return range_moments(n)[0]


def d3(n: int) -> float:
    """Standard deviation of the relative range R/sigma (d3(5) = 0.864)."""
    return range_moments(n)[1]


@lru_cache(maxsize=256)
def c4(n: int) -> float:
    """E[s]/sigma for samples of ``n`` normal values.

    c4(n) = sqrt(2 / (n - 1)) * Gamma(n / 2) / Gamma((n - 1) / 2)
    (Montgomery, 7th ed., Section 6.3 and Appendix VI; c4(5) = 0.9400).
    """
    n = positive_integer(n, "subgroup size n", minimum=2)
    return math.sqrt(2.0 / (n - 1)) * math.exp(special.gammaln(n / 2.0) - special.gammaln((n - 1) / 2.0))


def d2_star(m: int, g: int) -> float:
    """Duncan's d2* for the mean of ``g`` ranges of subgroups of size ``m``.

    Patnaik (1950) approximates the distribution of the mean range by a scaled chi distribution
    matching its first two moments, which gives d2*^2 = d2(m)^2 + d3(m)^2 / g. This reproduces the
    d2* table of Duncan, *Quality Control and Industrial Statistics*, 5th ed., Table D3, and of the
    AIAG MSA manual, 4th ed., Appendix C (d2*(3, 1) = 1.91155, d2*(10, 1) = 3.17905).
    """
    g = positive_integer(g, "number of ranges g", minimum=1)
    mean_range, spread = range_moments(m)
    return math.sqrt(mean_range * mean_range + spread * spread / g)
