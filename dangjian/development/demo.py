"""Demo data of member development: cases at every stage in the demo branch and a few others.

Every case goes through the real services (rules checked, audited), with dates generated step
by step so that each rule holds (activist ≥ 1 year, publicity windows in working days, the
conversion after the end of probation). Two cases are deliberately overdue so the pipeline shows
red: an application without a talk for 45 days and a probation that ended without a decision.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.core.dates import same_day_months_later
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus
from dangjian.core.privacy import id_check_char
from dangjian.members.api import Member, MemberStatus, voting_members_on

from . import services, workdays
from .models import DevelopmentCase
from .rules import STEP_BY_CODE

# days after the previous step (fix-ups below keep the rules)
GAPS = {2: 12, 3: 90, 4: 5, 5: 5, 6: 330, 7: 10, 8: 3, 9: 5, 10: 20, 11: 10, 12: 15, 13: 7, 14: 2, 15: 5, 16: 10,
        17: 12, 18: 5, 19: 2, 20: 5, 21: 200, 22: 0, 23: 2, 24: 15, 25: 3}
PUBLICITY_AFTER = {6: "object", 13: "admission", 22: "conversion"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["文静", "志强", "海燕", "建华", "晓东", "丽娟", "国栋", "春梅", "子涵", "浩然", "雨欣", "俊杰", "佳怡", "宇航"]


def _plan(start: dt.date, to_code: int, pack, org_path: str) -> tuple[dict[int, dt.date], dict[str, dt.date]]:
    dates = {1: start}
    pubs: dict[str, dt.date] = {}
    for code in range(2, to_code + 1):
        d = dates[code - 1] + dt.timedelta(days=GAPS[code])
        if code == 7:
            d = max(d, same_day_months_later(dates[3], 12))
        if code == 22:
            d = same_day_months_later(dates[15], 12) - dt.timedelta(days=10)
        if code == 23:
            d = max(d, same_day_months_later(dates[15], 12))
        prev = code - 1
        point = PUBLICITY_AFTER.get(prev)
        if point and pack.on(f"publicity_{point}"):
            s = dates[prev] + dt.timedelta(days=1)
            pubs[point] = s
            d = max(d, workdays.publicity_window(s, pack.publicity_days, org_path)[1] + dt.timedelta(days=1))
        dates[code] = d
    return dates, pubs


def _id_number(rng, birth: dt.date, gender: str) -> str:
    for _ in range(50):
        serial = rng.randint(10, 99)
        parity = rng.choice("13579" if gender == "M" else "02468")
        first17 = f"370724{birth:%Y%m%d}{serial:02d}{parity}"
        idn = first17 + id_check_char(first17)
        bidx = Member._meta.get_field("id_number").index_of(idn)
        if not Member.objects.filter(id_number_bidx=bidx).exists() and not DevelopmentCase.objects.filter(
                id_number_bidx=DevelopmentCase._meta.get_field("id_number").index_of(idn)).exists():
            return idn
    raise RuntimeError("no free demo ID number")


def _make_case(ctx, org, to_code: int, today: dt.date, branch_actor, upper_actor, slack: int = 3):
    rng = ctx.rng
    pack = services.rules.get_pack()
    gender = rng.choice("MF")
    birth = dt.date(today.year - rng.randint(22, 40), rng.randint(1, 12), rng.randint(1, 28))
    target = today - dt.timedelta(days=slack)  # the last step is dated about ``slack`` days ago
    start = target
    for _ in range(8):  # move the start back until the last planned date is on or before the target
        dates, pubs = _plan(start, to_code, pack, org.path)
        over = (dates[to_code] - target).days
        if over <= 0:
            break
        start -= dt.timedelta(days=over)
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    data = {"name": name, "gender": gender, "birth_date": birth, "ethnicity": "汉族", "education": rng.choice(["senior", "college", "bachelor"]),
            "category": rng.choice(["farmer", "in_service", "other"]), "work_unit": rng.choice(["村集体经济合作社", "镇卫生院", "个体经营", "县农商银行"]),
            "id_number": _id_number(rng, birth, gender), "phone": f"139{rng.randint(10000000, 99999999)}"}
    case = services.open_case(actor=branch_actor, org=org, data=data, application_date=dates[1], documents=["入党申请书"])
    full = list(Member.objects.filter(org_path__startswith=org.path, status=MemberStatus.FULL).order_by("id").values_list("pk", flat=True)[:2])
    for code in range(2, to_code + 1):
        prev = code - 1
        point = PUBLICITY_AFTER.get(prev)
        if point and point in pubs:
            _publish(branch_actor, services.start_publicity(actor=branch_actor, case=case, point=point, starts_on=pubs[point]))
        step = STEP_BY_CODE[code]
        data = {}
        conclusion = ""
        if code == 5:
            data = {"contacts": full[:1]}
        elif code == 9:
            data = {"introducers": full[:2]}
        elif code in (10, 13):
            conclusion = "passed"
        elif code == 11:
            data = {"training_days": 3, "training_hours": 24}
        elif code in (15, 23):
            n = len(voting_members_on(org, dates[code])) or max(3, len(full) + 3)  # the roll of that day
            present = n - 1 if n > 3 else n
            data = {"voters_total": n, "voters_present": present, "yes": present, "no": 0, "abstain": 0}
        elif code == 25:
            data = {"archive": [k for k, _l in services.ARCHIVE_DOCUMENTS]}
        services.record_step(actor=upper_actor if step.needs_approve else branch_actor, case=case, code=code, date=dates[code],
                             documents=list(step.documents), conclusion=conclusion, data=data)
        case.refresh_from_db()
    return case


def seed(ctx) -> None:
    User = get_user_model()
    today = min(ctx.today, timezone.localdate())
    users = {u.username: u for u in User.objects.filter(username__in=["secretary", "town_admin", "county_admin"])}
    if len(users) < 3:
        return
    branch = ctx.orgs["branch"]
    if len(Member.objects.filter(org=branch, status=MemberStatus.FULL)[:2]) < 2:
        return
    made = 0
    plan = [(1, 3), (1, 45), (4, 3), (6, 3), (11, 3), (14, 3), (20, 3), (22, 30), (25, 3)]
    for to_code, slack in plan:
        _make_case(ctx, branch, to_code, today, users["secretary"], users["town_admin"], slack)
        made += 1
    county = ctx.orgs["county"]
    others = list(Organization.objects.filter(path__startswith=county.path, status=OrgStatus.ACTIVE,
                                              kind__in=[k.value for k in MEMBER_HOLDING_KINDS]).exclude(kind="party_group")
                  .exclude(pk=branch.pk).order_by("path")[:40])
    ctx.rng.shuffle(others)
    count = 3 if ctx.scale == "tiny" else 8
    for org in others[:count]:
        if Member.objects.filter(org=org, status=MemberStatus.FULL).count() < 2:
            continue
        _make_case(ctx, org, ctx.rng.choice([1, 3, 6, 9, 15, 17, 21]), today, users["county_admin"], users["county_admin"], ctx.rng.randint(3, 60))
        made += 1
    ctx.say(f"development: {made} cases")


def _publish(actor, pub) -> None:
    """Publish the publicity notice as the branch secretary did on its start day (demo history:
    the approval happened in the past, so its timestamps are set to that day)."""
    from dangjian.publicity.api import Notice, approve_notice

    notice = approve_notice(actor=actor, notice=Notice.objects.get(pk=pub.notice_id))
    when = timezone.make_aware(dt.datetime.combine(pub.starts_on, dt.time(9, 0)))
    Notice.objects.filter(pk=notice.pk).update(published_at=when, updated_at=when)
    notice.versions.filter(pk=notice.current_id).update(approved_at=when, submitted_at=when)
