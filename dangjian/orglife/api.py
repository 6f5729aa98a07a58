"""The org-life app (组织生活) seen from outside: the Python entry points other parts of the
platform may call. The REST endpoint for sign-in devices lives in :mod:`dangjian.api.orglife`."""
from .models import HELD_STATUSES, PRESENT_STATUSES, Attendance, AttendanceStatus, Audience, Frequency, Meeting, MeetingStatus, MeetingType
from .selectors import LECTURE_CODE, STUDY_HOURS_PER_YEAR, attendance_summary, exempt_member_ids, members_below_study_hours
from .services import DeviceSignin, authenticate_device, close_meeting, device_sign_in_by_ids

__all__ = [
    "Attendance",
    "attendance_summary",
    "AttendanceStatus",
    "Audience",
    "authenticate_device",
    "close_meeting",
    "device_sign_in_by_ids",
    "DeviceSignin",
    "exempt_member_ids",
    "Frequency",
    "HELD_STATUSES",
    "LECTURE_CODE",
    "Meeting",
    "MeetingStatus",
    "MeetingType",
    "members_below_study_hours",
    "PRESENT_STATUSES",
    "STUDY_HOURS_PER_YEAR",
]
