"""Demo org life: the last months' meetings of a few branches with attendance and points, one
meeting today and one tomorrow for the demo branch, and one member exempt by rule.

Past meetings are written directly as RECORDED (the minutes app owns that transition in real use
and its demo may add the records); the latest theme day stays CLOSED ("minutes pending").
Everything is bulk-inserted: well under a second at county scale.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation

from dangjian.core.models import Organization, OrgKind, OrgStatus
from dangjian.members.api import COMMITTEE_POSITIONS, Member, RecordState

from .builtin_types import ensure_builtin_types
from .models import (
    Attendance,
    AttendanceStatus,
    Exemption,
    ExemptionBasis,
    Meeting,
    MeetingStatus,
    PointsEntry,
    SigninMethod,
)
from .services import points_rules

S = AttendanceStatus
MONTHS_BACK = 4
PLACES = ["村党群服务中心会议室", "村委会二楼会议室", "新时代文明实践站", "党员活动室"]
AGENDAS = {
    "theme_day": "1. 集中学习党的二十届四中全会精神\n2. 志愿服务：清理村内环境卫生\n3. 交纳党费",
    "committee_meeting": "1. 研究本月工作安排\n2. 讨论入党积极分子培养情况\n3. 研究困难党员帮扶",
    "group_meeting": "1. 学习《中国共产党章程》\n2. 交流思想、工作情况",
    "general_meeting": "1. 通报支部季度工作\n2. 民主议事：村集体经济项目\n3. 表决有关事项",
    "party_lecture": "书记讲党课：发挥党员先锋模范作用",
}


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _branches(ctx) -> list[Organization]:
    demo = ctx.orgs.get("branch")
    out = [demo] if demo is not None else []
    town = ctx.orgs.get("town")
    if town is not None:
        others = (Organization.objects.filter(path__startswith=town.path, kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
                  .exclude(pk=getattr(demo, "pk", None)).order_by("path")[:3])
        out += list(others)
    return out


def seed(ctx) -> None:
    types = ensure_builtin_types()
    rng = ctx.rng
    now = timezone.now()
    meetings: list[tuple[Meeting, list[Member]]] = []
    for branch in _branches(ctx):
        people = list(Member.objects.filter(org_path__startswith=branch.path, state=RecordState.ACTIVE).order_by("org_path", "id"))
        if len(people) < 2:
            continue
        in_branch = [m for m in people if m.org_id == branch.pk] or people
        secretary = next((m for m in in_branch if m.position == "secretary"), in_branch[0])
        recorder = next((m for m in in_branch if m.position == "organization"), in_branch[1 % len(in_branch)])
        committee = [m for m in people if m.position in COMMITTEE_POSITIONS]
        groups = list(Organization.objects.filter(parent=branch, kind=OrgKind.PARTY_GROUP, status=OrgStatus.ACTIVE))

        def add(code, day, hour, invitees, org=branch, host=secretary, rec=recorder, status=MeetingStatus.RECORDED, start=None):
            t = types[code]
            start = start or _local(day, hour)
            m = Meeting(org=org, type=t, title=f"{day.month}月{t.name}", starts_at=start,
                        ends_at=start + dt.timedelta(hours=2), place=rng.choice(PLACES), host=host, recorder=rec,
                        agenda=AGENDAS.get(code, ""), status=status, created_at=start - dt.timedelta(days=5),
                        opened_at=start - dt.timedelta(minutes=20) if status != MeetingStatus.PLANNED else None,
                        closed_at=start + dt.timedelta(hours=2) if status != MeetingStatus.PLANNED else None,
                        reminder_sent_at=start - dt.timedelta(hours=2) if start < now else None,
                        lecturer=host if code == "party_lecture" else None)
            meetings.append((m, invitees))

        first = ctx.today.replace(day=1)
        for back in range(MONTHS_BACK, 0, -1):
            month = (first - dt.timedelta(days=28 * back)).replace(day=1)
            theme_day = month.replace(day=min(10 + rng.randrange(5), 28))
            latest = back == 1 and branch == ctx.orgs.get("branch")
            add("theme_day", theme_day, 9, people, status=MeetingStatus.CLOSED if latest else MeetingStatus.RECORDED)
            if len(committee) >= 2 and rng.random() < 0.9:
                add("committee_meeting", month.replace(day=5), 15, committee)
            for g in groups:
                members = [m for m in people if m.org_path.startswith(g.path)]
                if members and rng.random() < 0.8:
                    add("group_meeting", month.replace(day=18), 19, members, org=g, host=members[0], rec=members[-1])
            if month.month in (2, 5, 8, 11):
                add("general_meeting", month.replace(day=22), 14, people)
                add("party_lecture", month.replace(day=25), 9, people)
        if branch == ctx.orgs.get("branch"):
            soon = (now + dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
            add("committee_meeting", ctx.today, 0, committee or in_branch[:3], status=MeetingStatus.PLANNED, start=soon)
            add("theme_day", ctx.today + dt.timedelta(days=1), 9, people, status=MeetingStatus.PLANNED)
            _talks(ctx, branch, secretary, committee, people)
            oldest = min(people, key=lambda m: m.birth_date)
            if oldest.pk != secretary.pk:
                Exemption.objects.create(member=oldest, basis=ExemptionBasis.OLD,
                                         note="年事已高，行动不便，支部送学上门", starts_on=ctx.today - dt.timedelta(days=200))

    Meeting.objects.bulk_create([m for m, _i in meetings])
    exempt = set(Exemption.objects.filter(active=True).values_list("member_id", flat=True))
    rows: list[Attendance] = []
    points: list[PointsEntry] = []
    conf = points_rules()
    with translation.override("zh-hans"):
        labels = {k: str(v) for k, v in S.choices}
    for m, invitees in meetings:
        held = m.status != MeetingStatus.PLANNED and m.starts_at < now
        for p in invitees:
            a = Attendance(meeting=m, member=p, status=S.INVITED)
            if p.pk in exempt:
                a.status, a.reason = S.EXEMPT, "年事已高 (教育管理条例第二十三条)"
            elif held:
                r = rng.random()
                if r < 0.80:
                    a.status, a.signed_at = S.PRESENT, m.starts_at - dt.timedelta(minutes=rng.randrange(1, 20))
                elif r < 0.87:
                    a.status, a.signed_at = S.LATE, m.starts_at + dt.timedelta(minutes=rng.randrange(16, 40))
                elif r < 0.95:
                    a.status, a.reason = S.LEAVE, rng.choice(["外出务工", "身体不适", "家中有事", "单位值班"])
                else:
                    a.status = S.ABSENT
                if a.status in (S.ABSENT, S.LEAVE) and m.type.code in ("party_lecture", "theme_day") and rng.random() < 0.6:
                    a.makeup_on = (m.starts_at + dt.timedelta(days=rng.randrange(2, 10))).date()
                    a.makeup_how = rng.choice(["self_study", "group", "online"])
                    a.makeup_note = "学习会议材料，支部书记谈话检查"
                if a.signed_at:
                    a.method = rng.choices([SigninMethod.QR, SigninMethod.ROLL_CALL, SigninMethod.DEVICE], [7, 2, 1])[0]
            rows.append(a)
            delta = int(conf["rules"].get(a.status, 0) or 0) if held else 0
            if delta:
                points.append(PointsEntry(member=p, meeting=m, delta=delta, rule_id=f"orglife.attendance.{a.status}",
                                          rule_version=str(conf["version"])[:40], reason=f"{m.title}：{labels[a.status]}",
                                          created_at=m.closed_at or m.starts_at))
    Attendance.objects.bulk_create(rows, batch_size=2000)
    PointsEntry.objects.bulk_create(points, batch_size=2000)
    ctx.say(f"  org life: {len(meetings)} meetings, {len(rows)} attendance rows, {len(points)} points entries")


def _talks(ctx, branch, secretary, committee, people) -> None:
    """This year's heart-to-heart talks of the demo branch: most committee pairs and most members."""
    from .models import HeartTalk

    rng, today = ctx.rng, ctx.today
    start = today.replace(month=1, day=1)
    span = max((today - start).days, 1)
    talks = []
    for i, a in enumerate(committee):
        for b in committee[i + 1:]:
            if rng.random() < 0.8:
                talks.append((a, b, "班子团结和分工"))
    committee_ids = {m.pk for m in committee}
    for m in people:
        if m.pk not in committee_ids and rng.random() < 0.7:
            talks.append((rng.choice(committee or [secretary]), m, rng.choice(["思想和工作情况", "家庭困难帮扶", "外出务工联系", "发挥先锋作用"])))
    HeartTalk.objects.bulk_create([
        HeartTalk(org=branch, held_on=start + dt.timedelta(days=rng.randrange(span)), first=a, second=b,
                  subject=subject) for a, b, subject in talks])
