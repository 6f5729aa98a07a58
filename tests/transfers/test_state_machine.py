"""Hypothesis state machine (issue 5 "Done means"): through any sequence of request / confirm /
approve / refuse / reject / accept / cancel / expire / outside-letter operations on several
members and organizations,

* an active member is ALWAYS in exactly one organization, of a member-holding kind, active, with
  ``org_path`` equal to that organization's path (DOMAIN §11 [block] "a member in no branch");
* their MemberOrgHistory is contiguous: ordered rows, each ending the day the next starts, the
  last one open (closed for a member who left with an outside letter);
* a refused operation (ValidationError, or NotPermitted for an admin out of scope) leaves nothing
  written.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from dangjian.core.models import MEMBER_HOLDING_KINDS, AuditEvent
from dangjian.core.policy import NotPermitted
from dangjian.members.models import Member, MemberOrgHistory, RecordState
from dangjian.transfers import services as s
from dangjian.transfers.models import Transfer


def snapshot():
    return (
        list(Transfer.objects.order_by("pk").values_list("pk", "status", "letter_no", "member_id")),
        list(MemberOrgHistory.objects.order_by("pk").values_list("pk", "org_id", "started_on", "ended_on")),
        list(Member.objects.order_by("pk").values_list("pk", "org_id", "org_path", "state")),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db(transaction=False)
def test_transfers_state_machine(world):
    orgs = [world.b1, world.b2, world.b3, world.b4, world.g1]
    members = [world.m_member, world.m_committee, world.m_probationary, world.m_group, world.m_b2[0], world.m_b3[0], world.m_b4[0]]
    admins = [world.users["city_admin"], world.users["city_admin"], world.users["town_admin"], world.users["town2_admin"],
              world.users["secretary"], None]
    today = dt.date.today()
    from dangjian.members.services import create_member
    from tests.factories import member_data

    for org in (world.b1, world.b2, world.b3, world.b4):  # room above the 3-full-member floor
        for i in range(3):
            create_member(actor=None, org=org, data=member_data(name=f"{org.name}补充{i}"))
    done: set[tuple[str, str]] = set()

    class Transfers(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.refused = 0

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def attempt(self, fn, **kw):
            before = snapshot()
            try:
                result = fn(**kw)
                done.add((fn.__name__, getattr(result, "kind", "")))
                print("OK", fn.__name__, kw.get("transfer") and (kw["transfer"].kind, kw["transfer"].status))
            except (ValidationError, NotPermitted) as e:
                why = e.messages[0][:60] if isinstance(e, ValidationError) else e.code
                print("NO", fn.__name__, kw.get("transfer") and (kw["transfer"].kind, kw["transfer"].status), why)
                self.refused += 1
                assert snapshot() == before, f"refused {fn.__name__} wrote something"

        def pick_transfer(self, i, prefer=("requested", "pending", "issued", "left")):
            """Mostly a transfer in a state where the step applies (so the workflow moves on),
            sometimes any transfer (refusals)."""
            qs = Transfer.objects.order_by("pk")
            if i < 40 and qs.filter(status__in=prefer).exists():
                qs = qs.filter(status__in=prefer)
            ids = list(qs.values_list("pk", flat=True))
            return Transfer.objects.get(pk=ids[i % len(ids)]) if ids else None

        @rule(m=st.integers(0, len(members) - 1), o=st.integers(0, len(orgs) - 1), asked=st.booleans())
        def request(self, m, o, asked):
            self.attempt(s.request_transfer, actor=None, member=members[m], to_org=orgs[o], asked_by_member=asked)

        @rule(m=st.integers(0, len(members) - 1))
        def request_outside(self, m):
            self.attempt(s.request_transfer, actor=None, member=members[m], kind="out", to_name="外省某党组织")

        @rule(m=st.integers(0, len(members) - 1), o=st.integers(0, len(orgs) - 1), outside=st.booleans())
        def request_and_approve(self, m, o, outside):
            """The common path in one go: the secretary requests, the committee above approves."""
            before = Transfer.objects.count()
            if outside:
                self.attempt(s.request_transfer, actor=None, member=members[m], kind="out", to_name="外省某党组织")
            else:
                self.attempt(s.request_transfer, actor=None, member=members[m], to_org=orgs[o])
            if Transfer.objects.count() > before:
                t = Transfer.objects.order_by("-pk").first()
                self.attempt(s.approve_transfer, actor=world.users["city_admin"], transfer=t)

        @rule(i=st.integers(0, 50))
        def confirm(self, i):
            t = self.pick_transfer(i, ("requested",))
            if t:
                self.attempt(s.confirm_request, actor=None, transfer=t)

        @rule(i=st.integers(0, 50), a=st.integers(0, len(admins) - 1), days=st.sampled_from([None, None, 1, 90, 0, 91]))
        def approve(self, i, a, days):
            t = self.pick_transfer(i, ("pending",))
            if t:
                self.attempt(s.approve_transfer, actor=admins[a], transfer=t, valid_days=days)

        @rule(i=st.integers(0, 50), reason=st.sampled_from(["", "材料不全"]), go=st.integers(0, 3))
        def refuse(self, i, reason, go):
            t = self.pick_transfer(i, ("requested", "pending"))
            if t and go == 0:  # less often than the steps that move forward
                self.attempt(s.refuse_transfer, actor=None, transfer=t, reason=reason)

        @rule(i=st.integers(0, 50), reason=st.sampled_from(["", "不接收"]), go=st.integers(0, 3))
        def reject(self, i, reason, go):
            t = self.pick_transfer(i, ("issued",))
            if t and go == 0:
                self.attempt(s.reject_transfer, actor=None, transfer=t, reason=reason)

        @rule(i=st.integers(0, 50))
        def accept(self, i):
            t = self.pick_transfer(i, ("issued",))
            if t:
                self.attempt(s.accept_transfer, actor=None, transfer=t)

        @rule(i=st.integers(0, 50), go=st.integers(0, 3))
        def cancel(self, i, go):
            t = self.pick_transfer(i)
            if t and go == 0:
                self.attempt(s.cancel_transfer, actor=None, transfer=t)

        @rule(i=st.integers(0, 50), later=st.sampled_from([0, 10, 11, 91]), go=st.integers(0, 3))
        def expire(self, i, later, go):
            t = self.pick_transfer(i, ("issued",))
            if t and go == 0:
                self.attempt(s.expire_transfer, actor=None, transfer=t, today=today + dt.timedelta(days=later))

        @rule(i=st.integers(0, 50))
        def receipt(self, i):
            t = self.pick_transfer(i, ("left",))
            if t:
                self.attempt(s.mark_receipt_returned, actor=None, transfer=t)

        @invariant()
        def every_member_in_exactly_one_branch_with_contiguous_history(self):
            for m in Member.objects.filter(pk__in=[x.pk for x in members]).select_related("org"):
                rows = list(MemberOrgHistory.objects.filter(member=m).order_by("started_on", "id"))
                open_rows = [h for h in rows if h.ended_on is None]
                if m.state == RecordState.ACTIVE:
                    assert len(open_rows) == 1 and open_rows[0] is rows[-1], m.name
                    assert rows[-1].org_id == m.org_id and m.org.kind in MEMBER_HOLDING_KINDS and m.org.is_active
                    assert m.org_path == m.org.path
                else:
                    assert open_rows == [], m.name
                for a, b in zip(rows, rows[1:], strict=False):
                    assert a.ended_on == b.started_on, f"gap or overlap in {m.name}'s history"
                    assert a.org_id != b.org_id

        @invariant()
        def at_most_one_open_transfer_per_member(self):
            from django.db.models import Count

            from dangjian.transfers.models import OPEN_STATUSES

            dup = (Transfer.objects.filter(status__in=OPEN_STATUSES).values("member").annotate(n=Count("id")).filter(n__gt=1))
            assert not dup.exists()

    run_state_machine_as_test(Transfers, settings=settings(max_examples=50, stateful_step_count=30, deadline=None, derandomize=True,
                                                           suppress_health_check=list(HealthCheck)))
    # the machine really went through the workflow, not only through refusals
    assert {("approve_transfer", "internal"), ("accept_transfer", "internal"), ("approve_transfer", "out")} <= done, done
