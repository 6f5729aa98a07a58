"""Issue 10 item 12: merging an organization leaves nothing reachable through its old roles, and
nothing of it behind.

西村党支部 (b2, secretary ``secretary2``) is merged into 东村党支部 (b1) by the town admin, with a
pending incoming transfer, a pending outgoing transfer, a flowing member's record and a planned
meeting. Afterwards the old secretary opens none of them (their role ended, audited); b1's
secretary handles all of them; a plain member's ``member`` role follows them to b1; and no row
of any org-scoped model (``core.services.path_columns``) is left at b2's path except what had to
stay for a uniqueness rule (the audit row says which). Family: authz matrix / canary leak scan
(../shared/SECURITY.md).
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent, RoleAssignment
from dangjian.core.services import path_columns
from tests.transfers.matrix import make_away, make_incoming, make_transfer


@pytest.fixture
def merged(world):
    from dangjian.orglife.models import Meeting, MeetingType

    b2 = world.b2
    plain = get_user_model().objects.create_user(username="b2member", password="x" * 20)
    org_services.grant_role(actor=None, user=plain, org=b2, role="member")
    world.m_b2[1].user = plain
    world.m_b2[1].save(update_fields=["user"])
    incoming = make_incoming(world, b2, None)
    outgoing = make_transfer(world, b2, world.m_b2[2])
    away = make_away(world, b2, world.m_b2[0])
    start = timezone.now() + dt.timedelta(days=3)
    meeting = Meeting.objects.create(org=b2, org_path=b2.path, type=MeetingType.objects.get(owner_path="", code="theme_day"),
                                     title="西村主题党日", starts_at=start, ends_at=start + dt.timedelta(hours=2), place="西村村部")
    # both branches had a custom type with the same code: b1's stays b1's, b2's stays with b2's history
    MeetingType.objects.create(owner=world.b1, owner_path=world.b1.path, code="river", name="护河日")
    clash = MeetingType.objects.create(owner=b2, owner_path=b2.path, code="river", name="护河日")
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    org_services.merge_organizations(actor=world.users["town_admin"], source=b2, target=world.b1, reason="村庄撤并")
    b2.refresh_from_db()
    return dict(b2=b2, plain=plain, incoming=incoming, outgoing=outgoing, away=away, meeting=meeting, clash=clash, since=before)


def _urls(m):
    return {
        "organization": reverse("org-detail", args=[m["b2"].pk]),
        "incoming transfer": reverse("transfers-incoming-detail", args=[m["incoming"].pk]),
        "outgoing transfer": reverse("transfers-detail", args=[m["outgoing"].pk]),
        "flowing record": reverse("transfers-away-detail", args=[m["away"].pk]),
        "meeting": reverse("orglife-meeting-detail", args=[m["meeting"].pk]),
    }


def test_old_secretary_opens_nothing_of_the_merged_branch(world, login, merged):
    c = login(world.users["secretary2"])
    for what, url in _urls(merged).items():
        assert c.get(url).status_code == 404, f"the merged branch's secretary still opens its {what}"
    assert not RoleAssignment.objects.filter(org=merged["b2"], active=True).exists()


def test_ending_the_roles_is_audited(world, merged):
    rows = AuditEvent.objects.filter(seq__gt=merged["since"], action="role.revoke")
    ended = {(r.data["user"], r.data["role"]) for r in rows if r.data.get("reason") == "merge"}
    assert ended == {(world.users["secretary2"].pk, "secretary"), (merged["plain"].pk, "member")}
    merge_row = AuditEvent.objects.filter(seq__gt=merged["since"], action="org.merge").get()
    assert merge_row.data["roles_ended"] == 2 and merge_row.data["member_roles_moved"] == 1


def test_target_secretary_handles_everything_that_was_pending(world, login, merged):
    from dangjian.transfers.models import AwayRecord, Transfer

    c = login(world.users["secretary"])
    for what, url in _urls(merged).items():
        if what == "organization":
            continue
        assert c.get(url).status_code == 200, f"b1's secretary cannot open the merged branch's {what}"
    t = Transfer.objects.get(pk=merged["incoming"].pk)
    assert (t.to_org_id, t.to_path) == (world.b1.pk, world.b1.path)
    o = Transfer.objects.get(pk=merged["outgoing"].pk)
    assert (o.from_org_id, o.from_path) == (world.b1.pk, world.b1.path)
    a = AwayRecord.objects.get(pk=merged["away"].pk)
    assert (a.org_id, a.org_path) == (world.b1.pk, world.b1.path)


def test_plain_members_role_follows_them(world, login, merged):
    assert RoleAssignment.objects.filter(user=merged["plain"], org=world.b1, role="member", active=True).exists()
    c = login(merged["plain"])
    assert c.get(reverse("org-detail", args=[world.b1.pk])).status_code == 200
    assert c.get(reverse("org-detail", args=[merged["b2"].pk])).status_code == 404


def test_no_org_scoped_row_is_left_behind_but_what_uniqueness_keeps(world, merged):
    left = {}
    for model, field in path_columns():
        n = model._base_manager.filter(**{field: merged["b2"].path}).count()
        if n:
            left[model._meta.label] = left.get(model._meta.label, 0) + n
    assert left == {"orglife.MeetingType": 1}
    merge_row = AuditEvent.objects.filter(seq__gt=merged["since"], action="org.merge").get()
    assert merge_row.data["rows_kept"] == {"orglife.MeetingType": 1}
    merged["clash"].refresh_from_db()
    assert merged["clash"].owner_id == merged["b2"].pk  # b1's own 护河日 is untouched, b2's keeps its history


def test_the_merged_branch_stays_readable_to_its_superiors(world, login, merged):
    assert login(world.users["town_admin"]).get(reverse("org-detail", args=[merged["b2"].pk])).status_code == 200


def test_signed_minutes_keep_their_chain_and_move_into_the_targets_scope(world):
    """A record chain is per organization: the merged branch's signed records keep naming it (so
    its chain still verifies) while b1's staff now see them."""
    from dangjian.minutes import services as minutes_services
    from dangjian.minutes.models import GENESIS, MeetingRecord
    from dangjian.minutes.services import record_hash
    from tests.minutes.matrix import make_record

    def chained(org, member):
        r = make_record(world, org, member, chain_seq=1, prev_hash=GENESIS)
        MeetingRecord.objects.filter(pk=r.pk).update(content_hash=record_hash(GENESIS, r, [], []))
        return r

    rec = chained(world.b2, world.m_b2[0])
    chained(world.b1, world.m_member)
    assert minutes_services.verify_chain(world.b2).ok
    org_services.merge_organizations(actor=world.users["town_admin"], source=world.b2, target=world.b1, reason="村庄撤并")
    rec = MeetingRecord.objects.get(pk=rec.pk)
    assert rec.org_id == world.b2.pk and rec.org_path == world.b1.path
    assert minutes_services.verify_chain(world.b2).ok and minutes_services.verify_chain(world.b1).ok
