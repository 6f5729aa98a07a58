"""One way to read configuration (issue 9 item 6).

Every setting of the platform is ``DANGJIAN_<NAME>`` in the Django settings (the production
profile fills them from the environment: dangjian/settings/production.py). Apps read them here,
never with ``getattr(settings, ...)`` or ``os.environ`` of their own
(``tests/core/test_config.py`` checks):

* :func:`value` — one value: ``config.value("ORGLIFE_DEVICE_RATE", "600/min")``;
* :func:`section` — a dict of numbers with defaults, overridden key by key:
  ``config.section("ELECTIONS", DEFAULTS)``; a key the defaults do not know is refused at once
  (``ImproperlyConfigured``), so a misspelt override never passes silently.

Both read the settings at call time, so ``override_settings`` in tests and a reload after a
settings change behave as before.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "DANGJIAN_"


def value(name: str, default: Any = None) -> Any:
    """``settings.DANGJIAN_<name>``, or ``default`` when it is not set."""
    return getattr(settings, PREFIX + name, default)


def section(name: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """``defaults`` overridden by the dict ``settings.DANGJIAN_<name>`` (a new dict each call)."""
    given = getattr(settings, PREFIX + name, None) or {}
    if not isinstance(given, dict):
        raise ImproperlyConfigured(f"{PREFIX}{name} must be a dict of settings, not {type(given).__name__}")
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        raise ImproperlyConfigured(f"{PREFIX}{name}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(defaults))}")
    return {**defaults, **given}
