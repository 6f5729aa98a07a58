"""Org life: the only place that changes meetings, attendance, leave, exemptions, devices and points.

Every function runs in one transaction, writes its audit row inside it and sends its notices
through ``notify`` in the same transaction (delivered when it commits). Rules come from
DOMAIN.md §1.1 (frequencies, participants, leave, exemptions — 支部工作条例 2018, 教育管理条例
2019 art. 16/23) and §11 "三会一课 & org life"; each function names the rule it encodes.
Rule version of this package: ``RULE_VERSION``.

Submodules, one per aggregate (callers import from ``services`` itself, which re-exports them):

* ``meeting_types`` — custom meeting types;
* ``planning`` — plan, edit and cancel a meeting; invitations and the reminder;
* ``signin`` — open sign-in, sign in, roll call, close the meeting;
* ``flowing`` — flowing members' org life at the inflow organization (教育管理条例 art. 32);
* ``points`` — the points rule table and a closed meeting's points;
* ``absence`` — leave requests and decisions, make-up study (补课);
* ``exemptions`` — members exempt by rule (教育管理条例 art. 23);
* ``devices`` — sign-in devices, their keys and the device sign-in;
* ``_common`` — the rule version and the notices' context, shared by the others.

Tunable constants (``MAX_MEETING_HOURS``, ``DEFAULT_POINTS``, ``INFLOW_LOOKBACK_DAYS``, the
``SIGNIN_NOT_OPEN*`` codes) are not re-exported: they are read in their submodule, so a test that
changes one patches it there (``services.planning.MAX_MEETING_HOURS``).
"""
from ._common import RULE_VERSION
from .absence import decide_leave, managers_of, record_makeup, request_leave
from .devices import DeviceSignin, authenticate_device, create_device, deactivate_device, device_sign_in, device_sign_in_by_ids
from .exemptions import create_exemption, end_exemption
from .flowing import (
    INFLOW_RULE_ID,
    attendance_locked,
    credit_inflow_attendance,
    credit_inflow_recent,
    inflow_attendance_for,
    inflow_reason,
    type_period,
)
from .meeting_types import TYPE_FIELDS, create_meeting_type, update_meeting_type
from .planning import cancel_meeting, plan_meeting, reminder_minutes, send_due_reminders, update_meeting
from .points import award_points, points_rules
from .signin import (
    close_meeting,
    late_minutes,
    open_early_minutes,
    open_signin,
    roll_call,
    sign_in,
    sign_in_confirmed,
    status_for_signin,
)

__all__ = [
    "attendance_locked",
    "authenticate_device",
    "award_points",
    "cancel_meeting",
    "close_meeting",
    "create_device",
    "create_exemption",
    "create_meeting_type",
    "credit_inflow_attendance",
    "credit_inflow_recent",
    "deactivate_device",
    "decide_leave",
    "device_sign_in",
    "device_sign_in_by_ids",
    "DeviceSignin",
    "end_exemption",
    "INFLOW_RULE_ID",
    "inflow_attendance_for",
    "inflow_reason",
    "late_minutes",
    "managers_of",
    "open_early_minutes",
    "open_signin",
    "plan_meeting",
    "points_rules",
    "record_makeup",
    "reminder_minutes",
    "request_leave",
    "roll_call",
    "RULE_VERSION",
    "send_due_reminders",
    "sign_in",
    "sign_in_confirmed",
    "status_for_signin",
    "type_period",
    "TYPE_FIELDS",
    "update_meeting",
    "update_meeting_type",
]
