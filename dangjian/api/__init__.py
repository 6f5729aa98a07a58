"""REST API v1 (DRF + drf-spectacular). The access table is :mod:`dangjian.api.registry`."""
from .registry import API_POLICY, API_TARGETS, AUTHENTICATED, PUBLIC

__all__ = ["API_POLICY", "API_TARGETS", "AUTHENTICATED", "PUBLIC"]
