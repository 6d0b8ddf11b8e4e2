"""Input checks shared by the statistics modules (private)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from qualitas.stats.errors import StatsError


def finite_vector(values, name: str = "values", minimum: int = 1) -> np.ndarray:
    """A 1-D float64 array of finite numbers with at least ``minimum`` elements."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise StatsError(f"{name} must be numbers: {error}") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise StatsError(f"{name} must be a flat sequence of numbers, got {array.ndim} dimensions")
    if array.size < minimum:
        raise StatsError(f"{name} needs at least {minimum} value(s), got {array.size}")
    if not np.isfinite(array).all():
        bad = np.flatnonzero(~np.isfinite(array))
        raise StatsError(f"{name} contains NaN or infinite values at positions {bad[:10].tolist()}")
    return array


def finite_number(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise StatsError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(number):
        raise StatsError(f"{name} must be finite, got {value!r}")
    return number


def non_negative_number(value, name: str) -> float:
    number = finite_number(value, name)
    if number < 0:
        raise StatsError(f"{name} must not be negative, got {value!r}")
    return number


def positive_number(value, name: str) -> float:
    number = finite_number(value, name)
    if number <= 0:
        raise StatsError(f"{name} must be greater than zero, got {value!r}")
    return number


def positive_integer(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool):
        raise StatsError(f"{name} must be an integer, got {value!r}")
    try:
        integer = int(value)
    except (TypeError, ValueError):
        raise StatsError(f"{name} must be an integer, got {value!r}") from None
    if integer != value:
        raise StatsError(f"{name} must be a whole number, got {value!r}")
    if integer < minimum:
        raise StatsError(f"{name} must be at least {minimum}, got {value!r}")
    return integer


def index_mask(exclude: Iterable[int] | None, size: int, name: str = "exclude") -> np.ndarray:
    """A boolean mask, True for the points that take part in the limit calculation."""
    keep = np.ones(size, dtype=bool)
    if exclude is None:
        return keep
    for index in exclude:
        if isinstance(index, bool) or int(index) != index:
            raise StatsError(f"{name} must hold integer point indices, got {index!r}")
        position = int(index)
        if not -size <= position < size:
            raise StatsError(f"{name} index {position} is out of range for {size} points")
        keep[position] = False
    return keep
