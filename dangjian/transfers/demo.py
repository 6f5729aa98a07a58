"""Demo organizational relationship: a transfer awaiting the town's approval, a letter issued to
the demo branch awaiting receipt, a flowing member with a contact log and a lost-contact member
with a "stop membership" case awaiting the branch's decision; the flowing member takes part in org
life at a branch of another town, and a member of another branch flows in to the demo branch
(教育管理条例 art. 32)."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core.models import Organization, OrgKind, OrgStatus
from dangjian.members.api import Member, MemberStatus, RecordState

from . import services


def _candidates(org, exclude_users=True):
    qs = Member.objects.filter(org=org, state=RecordState.ACTIVE, position="").order_by("id")
    if exclude_users:
        qs = qs.filter(user__isnull=True)
    return list(qs[:12])


def _try(fn, **kw):
    try:
        with transaction.atomic():
            return fn(**kw)
    except ValidationError:
        return None


def seed(ctx) -> None:
    branch, town = ctx.orgs.get("branch"), ctx.orgs.get("town")
    if branch is None or town is None:
        return
    User = get_user_model()
    town_admin = User.objects.filter(username="town_admin").first()
    secretary = User.objects.filter(username="secretary").first()
    others = list(Organization.objects.filter(path__startswith=town.path, kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
                  .exclude(pk=branch.pk).order_by("path")[:6])
    county = ctx.orgs.get("county")
    far = None
    if county is not None:
        far = (Organization.objects.filter(path__startswith=county.path, kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
               .exclude(path__startswith=town.path).order_by("path").first())
    mine = _candidates(branch)
    made = 0
    # 1. pending: a member of the demo branch moving to a branch of another town
    for m in mine[:4]:
        if far and _try(services.request_transfer, actor=secretary, member=m, to_org=far, reason="外出务工，居住地变更"):
            made += 1
            mine.remove(m)
            break
    # 2. incoming: a letter issued by a sibling branch to the demo branch, awaiting receipt
    for org in others:
        for m in _candidates(org)[:3]:
            t = _try(services.request_transfer, actor=None, member=m, to_org=branch, reason="婚后迁居")
            if t and _try(services.approve_transfer, actor=town_admin, transfer=t, dues_paid_to=ctx.today.replace(day=1)):
                made += 1
                break
        else:
            continue
        break
    today = ctx.today
    # 3. a flowing member with contact log; a lost-contact member with a stop case awaiting decision
    flows = [m for m in mine if m.status == MemberStatus.FULL][:2]
    if flows:
        rec = _try(services.flag_away, actor=secretary, member=flows[0], kind="flowing",
                   since=today - dt.timedelta(days=300), whereabouts="广东省深圳市宝安区（电子厂务工）",
                   contact_person="组织委员", today=today, inflow_org=far, activity_cert_no=f"LD{today.year}0001" if far else "")
        if rec:
            for days, method, note in ((200, "phone", "电话联系，近况良好"), (95, "message", "微信发送学习资料"), (20, "phone", "提醒按时交纳党费")):
                _try(services.log_contact, actor=secretary, record=rec, contacted_on=today - dt.timedelta(days=days),
                     method=method, note=note)
    if len(flows) > 1:
        lost = _try(services.flag_away, actor=secretary, member=flows[1], kind="lost",
                    since=today - dt.timedelta(days=220), whereabouts="去向不明", today=today)
        if lost:
            _try(services.log_contact, actor=secretary, record=lost, contacted_on=today - dt.timedelta(days=60),
                 method="visit", reached=False, note="走访家属，未能联系上本人")
            _try(services.open_case, actor=None, member=flows[1], kind="stop", record=lost,
                 basis="失去联系超过6个月（党员教育管理工作条例第24条），请支部研究")
    # 4. a flowing member of another branch taking part in org life at the demo branch (art. 32)
    for org in ([far] if far else []) + others[::-1]:
        cand = [m for m in _candidates(org) if m.status == MemberStatus.FULL][:1]
        if cand and _try(services.flag_away, actor=None, member=cand[0], kind="flowing", since=today - dt.timedelta(days=400),
                         whereabouts="本村（务工居住）", contact_person="支部组织委员", today=today, inflow_org=branch,
                         activity_cert_no=f"LD{today.year}0002"):
            break
    ctx.say(f"  transfers: {made} transfers, flowing/lost-contact registers, a member flowing in")
