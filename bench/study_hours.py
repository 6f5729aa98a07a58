"""Benchmark: the supervision lists of study hours (学时, 教育管理条例 art. 20) and of the
secretaries' yearly 党课, for a whole county on the embedded SQLite database.

Uses the county demo in its own SQLite file; on first run adds ten 3-hour 党课 per branch in
2026 with 80 % attendance (about 180,000 attendance rows), then times the selectors the pages
call (best of 3) against a baseline in the same process: counting the county's active members.

    DANGJIAN_SQLITE=/tmp/county.sqlite3 .venv/bin/python manage.py migrate
    DANGJIAN_SQLITE=/tmp/county.sqlite3 .venv/bin/python manage.py demo_data --scale county
    DANGJIAN_SQLITE=/tmp/county.sqlite3 .venv/bin/python bench/study_hours.py
"""
from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.dev")
if "DANGJIAN_SQLITE" not in os.environ:
    sys.exit("Set DANGJIAN_SQLITE to the county demo's database file (see the docstring).")

import django  # noqa: E402

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dangjian.core.models import Organization  # noqa: E402
from dangjian.members.models import Member  # noqa: E402
from dangjian.orglife.models import Attendance, Meeting, MeetingType  # noqa: E402
from dangjian.orglife.selectors import members_below_study_hours, study_hours  # noqa: E402
from dangjian.supervision.selectors import secretaries_without_lecture  # noqa: E402

YEAR = 2026


def add_lectures(county) -> None:
    if Meeting.objects.filter(title__startswith="bench-study").exists():
        return
    rng = random.Random(1)
    lecture = MeetingType.objects.get(code="party_lecture", owner_path="")
    tz = timezone.get_current_timezone()
    t0 = time.perf_counter()
    with transaction.atomic():
        branches = list(Organization.objects.filter(path__startswith=county.path,
                                                    kind__in=["branch", "general_branch", "primary_committee"]))
        members: dict[int, list[int]] = {}
        for pk, org_id in Member.objects.filter(org_path__startswith=county.path, state="active").values_list("pk", "org_id"):
            members.setdefault(org_id, []).append(pk)
        rows = []
        for b in branches:
            for month in range(1, 11):
                start = dt.datetime(YEAR, month, 10, 9, tzinfo=tz)
                m = Meeting.objects.create(org=b, org_path=b.path, type=lecture, title=f"bench-study {month}", starts_at=start,
                                           ends_at=start + dt.timedelta(hours=3), place="党员活动室", status="recorded")
                rows += [Attendance(meeting=m, member_id=mid, org_path=b.path,
                                    status="present" if rng.random() < 0.8 else "absent") for mid in members.get(b.pk, [])]
        Attendance.objects.bulk_create(rows, batch_size=5000)
    print(f"added {len(branches) * 10} 党课 and {len(rows)} attendance rows in {time.perf_counter() - t0:.1f} s")


def timed(label: str, fn, baseline: float | None = None, n: int = 3) -> float:
    best, queries = None, 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            fn()
            t = time.perf_counter() - t0
        best, queries = (t, len(q)) if best is None or t < best else (best, queries)
    ratio = f" (×{best / baseline:.0f} the baseline)" if baseline else ""
    print(f"{label}: {best * 1000:.0f} ms, {queries} queries{ratio}")
    return best


def main() -> None:
    county = Organization.objects.filter(kind="county").order_by("path").first()
    add_lectures(county)
    base = timed("baseline: count the county's active members",
                 lambda: Member.objects.filter(org_path__startswith=county.path, state="active").count())

    def first_page():
        page = Paginator(members_below_study_hours(county, YEAR), 50).get_page(1)
        return page.paginator.count, list(page.object_list)

    timed("members under 32 study hours, county: count + first page", first_page, base)
    print(f"  ({len(members_below_study_hours(county, YEAR))} of "
          f"{Member.objects.filter(org_path__startswith=county.path, state='active').count()} members are short)")
    one = Member.objects.filter(org_path__startswith=county.path).first()
    timed("study hours of one member (member panel)", lambda: study_hours([one.pk], YEAR), base)
    timed("secretaries who gave no 党课 this year, county", lambda: secretaries_without_lecture(county, YEAR), base)


if __name__ == "__main__":
    main()
