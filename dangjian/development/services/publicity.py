"""The publicity (公示) before the object, admission and conversion decisions (DOMAIN §4.2
"Publicity"): the notice on the development board, its window and the check a decision makes."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy

from .. import workdays
from ..models import (
    CasePublicity,
    CaseStatus,
    CaseStep,
    DevelopmentCase,
    PublicityPoint,
)
from ._common import _authorise, _refuse, _step_dates, _today

PUBLICITY_POINTS = {
    PublicityPoint.OBJECT: (7, "publicity_object", (5, 6)),
    PublicityPoint.ADMISSION: (15, "publicity_admission", (12, 13, 14)),
    PublicityPoint.CONVERSION: (23, "publicity_conversion", (21, 22)),
}


def _publicity_end(case: DevelopmentCase, pack, point: str) -> tuple[CasePublicity | None, dt.date | None]:
    """The publicity of ``point`` and the last day of its window (None while the notice is not
    published)."""
    pub = CasePublicity.objects.filter(case=case, point=point).first()
    if pub is None:
        return None, None
    start = publication_date(pub)
    if start is None:
        return pub, None
    return pub, workdays.publicity_window(start, pub.working_days, case.org_path)[1]


def _check_publicity(case, pack, point: str, date: dt.date) -> None:
    """[block] The decision must follow a publicity of N working days (DOMAIN §4.2, §11): the
    notice must really have been public — published on the board (the window counts from its
    publication) and not withdrawn before the window ended — or, for a physical board, attested
    as posted on the date entered."""
    rid = PUBLICITY_POINTS[point][1]
    if not pack.on(rid):
        return
    pub, last = _publicity_end(case, pack, point)
    if pub is None:
        _refuse(pack, rid, _("A publicity of %(n)s working days must come before this decision: start it first.") % {"n": pack.publicity_days}, "date")
    if last is None:
        _refuse(pack, rid, _("The publicity notice has not been published on the board yet (it is a draft or awaits approval): "
                             "the window counts from its publication."), "date")
    withdrawn = _notice_withdrawn_on(pub)
    if withdrawn is not None and withdrawn <= last:
        _refuse(pack, rid, _("The publicity notice was withdrawn on %(w)s, before its window ended (%(d)s): publish a new one.")
                % {"w": withdrawn, "d": last}, "date")
    if date <= last:
        _refuse(pack, rid, _("The decision is dated inside the publicity window (it runs until %(d)s; the earliest date is the day after).")
                % {"d": last}, "date")


def _notice(pub: CasePublicity):
    from dangjian.publicity.api import Notice

    return Notice.objects.filter(pk=pub.notice_id).first() if pub.notice_id else None


def publication_date(pub: CasePublicity) -> dt.date | None:
    """The day the publicity window starts (DOMAIN §4.2 "Publicity"): the board notice's
    publication date; for a physical board, the date the secretary entered; None while the
    online notice is a draft or awaits approval (nothing public yet)."""
    if pub.offline:
        return pub.starts_on
    notice = _notice(pub)
    if notice is None or notice.published_at is None:
        return None
    return timezone.localtime(notice.published_at).date()


def _notice_withdrawn_on(pub: CasePublicity) -> dt.date | None:
    notice = None if pub.offline else _notice(pub)
    if notice is None or notice.withdrawn_at is None:
        return None
    return timezone.localtime(notice.withdrawn_at).date()


def notice_text(case: DevelopmentCase, point: str, starts_on: dt.date, last: dt.date) -> tuple[str, str]:
    """Title and body of a publicity notice: name and the basic facts the rules publish — never
    the ID number, phone or address (DOMAIN §10; SECURITY.md)."""
    from django.utils.translation import override

    steps = _step_dates(case)
    with override("zh-hans"):
        what = {PublicityPoint.OBJECT: "拟确定为发展对象", PublicityPoint.ADMISSION: "拟接收为预备党员",
                PublicityPoint.CONVERSION: "拟按期转为正式党员"}[point]
        title = f"关于{case.name}同志{what}的公示"
        lines = [
            f"经{case.org.name}研究，{case.name}同志{what}，现予公示。",
            f"姓名：{case.name}；性别：{case.get_gender_display()}；民族：{case.ethnicity}；"
            f"出生年月：{case.birth_date:%Y年%m月}；学历：{case.get_education_display()}；"
            f"工作单位：{case.work_unit or '—'}。",
        ]
        if steps.get(1):
            lines.append(f"递交入党申请书时间：{steps[1].date:%Y年%m月%d日}。")
        if steps.get(3):
            lines.append(f"确定为入党积极分子时间：{steps[3].date:%Y年%m月%d日}。")
        if steps.get(7):
            lines.append(f"确定为发展对象时间：{steps[7].date:%Y年%m月%d日}。")
        if steps.get(15):
            lines.append(f"支部大会接收为预备党员时间：{steps[15].date:%Y年%m月%d日}。")
        lines.append(f"公示时间：{starts_on:%Y年%m月%d日}至{last:%Y年%m月%d日}（{ '不少于' }{(case.rule_items or {}).get('publicity_working_days', 5)}个工作日）。"
                     "公示期间，党员和群众可通过来信、来电、来访等方式向党组织反映情况。")
    return title, "\n".join(lines)


def start_publicity(*, actor, case: DevelopmentCase, point: str, starts_on: dt.date, offline: bool = False) -> CasePublicity:
    """Start a publicity (公示) of N working days before a decision (DOMAIN §4.2 "Publicity",
    §4.4; 2026 pack items ``publicity_object``/``publicity_admission``/``publicity_conversion``,
    N = ``publicity_working_days``, default 5) and post a draft notice to the development board
    through ``dangjian.publicity.api.create_notice``; the window runs from the day the secretary
    publishes it. ``offline``: posted on a physical board only (villages without a screen, or
    records entered afterwards) — no online notice, the window runs from ``starts_on`` as attested.
    One publicity per point."""
    policy.authorize(actor, "development", "manage", case)
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "manage", case, pack)
        if point not in PUBLICITY_POINTS:
            raise ValidationError({"point": [ValidationError(_("Choose one of the listed values."), code="invalid_choice")]})
        before, rid, allowed = PUBLICITY_POINTS[point]
        if case.status != CaseStatus.OPEN or case.last_code not in allowed:
            _refuse(pack, rid, _("This publicity belongs just before step %(n)s.") % {"n": before}, "point")
        if CasePublicity.objects.filter(case=case, point=point).exists():
            _refuse(pack, rid, _("This publicity has already been started."), "point")
        last_step = CaseStep.objects.filter(case=case).order_by("-code").first()
        if not starts_on:
            raise ValidationError({"starts_on": [ValidationError(_("This field is required."), code="required")]})
        if starts_on < last_step.date:
            _refuse(pack, "step_order", _("The publicity cannot start before the previous step (%(d)s).") % {"d": last_step.date}, "starts_on")
        if starts_on > _today() + dt.timedelta(days=60):
            raise ValidationError({"starts_on": [ValidationError(_("The date is too far in the future."), code="too_far_ahead")]})
        days = pack.publicity_days
        _first, last = workdays.publicity_window(starts_on, days, case.org_path)
        title, body = notice_text(case, point, starts_on, last)
        pub = CasePublicity.objects.create(case=case, point=point, starts_on=starts_on, working_days=days,
                                           text=body, created_by=actor, offline=bool(offline))
        if not offline:
            pub.notice_id = _post_notice(actor, case, title, body, point).pk
            pub.save(update_fields=["notice_id"])
        audit.record(actor=actor, action="development.publicity", obj=case,
                     data={"point": point, "starts_on": starts_on, "ends_on": last, "notice": pub.notice_id, "offline": bool(offline)})
    return pub


def _post_notice(actor, case, title: str, body: str, point: str):
    """Post the notice as a draft on the development board of the case's branch. One source per
    publicity point (``development:<case>:<point>``), so the admission notice never overwrites
    the development-object one."""
    from django.core.exceptions import PermissionDenied

    from dangjian.publicity.api import create_notice

    try:
        return create_notice(org=case.org, board="development", title=title, body=body, actor=actor,
                             source=f"development:{case.pk}:{point}")
    except PermissionDenied:
        raise ValidationError(_("You may not post notices on this organization's publicity board; ask the branch secretary."), code="not_permitted") from None
