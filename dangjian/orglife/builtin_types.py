"""The built-in meeting types of DOMAIN.md §1.1 / §11 "三会一课 & org life" (national rules).

Each: (code, name, name_en, audience, frequency, required, due_quarter, voting, rule_ref).
Counties add their own types (owner set); these have no owner and apply everywhere.
"""
BUILTIN_TYPES = [
    ("general_meeting", "支部党员大会", "Branch general meeting", "all", "quarter", True, 0, True,
     "《中国共产党支部工作条例（试行）》第十一条：每季度至少召开1次"),
    ("committee_meeting", "支委会", "Branch committee meeting", "committee", "month", True, 0, False,
     "《中国共产党支部工作条例（试行）》：支部委员会会议一般每月召开1次"),
    ("group_meeting", "党小组会", "Party group meeting", "group", "month", True, 0, False,
     "《中国共产党支部工作条例（试行）》：党小组会一般每月召开1次"),
    ("party_lecture", "党课", "Party lecture", "all", "quarter", True, 0, False,
     "《中国共产党支部工作条例（试行）》第十六条：党课每季度至少1次"),
    ("theme_day", "主题党日", "Theme Party Day", "all", "month", True, 0, False,
     "《中国共产党党员教育管理工作条例》第十六条：每月开展1次主题党日"),
    ("life_meeting", "组织生活会", "Organizational life meeting", "all", "year", True, 4, False,
     "《中国共产党党员教育管理工作条例》第十七条：每年至少召开1次，一般安排在第四季度"),
    ("appraisal", "民主评议党员", "Democratic appraisal of members", "all", "year", True, 0, False,
     "《中国共产党党员教育管理工作条例》第十八条：每年开展1次"),
    ("heart_talk", "谈心谈话", "Heart-to-heart talk", "custom", "year", False, 0, False,
     "《中国共产党支部工作条例（试行）》第十九条：每年至少1次"),
    ("sunshine_day", "阳光议事日", "Sunshine deliberation day", "all", "none", False, 0, False,
     "地方实践（local practice）"),
]


def ensure_builtin_types(MeetingType=None) -> dict:
    """Create the built-in types that are missing (migration 0002, the demo, and tests after a
    transactional test's flush emptied the table); returns them by code. ``MeetingType`` is the
    historical model inside a migration, the current one otherwise."""
    if MeetingType is None:
        from .models import MeetingType
    have = {t.code: t for t in MeetingType.objects.filter(owner_path="")}
    for order, (code, name, name_en, audience, frequency, required, due_quarter, voting, rule) in enumerate(BUILTIN_TYPES):
        if code not in have:
            have[code] = MeetingType.objects.create(
                owner_path="", code=code, name=name, name_en=name_en, audience=audience, frequency=frequency,
                required=required, due_quarter=due_quarter, voting=voting, rule_ref=rule, order=(order + 1) * 10)
    return have
