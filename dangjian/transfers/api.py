"""The transfers app (组织关系转接、流动党员) seen from outside.

Only seams so far: the apps above this one fill them from their ``ready()`` (issue 9: the lower
layer owns the registry, so no import points back down-up)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .models import AwayKind, AwayRecord, CaseKind, CaseStatus, InflowRecord, MembershipCase
from .services import raise_lapse_review

#: ``fn(*, member_id, inflow_path)`` → the member's attendance rows at meetings of the inflow
#: organization's subtree, newest first (sliceable). Registered by the org-life app.
inflow_attendance_source: Callable[..., Sequence[Any]] | None = None


def register_inflow_attendance(fn: Callable[..., Sequence[Any]]) -> None:
    """Where the flowing-member pages read the member's org life at the inflow organization."""
    global inflow_attendance_source  # noqa: PLW0603  (the one registration point of this seam)
    inflow_attendance_source = fn


__all__ = [
    "AwayKind",
    "AwayRecord",
    "CaseKind",
    "CaseStatus",
    "inflow_attendance_source",
    "InflowRecord",
    "MembershipCase",
    "raise_lapse_review",
    "register_inflow_attendance",
]
