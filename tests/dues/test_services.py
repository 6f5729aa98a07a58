"""Dues rules of 中组发〔2008〕3号 as services: profiles, hardship, bills, payments, arrears."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.dates import month_start_offset
from dangjian.dues import services
from dangjian.dues.models import ArrearsNotice, BillStatus, DuesBill, DuesPayment, ReviewCase
from dangjian.members.models import Member
from dangjian.notify.models import InboxMessage

from .conftest import at, why

D = Decimal
M = dt.date


def pay(world, member, first, months=1, **kw):
    kw.setdefault("method", "cash")
    kw.setdefault("paid_on", dt.date(2026, 10, 15))
    return services.record_payment(actor=world.users["secretary"], member=member, first_month=first, months=months, **kw)


# -- profiles ---------------------------------------------------------------------------------------

def test_profile_history_and_salary_change_recomputes_only_unpaid_bills(world, profiled, frozen):
    m = world.m_member
    services.generate_bills(actor=None, month=M(2026, 8, 1))
    services.generate_bills(actor=None, month=M(2026, 9, 1))
    pay(world, m, M(2026, 8, 1))
    services.set_profile(actor=world.users["secretary"], member=m, category="salaried", base=D("11500"),
                         effective_month=M(2026, 8, 1), reason="salary")
    assert DuesBill.objects.get(member=m, month=M(2026, 8, 1)).amount_due == D("81.00")  # paid: untouched
    assert DuesBill.objects.get(member=m, month=M(2026, 9, 1)).amount_due == D("230.00")  # recomputed
    assert m.dues_profile.changes.count() == 2
    assert services.amount_for(m, M(2026, 7, 1)) == D("81.00")  # the older version still applies to July


def test_profile_refuses_missing_base_and_bad_farmer_amount(world):
    with pytest.raises(ValidationError) as e:
        services.set_profile(actor=None, member=world.m_member, category="salaried", base=None, effective_month=M(2026, 1, 1))
    assert why(e.value) == [("base", "base_required")]
    with pytest.raises(ValidationError) as e:
        services.set_profile(actor=None, member=world.m_member, category="farmer", fixed_amount=D("1.50"), effective_month=M(2026, 1, 1))
    assert why(e.value) == [("fixed_amount", "farmer_amount_out_of_range")]
    assert not hasattr(Member.objects.get(pk=world.m_member.pk), "dues_profile")
    from dangjian.dues.models import DuesProfile
    assert not DuesProfile.objects.filter(member=world.m_member).exists()


def test_stale_base_and_january_rebase_warnings(world):
    p = services.set_profile(actor=None, member=world.m_member, category="salaried", base=D("4000"),
                             effective_month=M(2025, 1, 1), today=M(2025, 1, 10))
    assert services.profile_warnings(p, today=M(2025, 6, 1)) == []
    assert any("2026" in w for w in services.profile_warnings(p, today=M(2026, 1, 20)))  # annual re-base due
    assert any("14" in w for w in services.profile_warnings(p, today=M(2026, 3, 1)))  # > 13 months old
    farmer = services.set_profile(actor=None, member=world.m_committee, category="farmer", fixed_amount=D("0.5"),
                                  effective_month=M(2020, 1, 1), today=M(2020, 1, 1))
    assert services.profile_warnings(farmer, today=M(2026, 3, 1)) == []


# -- bills ----------------------------------------------------------------------------------------

def test_probationary_member_billed_from_admission_month_only(world, profiled, frozen):
    m = world.m_probationary  # admitted by the 支部大会 on 2026-03-01
    with pytest.raises(ValidationError) as e:
        services.create_bill(member=m, month=M(2026, 2, 1))
    assert why(e.value) == [(None, "before_admission")] and "2026-03" in e.value.messages[0]  # names the month of admission
    assert services.create_bill(member=m, month=M(2026, 3, 1)).amount_due == D("81.00")
    counts = services.generate_bills(actor=None, month=M(2026, 2, 1), org=world.b1)
    assert counts["not_admitted"] == 1
    assert not DuesBill.objects.filter(member=m, month=M(2026, 2, 1)).exists()
    with pytest.raises(ValidationError) as e:
        pay(world, m, M(2026, 2, 1), months=2)
    assert why(e.value) == [(None, "before_admission")]
    assert not DuesPayment.objects.filter(member=m).exists()


def test_bill_generation_is_idempotent(world, profiled, frozen):
    first = services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    assert first["created"] == 5  # four b1 members with profiles + the Party-group member
    again = services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    assert again["created"] == 0 and again["existing"] == 5
    assert DuesBill.objects.filter(month=M(2026, 10, 1)).count() == 5
    everyone = services.generate_bills(actor=None, month=M(2026, 10, 1))
    assert everyone["created"] == 0 and everyone["no_profile"] == 9  # b2, b3, b4 members have no profile


# -- payments -------------------------------------------------------------------------------------

def test_payment_settles_bills_with_receipt_number_and_recorder(world, profiled, frozen):
    p, warnings = pay(world, world.m_member, M(2026, 10, 1), method="transfer", reference="TX123")
    assert warnings == []
    assert p.receipt_no.startswith("DF2026") and p.total == D("81.00") and p.recorded_by == world.users["secretary"]
    bill = DuesBill.objects.get(member=world.m_member, month=M(2026, 10, 1))
    assert bill.status == BillStatus.PAID and bill.payment == p
    p2, _ = pay(world, world.m_committee, M(2026, 10, 1))
    assert p2.receipt_no != p.receipt_no
    with pytest.raises(ValidationError) as e:
        pay(world, world.m_member, M(2026, 10, 1))
    assert why(e.value) == [(None, "already_paid")]


def test_organisation_paying_on_behalf_is_refused(world, profiled, frozen):
    with pytest.raises(ValidationError) as e:
        pay(world, world.m_member, M(2026, 10, 1), payer="organisation")
    assert why(e.value) == [("payer", "paid_by_organization")]
    assert not DuesPayment.objects.exists()


def test_deduction_needs_written_consent(world, profiled, frozen):
    with pytest.raises(ValidationError) as e:
        pay(world, world.m_member, M(2026, 10, 1), payer="deduction")
    assert why(e.value) == [("written_consent", "no_written_consent")]
    assert not DuesPayment.objects.exists()
    p, _ = pay(world, world.m_member, M(2026, 10, 1), payer="deduction", written_consent="本人2026-01-05书面同意")
    assert p.payer == "deduction"


def test_entrusted_payment_is_allowed(world, profiled, frozen):
    p, _ = pay(world, world.m_member, M(2026, 10, 1), payer="entrusted")
    assert p.payer == "entrusted"


def test_special_dues_are_refused(world, profiled, frozen):
    with pytest.raises(ValidationError) as e:
        pay(world, world.m_member, M(2026, 10, 1), kind="special")
    assert why(e.value) == [(None, "special_dues")]
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize("first,late", [(M(2026, 4, 1), False), (M(2026, 3, 1), True)])
def test_back_payment_window_six_months_warns_beyond(world, profiled, frozen, first, late):
    p, warnings = pay(world, world.m_member, first)
    assert p.late is late
    assert bool(warnings) is late
    if late:
        assert "2026-03" in warnings[0]


def test_quarterly_advance_needs_branch_consent(world, profiled, frozen):
    with pytest.raises(ValidationError) as e:
        pay(world, world.m_member, M(2026, 10, 1), months=3)
    assert why(e.value) == [("branch_consent", "no_branch_consent")]
    assert not DuesBill.objects.filter(member=world.m_member, month__gte=M(2026, 11, 1)).exists()
    p, _ = pay(world, world.m_member, M(2026, 10, 1), months=3, branch_consent="支委会2026-10-10同意按季交纳")
    assert p.advance and p.months == 3 and p.total == D("243.00")
    assert DuesBill.objects.filter(member=world.m_member, status=BillStatus.PAID).count() == 3
    with pytest.raises(ValidationError) as e:  # beyond a quarter in advance
        pay(world, world.m_committee, M(2026, 10, 1), months=5, branch_consent="同意")
    assert why(e.value) == [("months", "too_far_ahead")]


@pytest.mark.parametrize("extra,flag", [(D("999.99"), False), (D("1000.00"), True)])
def test_voluntary_extra_of_1000_is_flagged_for_the_centre(world, profiled, frozen, extra, flag):
    p, warnings = pay(world, world.m_member, M(2026, 10, 1), voluntary_extra=extra)
    assert p.remit_to_centre is flag
    assert p.total == D("81.00") + extra
    reminded = InboxMessage.objects.filter(user=world.users["secretary"], kind="dues.remit_centre").exists()
    assert reminded is flag
    assert bool(warnings) is flag


def test_voluntary_extra_alone(world, profiled, frozen):
    p, _ = pay(world, world.m_member, None, months=0, voluntary_extra=D("1500"))
    assert p.remit_to_centre and p.dues_amount == 0 and p.total == D("1500")
    with pytest.raises(ValidationError) as e:
        pay(world, world.m_member, None, months=0)
    assert why(e.value) == [("months", "nothing_to_record")]


def test_future_payment_date_refused(world, profiled, frozen):
    with pytest.raises(ValidationError) as e:
        pay(world, world.m_member, M(2026, 10, 1), paid_on=M(2026, 10, 16))
    assert why(e.value) == [("paid_on", "in_future")]


# -- hardship (art. 7) ----------------------------------------------------------------------------

def test_hardship_needs_study_record_and_upper_approval(world, profiled, frozen):
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    with pytest.raises(ValidationError) as e:
        services.request_hardship(actor=None, member=world.m_member, amount=D("0"), reason="重病", study_date=M(2026, 10, 1),
                                  study_record=" ", from_month=M(2026, 10, 1))
    assert why(e.value) == [("study_record", "no_study_record")]
    h = services.request_hardship(actor=world.users["secretary"], member=world.m_member, amount=D("0"), reason="重病",
                                  study_date=M(2026, 10, 1), study_record="支委会研究同意", from_month=M(2026, 10, 1))
    assert DuesBill.objects.get(member=world.m_member, month=M(2026, 10, 1)).status == BillStatus.UNPAID  # not yet approved
    with pytest.raises(ValidationError) as e:
        services.decide_hardship(actor=world.users["town_admin"], hardship=h, approve=True, approval_record="")
    assert why(e.value) == [("approval_record", "no_approval_record")]
    services.decide_hardship(actor=world.users["town_admin"], hardship=h, approve=True, approval_record="东镇党委〔2026〕12号")
    bill = DuesBill.objects.get(member=world.m_member, month=M(2026, 10, 1))
    assert bill.status == BillStatus.EXEMPT and bill.amount_due == 0
    with pytest.raises(ValidationError) as e:
        pay(world, world.m_member, M(2026, 10, 1))
    assert why(e.value) == [(None, "exempt")]


# -- arrears (art. 13) ----------------------------------------------------------------------------

def _bill_months(world, first, last):
    m = first
    while m <= last:
        services.generate_bills(actor=None, month=m, org=world.b1)
        m = month_start_offset(m, 1)


def test_arrears_1_3_6_notifications_and_one_review_case(world, profiled):
    member_user = world.users["member"]
    sec = world.users["secretary"]
    with at(2026, 3, 2):
        _bill_months(world, M(2026, 1, 1), M(2026, 3, 1))
        for key in ("m_secretary", "m_committee", "m_probationary", "m_group"):  # everyone else pays
            for mo in (M(2026, 1, 1), M(2026, 2, 1)):
                if not (key == "m_probationary" and mo < M(2026, 3, 1)):
                    pay(world, getattr(world, key), mo, paid_on=M(2026, 3, 2))
    with at(2026, 2, 2):
        c = services.run_arrears()
        assert c["warn1"] == 1  # January unpaid
        assert InboxMessage.objects.filter(user=member_user, kind="dues.arrears_1").count() == 1
        assert InboxMessage.objects.filter(user=sec, kind="dues.arrears_1").count() == 1
        assert services.run_arrears() == {"warn1": 0, "warn3": 0, "escalated": 0, "cases": 0}  # daily job: once
    with at(2026, 7, 1):
        _bill_months(world, M(2026, 4, 1), M(2026, 7, 1))
        for key in ("m_secretary", "m_committee", "m_probationary", "m_group"):
            pay(world, getattr(world, key), M(2026, 3, 1), months=4, paid_on=M(2026, 7, 1))
    with at(2026, 4, 1):
        c = services.run_arrears()
        assert c["warn3"] == 1 and c["cases"] == 0
        assert InboxMessage.objects.filter(user=member_user, kind="dues.arrears_3").count() == 1
    with at(2026, 6, 30, 23):  # five months unpaid (Jan–May): no case yet
        assert services.run_arrears()["cases"] == 0
    with at(2026, 7, 1):
        before = Member.objects.filter(state="active").count()
        c = services.run_arrears()
        assert c["cases"] == 1
        case = ReviewCase.objects.get()
        assert case.member_id == world.m_member.pk and case.months_unpaid == 6 and case.since_month == M(2026, 1, 1)
        assert case.status == "open"
        assert InboxMessage.objects.filter(user=sec, kind="dues.review_case").count() == 1
        services.run_arrears()
        assert ReviewCase.objects.count() == 1  # idempotent
        # the system never removes anyone
        assert Member.objects.filter(state="active").count() == before
        assert Member.objects.get(pk=world.m_member.pk).state == "active"
    assert ArrearsNotice.objects.filter(member=world.m_member).count() == 2


def test_excused_month_breaks_the_streak(world, profiled):
    with at(2026, 7, 1):
        _bill_months(world, M(2026, 1, 1), M(2026, 6, 1))
        services.excuse_bill(actor=world.users["secretary"], bill=DuesBill.objects.get(member=world.m_member, month=M(2026, 3, 1)),
                             reason="外出务工，已说明，支委会认可")
        services.run_arrears()
        assert not ReviewCase.objects.filter(member=world.m_member).exists()


def test_review_case_decision_is_recorded_by_a_person(world, profiled):
    with at(2026, 7, 1):
        _bill_months(world, M(2026, 1, 1), M(2026, 6, 1))
        services.run_arrears()
        case = ReviewCase.objects.get(member=world.m_member)
        with pytest.raises(ValidationError) as e:
            services.decide_case(actor=world.users["secretary"], case=case, meeting_date=M(2026, 7, 1), decision="")
        assert why(e.value) == [("decision", "no_decision")]
        services.decide_case(actor=world.users["secretary"], case=case, meeting_date=M(2026, 7, 1),
                             decision="经批评教育，限期一个月内补交")
        case.refresh_from_db()
        assert case.status == "decided" and case.decided_by == world.users["secretary"]
        assert Member.objects.get(pk=world.m_member.pk).state == "active"
        with pytest.raises(ValidationError) as e:
            services.decide_case(actor=world.users["secretary"], case=case, meeting_date=M(2026, 7, 1), decision="x")
        assert why(e.value) == [(None, "decided")]


def test_periodic_jobs_are_registered():
    from dangjian.jobs.api import PERIODIC

    assert {"dues.monthly_bills", "dues.arrears"} <= set(PERIODIC)


def test_monthly_job_bills_everyone_with_a_profile(world, profiled):
    from dangjian.dues import tasks

    with at(2026, 11, 1, 0):
        fn = getattr(tasks.monthly_bills, "call_local", tasks.monthly_bills)
        fn()
        fn()
    assert DuesBill.objects.filter(month=M(2026, 11, 1)).count() == 5


def test_demo_seed_on_the_world(world):
    import random
    from types import SimpleNamespace

    from dangjian.dues import demo
    from dangjian.dues.models import DuesProfile

    lines = []
    ctx = SimpleNamespace(scale="tiny", today=M(2026, 10, 15), rng=random.Random(1), say=lines.append, accounts=[],
                          orgs={"county": world.county, "town": world.t1, "branch": world.b1})
    with at(2026, 10, 15):
        demo.seed(ctx)
    in_county = Member.objects.filter(org_path__startswith=world.county.path).count()
    assert DuesProfile.objects.count() == in_county
    assert DuesBill.objects.filter(org_path__startswith=world.t1.path, month=M(2026, 10, 1)).exists()
    assert not DuesBill.objects.filter(org_path__startswith=world.t2.path).exists()
    assert DuesBill.objects.filter(member=world.m_group, status="unpaid").exists()  # planned arrears in the demo branch
    assert any("dues profiles" in line for line in lines)


def test_profile_follows_a_moved_member_to_the_new_branch(world, profiled, frozen, login):
    from dangjian.dues.models import DuesProfile
    from dangjian.members import services as member_services

    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    member_services.move_member(actor=world.users["town_admin"], member=world.m_member, to_org=world.b2, reason="迁居")
    m = Member.objects.get(pk=world.m_member.pk)
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b2)
    p = DuesProfile.objects.get(member=m)
    assert p.org_path == world.b2.path
    assert login(world.users["secretary2"]).get(f"/dues/profiles/{p.pk}/").status_code == 200
    old_bill = DuesBill.objects.get(member=m, month=M(2026, 10, 1))
    assert old_bill.org_path == world.b1.path  # the bill stays with the branch that issued it


def test_rebase_reminder_in_january_only(world):
    services.set_profile(actor=None, member=world.m_member, category="salaried", base=D("4000"),
                         effective_month=M(2025, 1, 1), today=M(2025, 1, 10))
    services.set_profile(actor=None, member=world.m_committee, category="salaried", base=D("4000"),
                         effective_month=M(2026, 1, 1), today=M(2026, 1, 2))
    services.set_profile(actor=None, member=world.m_group, category="retired", base=D("3000"),
                         effective_month=M(2025, 1, 1), today=M(2025, 1, 10))
    assert services.rebase_reminders(today=M(2026, 2, 3)) == 0
    with at(2026, 1, 3, 9):
        assert services.rebase_reminders(today=M(2026, 1, 3)) == 1  # b1 (the Party-group member counts in b1)
    msg = InboxMessage.objects.get(user=world.users["secretary"], kind="dues.rebase_due")
    assert "2" in msg.body and "2026" in msg.title


def test_api_paid_up_to_and_arrears(world, profiled, frozen):
    from dangjian.dues import api

    assert api.paid_up_to(world.m_member) is None
    for mo in (M(2026, 7, 1), M(2026, 8, 1), M(2026, 9, 1)):
        services.generate_bills(actor=None, month=mo, org=world.b1)
    pay(world, world.m_member, M(2026, 7, 1))
    assert api.paid_up_to(world.m_member) == M(2026, 7, 1)
    assert api.arrears_months(world.m_member) == 2


def test_export_message_link_is_the_job_page():
    from django.urls import reverse

    from dangjian.core.messages import KINDS

    kind = KINDS["dues.export_ready"]
    link = getattr(kind, "link", None) or kind["link"]
    assert link.replace("{job_id}", "7") == reverse("job-detail", kwargs={"pk": 7})
