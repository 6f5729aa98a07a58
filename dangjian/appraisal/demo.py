"""Demo appraisal: last year's closed round of the demo branch (self-appraisals, a few mutual
comments, anonymous ballots, grades within the ⅓ limit of 优秀), and this year's round just
opened, so the demo member has a self-appraisal to write."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from . import services
from .models import Grade, MutualComment, Participant, Stage, Voted

SELF_TEXTS = (
    "一年来认真学习党的创新理论，按时参加组织生活和主题党日，按月交纳党费；不足是学习深度不够，联系群众还不够经常。",
    "积极参与村里的人居环境整治和防汛值守，带头完成支部分配的任务；今后要加强政策学习，提高服务群众的本领。",
    "能够坚定理想信念，遵守党的纪律，在产业发展中发挥带头作用；存在的问题是理论学习有时流于形式。",
)
COMMENTS = ("带头作用发挥得好，群众评价高。", "工作踏实，建议多参加集中学习。", "能主动帮助困难群众，值得学习。")


def seed(ctx) -> None:
    branch = ctx.orgs.get("branch")
    if branch is None:
        return
    secretary = get_user_model().objects.filter(username="secretary").first()
    rng, last = ctx.rng, ctx.today.year - 1
    try:
        with transaction.atomic():
            on = dt.date(last, 12, 10)
            meeting = services.appraisal_meetings(branch).filter(starts_at__year=last).first()
            rnd = services.open_round(actor=secretary, org=branch, year=last, meeting=meeting, on=min(on, ctx.today))
            parts = list(Participant.objects.filter(round=rnd, exempt_basis="").select_related("member"))
            for i, p in enumerate(parts):
                Participant.objects.filter(pk=p.pk).update(self_text=SELF_TEXTS[i % len(SELF_TEXTS)], self_by=secretary,
                                                           self_by_proxy=p.member.user_id != getattr(secretary, "pk", None))
            rnd = services.advance(actor=secretary, round=rnd, to=Stage.MUTUAL)
            for a in parts[:6]:
                for s in rng.sample(parts, k=min(2, len(parts))):
                    if s.pk != a.pk:
                        MutualComment.objects.get_or_create(author=a, subject=s, defaults={
                            "round": rnd, "org_path": rnd.org_path, "text": rng.choice(COMMENTS)})
            rnd = services.advance(actor=secretary, round=rnd, to=Stage.ASSESSMENT)
            # ballots written directly (demo members have no logins): the same two tables as cast_ballot
            strong = {p.pk for p in parts[: max(1, len(parts) // 5)]}
            for v in Participant.objects.filter(round=rnd, may_vote=True):
                Voted.objects.create(round=rnd, participant=v)
                items = []
                for s in parts:
                    if s.pk == v.pk:
                        continue
                    roll = rng.random()
                    g = Grade.EXCELLENT if (s.pk in strong and roll < 0.7) or roll < 0.1 else (
                        Grade.BASIC if roll > 0.97 else Grade.QUALIFIED)
                    items.append((s.pk, g))
                services._store_ballot(rnd, items)
            rnd = services.advance(actor=secretary, round=rnd, to=Stage.GRADING)
            from .selectors import tallies

            t = tallies(rnd)
            ranked = sorted(parts, key=lambda p: -t.get(p.pk, {}).get(Grade.EXCELLENT, 0))
            limit = services.excellent_limit(len(parts))
            grades = {p.pk: (Grade.QUALIFIED, "") for p in parts}
            for p in ranked[: max(0, min(limit, len(parts) // 5))]:
                grades[p.pk] = (Grade.EXCELLENT, "")
            if len(ranked) > 4:
                grades[ranked[-1].pk] = (Grade.BASIC, "参加组织生活不够经常，支委会已谈话提醒")
            services.set_grades(actor=secretary, round=rnd, grades=grades)
            services.close_round(actor=secretary, round=rnd)
            # this year's round, just opened
            if ctx.today.month >= 11:
                services.open_round(actor=secretary, org=branch, year=ctx.today.year, on=ctx.today)
    except ValidationError as e:
        ctx.say(f"  appraisal: skipped ({e.messages[0]})")
        return
    ctx.say(f"  appraisal: {branch.name} {last} closed ({len(parts)} members graded)")
