"""Overall equipment effectiveness and process yields.

OEE (Nakajima, S., *Introduction to TPM*, Productivity Press 1988; the factor definitions and the
worked example of Vorne Industries' OEE reference, oee.com "Calculate OEE")::

    Availability = run time / planned production time,   run time = planned time - stop time
    Performance  = ideal cycle time x total count / run time
    Quality      = good count / total count
    OEE          = Availability x Performance x Quality
                 = good count x ideal cycle time / planned production time

Yields (Breyfogle, F. W., *Implementing Six Sigma*, 2nd ed., Wiley 2003, Section 1.19)::

    first-pass yield FPY = units passing a step the first time (no rework, no scrap) / units entering
    rolled throughput yield RTY = product of the steps' first-pass yields
    yield from defects per unit (Poisson): Y = exp(-DPU)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from qualitas.stats._validation import finite_number, finite_vector
from qualitas.stats.errors import StatsError

__all__ = ["OEE", "first_pass_yield", "oee", "oee_from_counts", "rolled_throughput_yield", "yield_from_dpu"]


@dataclass(frozen=True)
class OEE:
    availability: float
    performance: float
    quality: float

    @property
    def oee(self) -> float:
        return self.availability * self.performance * self.quality

    def to_dict(self) -> dict[str, float]:
        return {
            "availability": self.availability,
            "performance": self.performance,
            "quality": self.quality,
            "oee": self.oee,
        }


def _fraction(value, name: str, allow_above_one: bool = False) -> float:
    number = finite_number(value, name)
    if number < 0 or (number > 1 and not allow_above_one):
        raise StatsError(f"{name} must be a fraction between 0 and 1, got {value!r}")
    return number


def oee(availability: float, performance: float, quality: float) -> OEE:
    """OEE from its three factors, each a fraction between 0 and 1."""
    return OEE(
        _fraction(availability, "availability"),
        _fraction(performance, "performance"),
        _fraction(quality, "quality"),
    )


def oee_from_counts(
    planned_time: float,
    stop_time: float,
    ideal_cycle_time: float,
    total_count: float,
    good_count: float,
) -> OEE:
    """OEE from times (in one unit, e.g. seconds) and counts.

    A performance above 1 means the ideal cycle time is wrong (faster than ideal) and is an
    error rather than being capped silently.
    """
    planned = finite_number(planned_time, "planned_time")
    if planned <= 0:
        raise StatsError("planned_time must be greater than zero")
    stops = finite_number(stop_time, "stop_time")
    if not 0 <= stops <= planned:
        raise StatsError("stop_time must be between 0 and planned_time")
    cycle = finite_number(ideal_cycle_time, "ideal_cycle_time")
    if cycle <= 0:
        raise StatsError("ideal_cycle_time must be greater than zero")
    total = finite_number(total_count, "total_count")
    good = finite_number(good_count, "good_count")
    if total < 0 or not 0 <= good <= total:
        raise StatsError("counts must satisfy 0 <= good_count <= total_count")
    run_time = planned - stops
    availability = run_time / planned
    if run_time == 0:
        if total > 0:
            raise StatsError("parts were counted but the run time is zero")
        return OEE(0.0, 0.0, 0.0)
    performance = cycle * total / run_time
    if performance > 1 + 1e-12:
        raise StatsError(
            f"performance is {performance:.3f} (> 1): the ideal cycle time is longer than the actual one"
        )
    quality = good / total if total > 0 else 0.0
    return OEE(availability, min(performance, 1.0), quality)


def first_pass_yield(units_in: float, units_passed_first_time: float) -> float:
    """FPY = units passing first time / units entering the step."""
    entering = finite_number(units_in, "units_in")
    passed = finite_number(units_passed_first_time, "units_passed_first_time")
    if entering <= 0:
        raise StatsError("units_in must be greater than zero")
    if not 0 <= passed <= entering:
        raise StatsError("units_passed_first_time must be between 0 and units_in")
    return passed / entering


def rolled_throughput_yield(yields: Iterable[float]) -> float:
    """RTY = product of the first-pass yields of the process steps."""
    values = finite_vector(list(yields), "yields")
    if ((values < 0) | (values > 1)).any():
        raise StatsError("every yield must be a fraction between 0 and 1")
    return float(math.prod(values.tolist()))


def yield_from_dpu(defects_per_unit: float) -> float:
    """Throughput yield from defects per unit under the Poisson model: exp(-DPU)."""
    dpu = finite_number(defects_per_unit, "defects_per_unit")
    if dpu < 0:
        raise StatsError("defects_per_unit must not be negative")
    return math.exp(-dpu)
