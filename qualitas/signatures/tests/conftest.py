import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Sign-in rate limits live in the cache, which outlives each test's database."""
    cache.clear()
    yield
    cache.clear()
