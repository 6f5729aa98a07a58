"""Demo minutes: a signed record for the past RECORDED meetings that orglife's demo created
(orglife runs before minutes in INSTALLED_APPS): all of the demo accounts' branch, and the newest
elsewhere up to a cap per scale. Tolerates none existing. Records are written
directly (no audit rows, no notifications) but chained exactly as ``services.sign`` chains them,
so ``verify_chain`` passes on the demo data."""
from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from dangjian.orglife.api import PRESENT_STATUSES, Attendance, AttendanceStatus, Meeting, MeetingStatus

from .models import GENESIS, MeetingRecord, RecordStatus, Vote
from .services import record_hash

MAX_RECORDS = {"tiny": 200, "county": 1500}
DECISIONS = {
    "general_meeting": "会议经表决，同意有关事项；会后由支部委员会抓好落实。",
    "committee_meeting": "研究确定本月主题党日活动安排，明确责任分工。",
    "group_meeting": "组织学习上级文件精神，党员交流学习体会。",
    "party_lecture": "党员认真听讲，结合实际谈体会，要求会后撰写心得。",
    "theme_day": "开展主题党日活动，组织志愿服务，收集群众意见3条。",
    "life_meeting": "开展批评与自我批评，形成问题清单和整改措施。",
    "appraisal": "完成民主评议，评议结果报上级党组织备案。",
}
MEETING_FIELDS = (
    "id", "org_id", "org_path", "title", "starts_at", "ends_at", "closed_at", "place", "agenda", "status",
    "type__id", "type__name", "type__code", "type__voting", "org__id",
    "host__id", "host__name", "host__user_id", "recorder__id", "recorder__name", "recorder__user_id",
)
REASONS = ("外出务工", "因病请假", "因事请假", "在外地学习")


def seed(ctx) -> None:
    root = ctx.orgs.get("county") if getattr(ctx, "orgs", None) else None
    now = timezone.now()
    qs = Meeting.objects.filter(status=MeetingStatus.RECORDED, starts_at__lt=now, records__isnull=True)
    if root is not None:
        qs = qs.filter(org_path__startswith=root.path)
    limit = MAX_RECORDS.get(getattr(ctx, "scale", "tiny"), 200)
    # the demo accounts' branch always gets its minutes; elsewhere the newest meetings, up to the cap
    branch = ctx.orgs.get("branch") if getattr(ctx, "orgs", None) else None
    picked = list(qs.filter(org_path__startswith=branch.path).values_list("pk", flat=True)) if branch is not None else []
    picked += list(qs.exclude(pk__in=picked).order_by("-starts_at", "-id").values_list("pk", flat=True)[:max(0, limit - len(picked))])
    meetings = list(
        Meeting.objects.filter(pk__in=picked).select_related("type", "host", "recorder", "org")
        .only(*MEETING_FIELDS)  # members' encrypted columns are not loaded (nor decrypted)
        .prefetch_related(Prefetch("attendance", queryset=Attendance.objects.select_related("member").order_by("id")
                                   .only("id", "meeting_id", "status", "reason", "member__id", "member__name", "member__status")))
        .order_by("starts_at", "id")
    )
    if not meetings:
        return
    rng = getattr(ctx, "rng", None)
    records, votes_of = [], {}
    for m in meetings:
        rows = list(m.attendance.all())
        if not rows or m.host is None or m.recorder is None:
            continue
        present = [a.member.name for a in rows if a.status in PRESENT_STATUSES]
        should = sum(1 for a in rows if a.status != AttendanceStatus.EXEMPT)
        absentees = [
            {"member": a.member_id, "name": a.member.name,
             "status": "leave" if a.status == AttendanceStatus.LEAVE else "absent",
             "reason": a.reason or (rng.choice(REASONS) if rng else REASONS[0])}
            for a in rows if a.status in (AttendanceStatus.LEAVE, AttendanceStatus.ABSENT, AttendanceStatus.INVITED)
        ]
        signed_at = max(m.ends_at, m.closed_at or m.ends_at) + dt.timedelta(hours=2)
        records.append(MeetingRecord(
            meeting=m, org=m.org, org_path=m.org_path, version=1, status=RecordStatus.SIGNED, signed_at=signed_at,
            meeting_name=m.title, type_name=m.type.name, starts_at=m.starts_at, ends_at=m.ends_at, place=m.place,
            host=m.host, host_name=m.host.name, recorder=m.recorder, recorder_name=m.recorder.name,
            should_attend=should, attended=len(present), present_names="、".join(present), absentees=absentees,
            agenda=m.agenda or m.type.name, speeches=f"{m.host.name}主持会议并讲话，与会党员结合工作实际发言。",
            decisions=DECISIONS.get(m.type.code, "会议形成一致意见，会后抓好落实。"),
            summary="会议达到预期目的。", created_at=m.ends_at, updated_at=signed_at,
            host_signed_at=signed_at, host_signed_by_id=m.host.user_id,
            recorder_signed_at=signed_at, recorder_signed_by_id=m.recorder.user_id,
        ))
        if m.type.voting:
            full_present = sum(1 for a in rows if a.status in PRESENT_STATUSES and a.member.status == "full")
            full_total = sum(1 for a in rows if a.status != AttendanceStatus.EXEMPT and a.member.status == "full")
            if full_total and 2 * full_present > full_total:
                votes_of[m.pk] = Vote(org_path=m.org_path, motion="审议通过本季度支部工作安排",
                                      voters_total=full_total, voters_present=full_present, yes=full_present, no=0,
                                      abstain=0, passed=True, result_code="ok", rule_version="demo")
    if not records:
        return
    heads: dict[int, tuple[int, str]] = {}
    for r in records:  # in meeting order: the chain of each organization grows with time
        seq, prev = heads.get(r.org_id) or _head(r.org_id)
        r.chain_seq, r.prev_hash = seq + 1, prev
        v = votes_of.get(r.meeting_id)
        r.content_hash = record_hash(prev, r, [v] if v is not None else [], [])
        heads[r.org_id] = (r.chain_seq, r.content_hash)
    MeetingRecord.objects.bulk_create(records, batch_size=500)  # primary keys come back (SQLite ≥ 3.35, PostgreSQL)
    votes = []
    for r in records:
        v = votes_of.get(r.meeting_id)
        if v is not None:
            v.record = r
            votes.append(v)
    Vote.objects.bulk_create(votes, batch_size=500)
    if hasattr(ctx, "say"):
        ctx.say(f"minutes: {len(records)} signed meeting records")


def _head(org_id: int) -> tuple[int, str]:
    last = MeetingRecord.objects.filter(org_id=org_id, chain_seq__isnull=False).order_by("-chain_seq").first()
    return (last.chain_seq, last.content_hash) if last else (0, GENESIS)
