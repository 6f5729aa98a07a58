"""The versioned rule pack of member development (发展党员), DOMAIN.md §4 and §11.

Two packs ship:

* ``"2014"`` — 《中国共产党发展党员工作细则》 of 2014-05-28 (rule version ``2014.05``), the text
  the 25 steps of DOMAIN §4.1 come from. Superseded in May 2026 (DOMAIN §0), kept for cases
  opened under it.
* ``"2026"`` — the revised 细则 issued by 中办 in May 2026 (rule version ``2026.05``). Its full
  text is not loaded yet (DOMAIN §4.4: article numbers **inferred** from code 63125837090), so
  every item that is uncertain is a switch in ``DANGJIAN_DEVELOPMENT_2026_ITEMS``
  (default: all on) until the official text is diffed in.

``settings.DANGJIAN_DEVELOPMENT_RULE_PACK`` (default ``"2026"``) chooses the pack of new cases; a
case stores the pack version and the effective items it was opened under
(``DevelopmentCase.rule_pack`` / ``rule_items``), so a later change of settings never rewrites
the rules a running case is judged by.

Each rule has an id, the article, the rule version, the source (DOMAIN reference) and a
severity: ``block`` (refuse), ``warn`` (allowed, stored and shown), ``red`` (a warning shown in
red: overdue), ``remind`` (scheduled reminder).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from dangjian.core import config

BLOCK, WARN, RED, REMIND = "block", "warn", "red", "remind"

# responsible bodies
APPLICANT, BRANCH, BRANCH_COMMITTEE, BRANCH_MEETING, UPPER = "applicant", "branch", "branch_committee", "branch_meeting", "upper"
BODY_LABELS = {
    APPLICANT: _("The applicant"),
    BRANCH: _("The Party branch"),
    BRANCH_COMMITTEE: _("The branch committee (支委会)"),
    BRANCH_MEETING: _("The branch general meeting (支部大会)"),
    UPPER: _("The upper Party committee"),
}

# conclusion kinds
NONE, DONE, PASSED, VOTE, CONVERT, ARCHIVE = "none", "done", "passed", "vote", "convert", "archive"

# the five required archive documents of DOMAIN §4.2 "Archive"
ARCHIVE_DOCUMENTS = [
    ("application", _("Written application for Party membership (入党申请书)")),
    ("volunteer_form", _("Application form for Party membership (入党志愿书)")),
    ("political_review", _("Political review materials (政治审查材料)")),
    ("training_records", _("Training and observation records (培养教育考察材料)")),
    ("conversion_application", _("Application for full membership (转正申请书)")),
]


@dataclass(frozen=True)
class Step:
    code: int
    stage: int
    name_zh: str
    name_en: str
    body: str
    documents: tuple[str, ...] = ()
    conclusion: str = DONE

    @property
    def order(self) -> int:
        return self.code

    @property
    def needs_approve(self) -> bool:
        """Steps of the upper Party committee need the "approve" action (POLICY)."""
        return self.body == UPPER


STAGES = {
    1: ("申请入党", "Application"),
    2: ("入党积极分子的确定和培养教育", "Activists: selection and training"),
    3: ("发展对象的确定和考察", "Development objects: selection and observation"),
    4: ("预备党员的接收", "Admission of probationary members"),
    5: ("预备党员的教育考察和转正", "Probation and conversion to full membership"),
}

# DOMAIN §4.1 (2014 细则, as used by systems; code 69207496433, 10970036017)
STEPS: tuple[Step, ...] = (
    Step(1, 1, "递交入党申请书", "Written application submitted", APPLICANT, ("入党申请书",)),
    Step(2, 1, "党组织派人谈话", "Talk with the applicant", BRANCH, ("谈话记录",)),
    Step(3, 2, "确定入党积极分子", "Activist decided (recommendation; 支委会 decides)", BRANCH_COMMITTEE, ("推荐材料", "支委会会议记录")),
    Step(4, 2, "报上级党委备案", "Activist filed with the upper Party committee", UPPER, ("备案表",)),
    Step(5, 2, "指定培养联系人", "Training contacts appointed (1–2 full members)", BRANCH_COMMITTEE, ()),
    Step(6, 2, "培养教育考察", "Training, education and observation", BRANCH, ("培养考察登记表",)),
    Step(7, 3, "确定发展对象", "Development object decided", BRANCH_COMMITTEE, ("支委会会议记录", "公示材料")),
    Step(8, 3, "报上级党委备案", "Development object filed with the upper Party committee", UPPER, ("备案表",)),
    Step(9, 3, "确定入党介绍人", "Two introducers named", BRANCH, ()),
    Step(10, 3, "进行政治审查", "Political review (政治审查)", BRANCH_COMMITTEE, ("政审报告",), PASSED),
    Step(11, 3, "开展集中培训", "Short intensive training (集中培训)", UPPER, ("培训结业证明",)),
    Step(12, 4, "支部委员会审查", "Review by the branch committee", BRANCH_COMMITTEE, ("支委会会议记录",)),
    Step(13, 4, "上级党委预审", "Pre-review by the upper Party committee (预审)", UPPER, ("预审意见",), PASSED),
    Step(14, 4, "填写入党志愿书", "Application form (入党志愿书) filled in", BRANCH, ("入党志愿书",)),
    Step(15, 4, "支部大会讨论", "Branch general meeting discusses and votes", BRANCH_MEETING, ("支部大会会议记录", "表决票"), VOTE),
    Step(16, 4, "上级党委派人谈话", "Talk by the upper Party committee", UPPER, ("谈话记录",)),
    Step(17, 4, "上级党委审批", "Approval by the upper Party committee (审批)", UPPER, ("审批意见",), PASSED),
    Step(18, 4, "再上一级党委组织部门备案", "Filed with the organization department one level higher", UPPER, ("备案表",)),
    Step(19, 5, "编入党支部和党小组", "Placed in the branch and a Party group", BRANCH, ()),
    Step(20, 5, "入党宣誓", "Oath before the Party flag (入党宣誓)", BRANCH, ("宣誓记录",)),
    Step(21, 5, "继续教育考察", "Continued education and observation", BRANCH, ("考察记录",)),
    Step(22, 5, "提出转正申请", "Application for full membership", APPLICANT, ("转正申请书",)),
    Step(23, 5, "支部大会讨论", "Branch general meeting discusses conversion", BRANCH_MEETING, ("支部大会会议记录",), CONVERT),
    Step(24, 5, "上级党委审批", "Conversion approved by the upper Party committee", UPPER, ("审批意见",), PASSED),
    Step(25, 5, "材料归档", "Materials archived (材料归档)", BRANCH, (), ARCHIVE),
)
STEP_BY_CODE = {s.code: s for s in STEPS}
LAST_STEP = STEPS[-1].code

# the pipeline's stages of a person (by the last step completed)
PERSON_STAGES = [
    ("applicant", _("Applicants"), 1, 2),
    ("activist", _("Activists"), 3, 6),
    ("object", _("Development objects"), 7, 16),
    ("probationary", _("Probationary members"), 17, 24),
]


def person_stage(last_code: int) -> str:
    for key, _label, lo, hi in PERSON_STAGES:
        if lo <= last_code <= hi:
            return key
    return "full" if last_code >= 25 else "applicant"


@dataclass(frozen=True)
class Rule:
    id: str
    article: str
    severity: str
    text: str
    source: str
    item: str = ""  # a switchable item of the 2026 pack ("" = always on)


def _rules(version: str, art: dict[str, str]) -> dict[str, Rule]:
    """The rule table of one pack; ``art`` maps rule id → article of that version."""
    rows = [
        ("age18", BLOCK, _("The applicant must be at least 18 on the application date (年满十八岁)."), "DOMAIN §4.2 row 1, §11"),
        ("talk_1m", RED, _("The Party organisation talks with the applicant within 1 month of the application."), "DOMAIN §4.2, §11 [warn→red]"),
        ("assess_6m", REMIND, _("The branch assesses each activist every 6 months."), "DOMAIN §4.2, §11 [remind]"),
        ("contacts_1_2", BLOCK, _("1–2 full members are appointed as training contacts."), "DOMAIN §4.2"),
        ("activist_1y", BLOCK, _("A development object must have been an activist for at least 1 year."), "DOMAIN §4.2, §11 [block]"),
        ("publicity_object", BLOCK, _("Publicity of at least the set number of working days before listing as development object; no decision dated inside the publicity window."), "DOMAIN §4.2, §4.4, §11 [cfg]"),
        ("introducers_2_full", BLOCK, _("Two introducers who are full members of the platform (not under 留党察看)."), "DOMAIN §4.2, §11 [block]"),
        ("political_review", BLOCK, _("No admission without a passed political review (written conclusion)."), "DOMAIN §4.2, §11 [block]"),
        ("training_3d_24h", BLOCK, _("Intensive training of at least 3 days or 24 class hours."), "DOMAIN §4.2, §11 [block]"),
        ("leaving_3m", WARN, _("The development object will leave the unit within 3 months."), "DOMAIN §4.2, §11 [warn]"),
        ("prereview_before_vote", BLOCK, _("The branch general meeting votes only after the pre-review passed."), "DOMAIN §4.2, §11 [block]"),
        ("meeting_1m_after_prereview", WARN, _("The branch general meeting is held within 1 month after the pre-review passed."), "DOMAIN §4.2, §11 [warn]"),
        ("publicity_admission", BLOCK, _("Publicity of at least the set number of working days before the admission vote; no decision dated inside the window."), "DOMAIN §4.2, §11 [cfg]"),
        ("vote_majority", BLOCK, _("The vote needs more than half of the voting members present and yes votes of more than half of those who should attend."), "DOMAIN §1.2, §11 [block]"),
        ("approval_3m", WARN, _("The upper Party committee approves within 3 months of the branch general meeting."), "DOMAIN §4.2, §11 [warn]"),
        ("approval_6m", RED, _("Approval never later than 6 months after the branch general meeting."), "DOMAIN §4.2, §11 [red]"),
        ("oath_1m", WARN, _("The oath is taken within 1 month of approval."), "DOMAIN §4.2, §4.4, §11 [cfg]"),
        ("probation_1y", REMIND, _("Probation lasts 1 year from the branch general meeting; reminders 1 month and 1 week before it ends."), "DOMAIN §4.2 (党章 art. 7), §11 [remind]"),
        ("conversion_after_expiry", BLOCK, _("Conversion is discussed when the probation has ended, not before."), "DOMAIN §4.2 (党章 art. 7)"),
        ("conversion_overdue", WARN, _("No conversion decision after the probation ended."), "DOMAIN §11 [warn]"),
        ("extension_once_6_12", BLOCK, _("The probation may be extended once only, by at least 6 and at most 12 months."), "DOMAIN §4.2 (党章 art. 7), §11 [block]"),
        ("extension_at_expiry", BLOCK, _("An extension is decided by the branch general meeting when the probation ends, not earlier than the configured days before its end."), "DOMAIN §4.2 (党章 art. 7), §11 [cfg]"),
        ("publicity_conversion", BLOCK, _("Publicity of at least the set number of working days before the conversion vote; no decision dated inside the window."), "DOMAIN §4.2, §11 [cfg]"),
        ("conversion_approval_3m", WARN, _("Conversion approved within 3 months of the branch general meeting."), "DOMAIN §4.2, §11 [warn]"),
        ("standing_from_conversion", BLOCK, _("Party standing (党龄) counts from the date of full membership (the end of probation)."), "DOMAIN §4.2 (党章 art. 7)"),
        ("archive_5_docs", BLOCK, _("The five required documents are archived before the case closes."), "DOMAIN §4.2 Archive, §11"),
        ("human_conclusion", BLOCK, _("Organisational conclusions are entered by an authorised person, never by the system."), "DOMAIN §4.4, §11 [block]"),
        ("step_order", BLOCK, _("Steps are recorded in order: none skipped, repeated or reordered; dates never go back."), "DOMAIN §4.1, §11 [block]"),
    ]
    items = {"publicity_object": "publicity_object", "publicity_admission": "publicity_admission",
             "publicity_conversion": "publicity_conversion", "oath_1m": "oath_within_month"}
    return {rid: Rule(rid, art.get(rid, ""), sev, text, source, items.get(rid, "")) for rid, sev, text, source in rows}


ART_2014 = {
    "age18": "细则(2014) art. 5", "talk_1m": "细则(2014) art. 8", "assess_6m": "细则(2014) art. 12",
    "contacts_1_2": "细则(2014) art. 10", "activist_1y": "细则(2014) art. 13", "introducers_2_full": "细则(2014) art. 15",
    "political_review": "细则(2014) art. 16", "training_3d_24h": "细则(2014) art. 17", "leaving_3m": "细则(2014) art. 19",
    "prereview_before_vote": "细则(2014) art. 19", "meeting_1m_after_prereview": "local practice (tccu.edu.cn)",
    "vote_majority": "细则(2014) art. 22", "approval_3m": "细则(2014) art. 26", "approval_6m": "细则(2014) art. 26",
    "probation_1y": "党章 art. 7; 细则(2014) art. 27", "conversion_after_expiry": "党章 art. 7",
    "conversion_overdue": "细则(2014) art. 32", "extension_once_6_12": "党章 art. 7; 细则(2014) art. 32",
    "extension_at_expiry": "党章 art. 7; 细则(2014) art. 32",
    "conversion_approval_3m": "细则(2014) art. 33", "standing_from_conversion": "党章 art. 7; 细则(2014) art. 34",
    "archive_5_docs": "细则(2014) art. 36", "human_conclusion": "细则(2014) arts. 9, 14, 19, 26",
    "step_order": "细则(2014) ch. 2–6", "publicity_object": "local practice", "publicity_admission": "local practice",
    "publicity_conversion": "local practice", "oath_1m": "local practice",
}
# 2026 article numbers as claimed by code 63125837090 (DOMAIN §4.4) — inferred
ART_2026 = {
    **{k: v.replace("细则(2014)", "细则(2026)") for k, v in ART_2014.items()},
    "talk_1m": "细则(2026) art. 7 (inferred)", "assess_6m": "细则(2026) art. 11 (inferred)",
    "activist_1y": "细则(2026) art. 13 (inferred)", "publicity_object": "细则(2026) art. 13 (inferred)",
    "political_review": "细则(2026) art. 16 (inferred)", "training_3d_24h": "细则(2026) art. 17 (inferred)",
    "prereview_before_vote": "细则(2026) art. 18 (inferred)", "meeting_1m_after_prereview": "细则(2026) art. 19 (inferred)",
    "vote_majority": "细则(2026) art. 22 (inferred)", "approval_3m": "细则(2026) art. 25 (inferred)",
    "approval_6m": "细则(2026) art. 25 (inferred)", "oath_1m": "细则(2026) art. 29 (inferred)",
    "probation_1y": "党章 art. 7; 细则(2026) art. 31 (inferred)", "conversion_overdue": "细则(2026) art. 32 (inferred)",
    "conversion_approval_3m": "细则(2026) art. 33 (inferred)", "archive_5_docs": "细则(2026) art. 36 (inferred)",
    "publicity_admission": "细则(2026) (inferred; local practice)", "publicity_conversion": "细则(2026) (inferred; local practice)",
    "human_conclusion": "细则(2026) (inferred, DOMAIN §4.4)",
}

# switchable items; the 2014 pack has none of them on (they are local practice there)
ITEMS_2026_DEFAULT = {
    "publicity_object": True,       # ≥N working days of publicity before listing as development object (art. 13)
    "publicity_admission": True,    # … before the admission vote
    "publicity_conversion": True,   # … before the conversion vote
    "oath_within_month": True,      # oath ≤1 month after approval (art. 29)
    "publicity_working_days": 5,    # N
}


@dataclass(frozen=True)
class RulePack:
    key: str
    version: str
    title: str
    rules: dict[str, Rule]
    items: dict = field(default_factory=dict)

    def rule(self, rid: str) -> Rule:
        return self.rules[rid]

    def on(self, rid: str) -> bool:
        """Is the rule in force in this pack (switchable items follow ``items``)?"""
        r = self.rules[rid]
        return not r.item or bool(self.items.get(r.item))

    @property
    def publicity_days(self) -> int:
        return int(self.items.get("publicity_working_days", 5))


PACK_VERSIONS = {"2014": "2014.05", "2026": "2026.05"}


def items_for(key: str) -> dict:
    """The effective switches for a new case under pack ``key`` (settings read now)."""
    if key == "2014":
        return {k: (5 if k == "publicity_working_days" else False) for k in ITEMS_2026_DEFAULT}
    items = dict(ITEMS_2026_DEFAULT)
    items.update(config.value("DEVELOPMENT_2026_ITEMS", {}) or {})
    return items


def current_pack_key() -> str:
    key = str(config.value("DEVELOPMENT_RULE_PACK", "2026"))
    return key if key in PACK_VERSIONS else "2026"


def get_pack(version: str | None = None, items: dict | None = None) -> RulePack:
    """The pack for a stored version (``"2014.05"`` / ``"2026.05"``, or a key), with the items a
    case recorded; without arguments, the pack new cases open under."""
    key = next((k for k, v in PACK_VERSIONS.items() if version in (k, v)), None) if version else current_pack_key()
    key = key or "2026"
    art = ART_2014 if key == "2014" else ART_2026
    title = _("Member Development Rules 2014 (细则 2014)") if key == "2014" else _("Member Development Rules, May 2026 revision (items switchable)")
    return RulePack(key, PACK_VERSIONS[key], str(title), _rules(PACK_VERSIONS[key], art), items if items is not None else items_for(key))


def cite(pack: RulePack, rid: str) -> str:
    """"[rule id · article · rule version]" for messages and warnings."""
    r = pack.rules[rid]
    return f"[{rid} · {r.article} · {pack.version}]"
