"""Authz-matrix targets of supervision (see tests/core/test_authz_matrix.py)."""
import datetime as dt


def make_bulletin(world, org, member):
    from dangjian.supervision.models import Bulletin, BulletinRow

    b, created = Bulletin.objects.get_or_create(  # one per (org, month): callers may ask twice
        org=org, period=dt.date(2026, 9, 1),
        defaults={"org_path": org.path, "rule_version": "test",
                  "thresholds": {"A": {"completion": 100, "attendance": 90}, "B": {"completion": 80, "attendance": 80}},
                  "totals": {"branches": 1, "A": 0, "B": 0, "C": 0, "D": 1, "warned": 1}})
    if created:
        BulletinRow.objects.create(bulletin=b, org=org, org_path=org.path, org_name=org.name, grade="D", warned=True)
    return b


TARGETS = {"Bulletin": make_bulletin}
POST_ONLY = {"supervision-bulletin-generate"}
