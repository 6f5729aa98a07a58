import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """Public pages are cached and rate-limited in the (process-wide) cache: start each test clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
