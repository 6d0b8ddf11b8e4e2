"""A fixed-window rate limit counted in the Django cache (the database cache, or Redis in
production), shared by every web process."""

import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate):
    """``"30/min"`` -> ``(30, 60)``. The same notation as DRF's throttle rates."""
    try:
        count, period = rate.split("/")
        return int(count), PERIODS[period.strip().lower()]
    except (AttributeError, ValueError, KeyError):
        raise ImproperlyConfigured(f"A rate looks like '30/min'; got {rate!r}.")


def hit(scope, key, rate, now=None):
    """Count one request for ``key``; True when it is over ``rate`` in the current window."""
    limit, period = parse_rate(rate)
    window = int((now if now is not None else time.time()) // period)
    cache_key = f"qualitas:rate:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 5)
        count = 1
    return count > limit
