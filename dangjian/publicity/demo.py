"""Demo data of publicity: the demo branch's village board (published notices on every board, a
draft, a notice revised once — two approved versions) and last year's honour roll."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.members.api import Member

from . import services
from .models import Notice


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def seed(ctx) -> None:
    branch = ctx.orgs.get("branch")
    town = ctx.orgs.get("town")
    if branch is None:
        return
    today = ctx.today or timezone.localdate()
    secretary = _user("secretary")
    committee = _user("committee") or secretary
    town_admin = _user("town_admin")
    approver = secretary or town_admin
    first = dt.date(today.year, today.month, 1)
    last_month = first - dt.timedelta(days=1)
    ym = f"{last_month.year}年{last_month.month}月"
    village = branch.name.replace("党支部", "")

    published = [
        ("finance", f"{village}{ym}村级财务收支公示",
         "一、本月收入合计 36,480.00 元：\n  1. 集体土地租金 24,000.00 元；\n  2. 光伏发电收益 8,680.00 元；\n"
         "  3. 上级转移支付（村级组织运转经费）3,800.00 元。\n二、本月支出合计 21,315.50 元：\n"
         "  1. 村内道路维修 12,600.00 元（附验收单）；\n  2. 环境卫生保洁 4,500.00 元；\n"
         "  3. 办公及水电费 1,215.50 元；\n  4. 困难群众走访慰问 3,000.00 元。\n"
         "三、月末结余 15,164.50 元。\n以上收支经村务监督委员会审核。如有疑问，请于公示之日起7日内向村务监督委员会反映。"),
        ("party", f"{village}党支部关于开展{last_month.month}月主题党日活动的通知",
         f"全体党员：\n支部定于每月固定日开展主题党日活动，内容为：集中学习党的创新理论、重温入党誓词、"
         f"开展“我为群众办实事”志愿服务（村内河道清理）。\n请全体党员准时参加，因故不能参加的请向支部书记请假。\n"
         f"{village}党支部"),
        ("village", f"{village}关于2026年度农村人居环境整治工作安排的公告",
         "为进一步改善村容村貌，经村民代表会议讨论通过，本年度重点实施：\n1. 主干道两侧绿化补植；\n"
         "2. 生活垃圾分类投放点改造 6 处；\n3. 农户厕所改造验收。\n欢迎村民监督，意见可投放村委会意见箱。"),
        ("dues", f"{village}党支部{ym}党费收缴情况公示",
         "本月应交党费党员 28 名，实交 28 名，收缴党费合计 612.00 元，已按规定全额上缴镇党委。\n"
         "（按规定，公示只列人数与合计金额，不公开个人收入。）"),
        ("development", f"{village}党支部关于拟确定发展对象的公示",
         "经支部委员会研究，拟将以下同志确定为发展对象：\n  张某某，男，1996年生，大专学历，村级后备干部。\n"
         "公示期为5个工作日。如有意见，请以署名方式向支部或镇党委组织委员反映。"),
        ("supervision", f"镇党委关于{ym}“三会一课”落实情况的督查通报",
         "经督查，本月全镇各支部均按要求召开支委会；个别支部党小组会记录不完整，已要求限期整改。"),
    ]
    made = 0
    for board, title, body in published:
        services.create_notice(org=branch, board=board, title=title, body=body, actor=approver, publish=True)
        made += 1

    # a draft waiting for the secretary
    services.create_notice(org=branch, board="village", title=f"{village}关于召开村民代表会议的通知（草稿）",
                           body="拟于下周召开村民代表会议，讨论村集体经济合作社年度分红方案。", actor=committee)
    # a notice published, then revised and approved again (two versions)
    n = services.create_notice(org=branch, board="finance", title=f"{village}集体资产发包结果公示",
                               body="村东鱼塘 15 亩，发包期 3 年，年租金 9,000 元，已按程序公开竞价。", actor=approver, publish=True)
    services.edit_notice(actor=committee, notice=n, title=f"{village}集体资产发包结果公示（更正）",
                         body="村东鱼塘 15 亩，发包期 3 年，年租金 9,600 元（原公示金额录入有误，予以更正），已按程序公开竞价。")
    services.approve_notice(actor=approver, notice=Notice.objects.get(pk=n.pk))
    made += 2

    # honour roll of last year, selected by the town
    if town_admin is not None and town is not None:
        year = today.year - 1
        services.select_honour(actor=town_admin, year=year, kind="branch", org=branch,
                               citation="支部班子团结有力，“三会一课”规范落实，带领群众发展特色种植，村集体经济收入较上年增长三成。")
        candidates = Member.objects.filter(org=branch, state="active", status="full").exclude(position="secretary").order_by("id")[:20]
        member = next((m for m in candidates if services.honour_member_refusal(m, year) is None), None)  # H2
        if member is not None:
            services.select_honour(actor=town_admin, year=year, kind="member", org=branch, member=member,
                                   citation="扎根农村二十余年，带头参加志愿服务，常年照顾村里的孤寡老人，群众口碑好。")
    ctx.say(f"publicity: {made} notices on the board of {branch.name}, honour roll of {today.year - 1}")
