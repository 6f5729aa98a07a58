"""Message kinds of member development (reminders before each deadline, DOMAIN §11 [remind])."""
from __future__ import annotations

LINK = "/development/cases/{case}/"
#: (zh-hans title, zh-hans body, English title, English body) per kind
_TEXTS = {
    "development.talk": ("入党申请人谈话提醒：{name}", "{name}同志的入党申请谈话应于{due}前完成（{rule}）。",
                         "Talk due: {name}", "The talk with applicant {name} is due by {due} ({rule})."),
    "development.assessment": ("入党积极分子考察提醒：{name}", "{name}同志的半年考察应于{due}前完成（{rule}）。",
                               "Activist assessment due: {name}", "The half-yearly assessment of {name} is due by {due} ({rule})."),
    "development.meeting": ("支部大会提醒：{name}", "{name}同志预审通过已满1个月，应于{due}前召开支部大会（{rule}）。",
                            "Branch meeting due: {name}", "The branch general meeting for {name} was due by {due} ({rule})."),
    "development.approval": ("审批超期：{name}", "{name}同志的入党审批已超期（{due}，{rule}）。",
                             "Approval overdue: {name}", "The approval of {name}'s admission is overdue ({due}, {rule})."),
    "development.oath": ("入党宣誓提醒：{name}", "{name}同志应于{due}前进行入党宣誓（{rule}）。",
                         "Oath due: {name}", "{name} should take the oath by {due} ({rule})."),
    "development.probation": ("预备期即将届满：{name}", "{name}同志的预备期将于{due}届满，请及时提出转正申请并讨论转正（{rule}）。",
                              "Probation ending: {name}", "{name}'s probation ends on {due}; apply for and discuss conversion in time ({rule})."),
    "development.conversion": ("转正超期：{name}", "{name}同志的预备期已于{due}届满，尚未讨论转正（{rule}）。",
                               "Conversion overdue: {name}", "{name}'s probation ended on {due} without a conversion decision ({rule})."),
}
ALERT_KIND = {"talk": "development.talk", "assessment": "development.assessment", "meeting": "development.meeting",
              "approval": "development.approval", "oath": "development.oath", "probation_1m": "development.probation",
              "probation_1w": "development.probation", "conversion": "development.conversion",
              "conversion_approval": "development.approval"}

#: This app's message kinds, as every app declares them (registered from ``ready()``)
KINDS = {kind: {"title": {"zh-hans": tz, "en": te}, "body": {"zh-hans": bz, "en": be}, "link": LINK}
         for kind, (tz, bz, te, be) in _TEXTS.items()}
