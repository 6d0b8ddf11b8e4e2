"""Fixtures for the account security tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit and throttle counters live in the cache, which outlives each test's database."""
    cache.clear()
    yield
    cache.clear()
