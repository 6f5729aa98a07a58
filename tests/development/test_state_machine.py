"""Whatever sequence of operations is attempted, a case never skips, repeats or reorders a step,
and a refused operation writes nothing (DOMAIN §4.1, §11 rule ``step_order``).

The machine tries, in any order: recording any step code (1–26) on any date around the
canonical one, with valid or broken data, as the right or the wrong person; starting publicities;
extending the probation; stopping the case. After every operation the recorded steps are exactly
1..n in order with non-decreasing dates, and ``last_code`` = n; a refused call leaves the step,
audit, warning and member counts unchanged.
"""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from dangjian.core.models import AuditEvent
from dangjian.development import services
from dangjian.development.models import CasePublicity, CaseStatus, CaseStep, CaseWarning, DevelopmentCase
from dangjian.members.models import Member

from .helpers import PUBLICITY, TIMELINE, VOTE, actor_for, open_case, step_kwargs

_counter = [0]
REACHED = [0]
FAILS = []


def _snapshot(case):
    return (CaseStep.objects.filter(case=case).count(), AuditEvent.objects.count(), CaseWarning.objects.filter(case=case).count(),
            Member.objects.count(), CasePublicity.objects.filter(case=case).count())


def make_machine(world):
    class CaseMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            _counter[0] += 1
            self.case = open_case(world, name=f"机{_counter[0]}")

        def _attempt(self, fn):
            before = _snapshot(self.case)
            try:
                fn()
            except (ValidationError, PermissionDenied) as e:  # a domain refusal, or policy.NotPermitted
                FAILS.append((self.case.last_code, " ".join(getattr(e, "messages", [str(e)]))[:90]))
                assert _snapshot(self.case) == before, "a refused operation wrote something"
                return False
            finally:
                self.case.refresh_from_db()
            return True

        @rule(op=st.sampled_from(["record"] * 8 + ["publicity", "publicity", "extend", "stop"]),
              code=st.one_of(st.just(-1), st.just(-1), st.just(-1), st.integers(min_value=0, max_value=26)),
              shift=st.one_of(st.just(0), st.just(0), st.integers(min_value=-40, max_value=40)),
              who=st.sampled_from(["right", "right", "right", "secretary", "town_admin", "member", "secretary2"]),
              broken=st.sampled_from([False, False, False, True]),
              point=st.sampled_from(["object", "admission", "conversion", "next", "next", "next"]),
              months=st.integers(min_value=3, max_value=14), stop=st.integers(min_value=0, max_value=20))
        def act(self, op, code, shift, who, broken, point, months, stop):
            if op == "record":
                self.record(code, shift, who, broken)
            elif op == "publicity":
                if point == "next":  # the publicity the case needs now, if any
                    point = next((p for p, (after, _s) in PUBLICITY.items() if after == self.case.last_code), "object")
                self._attempt(lambda: services.start_publicity(actor=world.users["secretary"], case=self.case, point=point,
                                                               starts_on=PUBLICITY[point][1] + dt.timedelta(days=min(shift, 0) // 10), offline=True))
            elif op == "extend":
                self._attempt(lambda: services.extend_probation(actor=world.users["town_admin"], case=self.case,
                                                                date=dt.date(2025, 9, 1) + dt.timedelta(days=shift), months=months,
                                                                vote=dict(VOTE)))
            elif stop == 0:
                self._attempt(lambda: services.stop_case(actor=world.users["secretary"], case=self.case, reason="撤回申请"))

        def record(self, code, shift, who, broken):
            if code == -1:  # "the next step" — biased so that cases get far along
                code = self.case.last_code + 1
            if who == "right":
                who = "town_admin" if code in TIMELINE and actor_for(world, code) == world.users["town_admin"] else "secretary"
            base = TIMELINE.get(code, dt.date(2024, 1, 1))
            kw = step_kwargs(world, code if code in TIMELINE else 2, base + dt.timedelta(days=shift))
            if broken:
                kw["data"] = {}
                kw["conclusion"] = ""
            before_last = self.case.last_code
            ok = self._attempt(lambda: services.record_step(actor=world.users[who], case=self.case, code=code, **kw))
            if ok:
                assert code == before_last + 1
                REACHED[0] = max(REACHED[0], code)

        @invariant()
        def steps_are_contiguous(self):
            rows = list(CaseStep.objects.filter(case=self.case).order_by("order").values_list("code", "order", "date"))
            codes = [r[0] for r in rows]
            assert codes == list(range(1, len(codes) + 1))
            assert [r[1] for r in rows] == codes
            dates = [r[2] for r in rows]
            assert dates == sorted(dates)
            case = DevelopmentCase.objects.get(pk=self.case.pk)
            assert case.last_code == len(codes)
            if case.status == CaseStatus.ADMITTED:
                assert case.last_code == 25

    return CaseMachine


@pytest.mark.django_db
def test_no_case_skips_repeats_or_reorders_a_step(world):
    run_state_machine_as_test(make_machine(world), settings=settings(
        max_examples=30, stateful_step_count=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)))
    assert REACHED[0] >= 12, REACHED  # the machine really drove cases deep into the 25 steps
