import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are asserted in English (the UI default is zh-hans)."""
    with translation.override("en"):
        yield
