"""Dues pages: who sees what, forms answering with clear messages, receipts, export, publicity."""
from __future__ import annotations

import datetime as dt
import io
import sys
import types
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from dangjian.core.dates import month_start_offset
from dangjian.core.errors import REFUSAL_HEADER
from dangjian.dues import services
from dangjian.dues.models import BillStatus, DuesBill, DuesPayment, DuesProfile

from .conftest import form_codes, why

M = dt.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_branch_page_lists_members_amounts_and_status(world, profiled, frozen, login):
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    services.record_payment(actor=world.users["secretary"], member=world.m_member, first_month=M(2026, 10, 1),
                            method="cash", paid_on=frozen)
    c = login(world.users["secretary"])
    r = c.get(reverse("dues-branch"), {"org": world.b1.pk, "month": "2026-10"}, **EN)
    assert r.status_code == 200
    html = r.content.decode()
    assert "赵党员" in html and "81.00" in html
    assert 'data-testid="total-paid">1<' in html and 'data-testid="total-billed">5<' in html
    assert "Paid" in html and "Unpaid" in html


def test_branch_page_other_branch_is_404_and_town_goes_to_summary(world, profiled, login):
    c = login(world.users["secretary"])
    assert c.get(reverse("dues-branch"), {"org": world.b2.pk}).status_code == 404
    assert c.get(reverse("dues-branch"), {"org": "x"}).status_code == 404
    t = login(world.users["town_admin"])
    r = t.get(reverse("dues-branch"))
    assert r.status_code == 302 and reverse("dues-summary") in r["Location"]


def test_member_only_sees_own_dues(world, profiled, frozen, login):
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    p, _ = services.record_payment(actor=world.users["secretary"], member=world.m_committee, first_month=M(2026, 10, 1),
                                   method="cash", paid_on=frozen)
    c = login(world.users["member"])
    assert c.get(reverse("dues-branch")).status_code == 302
    r = c.get(reverse("dues-mine"), **EN)
    assert r.status_code == 200 and "赵党员" in r.content.decode() and "王委员" not in r.content.decode()
    assert c.get(reverse("dues-receipt", kwargs={"pk": p.pk})).status_code == 404  # someone else's receipt
    assert c.get(reverse("dues-pay"), {"member": world.m_member.pk}).status_code == 403
    own = profiled["m_member"]
    assert c.get(reverse("dues-profile", kwargs={"pk": own.pk})).status_code == 200
    assert c.get(reverse("dues-profile", kwargs={"pk": profiled["m_committee"].pk})).status_code == 404


def test_secretary_records_payment_and_member_sees_it_paid(world, profiled, frozen, login):
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    c = login(world.users["secretary"])
    r = c.get(reverse("dues-pay"), {"member": world.m_member.pk})
    assert r.status_code == 200
    r = c.post(reverse("dues-pay"), {"member": world.m_member.pk, "first_month": "2026-10", "months": 1, "paid_on": "2026-10-15",
                                     "method": "cash", "payer": "member", "voluntary_extra": "0"})
    assert r.status_code == 302
    bill = DuesBill.objects.get(member=world.m_member, month=M(2026, 10, 1))
    assert bill.status == BillStatus.PAID and bill.payment.recorded_by == world.users["secretary"]
    m = login(world.users["member"], c=None)
    html = m.get(reverse("dues-mine"), **EN).content.decode()
    assert bill.payment.receipt_no in html and "✓" in html
    r = m.get(reverse("dues-receipt", kwargs={"pk": bill.payment_id}))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")


def test_payment_form_shows_rule_refusals_and_writes_nothing(world, profiled, frozen, login):
    c = login(world.users["secretary"])
    base = {"member": world.m_member.pk, "first_month": "2026-10", "months": 1, "paid_on": "2026-10-15", "method": "cash",
            "voluntary_extra": "0"}

    def shown(r) -> list[str]:  # the refusal's codes, each message shown on the page
        assert r.status_code == 200
        for errs in r.context["form"].errors.as_data().values():
            assert all(escape(m) in r.content.decode() for e in errs for m in e.messages)
        return form_codes(r)

    assert shown(c.post(reverse("dues-pay"), {**base, "payer": "organisation"}, **EN)) == ["paid_by_organization"]
    assert shown(c.post(reverse("dues-pay"), {**base, "payer": "deduction"}, **EN)) == ["no_written_consent"]
    assert shown(c.post(reverse("dues-pay"), {**base, "payer": "member", "months": 3}, **EN)) == ["no_branch_consent"]
    assert not DuesPayment.objects.exists()


def test_late_back_payment_warns_on_the_page(world, profiled, frozen, login):
    c = login(world.users["secretary"])
    r = c.post(reverse("dues-pay"), {"member": world.m_member.pk, "first_month": "2026-02", "months": 1, "paid_on": "2026-10-15",
                                     "method": "cash", "payer": "member"}, follow=True, **EN)
    assert "more than 6 months late" in r.content.decode()


def test_other_branch_secretary_cannot_record(world, profiled, login):
    c = login(world.users["secretary2"])
    assert c.get(reverse("dues-pay"), {"member": world.m_member.pk}).status_code == 404
    assert c.get(reverse("dues-profile-edit"), {"member": world.m_member.pk}).status_code == 404


def test_profile_form_creates_profile_with_history(world, frozen, login):
    c = login(world.users["secretary"])
    r = c.get(reverse("dues-profile-edit"), {"member": world.m_member.pk}, **EN)
    assert r.status_code == 200 and "housing provident fund" in r.content.decode()  # the exclusion list
    r = c.post(reverse("dues-profile-edit"), {"member": world.m_member.pk, "category": "salaried", "base": "",
                                              "effective_month": "2026-10", "reason": "initial"}, **EN)
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "base_required"
    r = c.post(reverse("dues-profile-edit"), {"member": world.m_member.pk, "category": "salaried", "base": "5000.01",
                                              "effective_month": "2026-10", "reason": "initial"})
    assert r.status_code == 302
    p = DuesProfile.objects.get(member=world.m_member)
    assert services.amount_for(world.m_member, M(2026, 10, 1)) == Decimal("75.00")
    assert p.changes.count() == 1


def test_hardship_request_and_approval_by_the_upper_committee_only(world, profiled, frozen, login):
    c = login(world.users["secretary"])
    r = c.post(reverse("dues-hardship-new"), {"member": world.m_member.pk, "amount": "0", "reason": "重病住院",
                                              "study_date": "2026-10-10", "study_record": "支委会研究", "from_month": "2026-10"})
    assert r.status_code == 302
    h = world.m_member.dues_hardships.get()
    assert c.get(reverse("dues-hardship-decide", kwargs={"pk": h.pk})).status_code == 403  # the branch cannot approve itself
    t = login(world.users["town_admin"], c=None)
    r = t.post(reverse("dues-hardship-decide", kwargs={"pk": h.pk}), {"decision": "approve", "approval_record": ""})
    assert r.status_code == 200
    r = t.post(reverse("dues-hardship-decide", kwargs={"pk": h.pk}), {"decision": "approve", "approval_record": "东镇党委〔2026〕3号"})
    assert r.status_code == 302
    h.refresh_from_db()
    assert h.status == "approved" and h.decided_by == world.users["town_admin"]


def test_generate_page(world, profiled, frozen, login):
    c = login(world.users["committee"])
    assert c.get(reverse("dues-generate")).status_code == 200
    r = c.post(reverse("dues-generate"), {"org": world.b1.pk, "month": "2026-10"})
    assert r.status_code == 302
    assert DuesBill.objects.filter(month=M(2026, 10, 1)).count() == 5
    r = c.post(reverse("dues-generate"), {"org": world.b1.pk, "month": "2026-10"}, follow=True)
    assert DuesBill.objects.filter(month=M(2026, 10, 1)).count() == 5
    r = c.post(reverse("dues-generate"), {"org": world.b2.pk, "month": "2026-10"})
    assert r.status_code == 404  # another branch: out of this officer's reach
    assert not DuesBill.objects.filter(member__org=world.b2).exists()
    r = c.post(reverse("dues-generate"), {"org": world.b1.pk, "month": "2026-12"})
    assert r.status_code == 200 and DuesBill.objects.filter(month=M(2026, 12, 1)).count() == 0


def test_summary_totals_per_branch(world, profiled, frozen, login):
    services.generate_bills(actor=None, month=M(2026, 10, 1))
    services.record_payment(actor=None, member=world.m_member, first_month=M(2026, 10, 1), method="cash", paid_on=frozen)
    c = login(world.users["town_admin"])
    r = c.get(reverse("dues-summary"), {"month": "2026-10"})
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-testid="summary-row-{world.b1.pk}"' in html and f'data-testid="summary-row-{world.b2.pk}"' in html
    assert f'data-testid="summary-row-{world.b3.pk}"' not in html  # another town
    from dangjian.dues import selectors

    rows = {r["org"].pk: r for r in selectors.summary_by_branch(world.t1, M(2026, 10, 1))}
    assert rows[world.b1.pk]["billed"] == 5 and rows[world.b1.pk]["paid"] == 1  # the Party group's member counts in b1
    assert rows[world.b1.pk]["received"] == Decimal("81.00")


def test_export_xlsx_and_audit(world, profiled, frozen, login):
    from openpyxl import load_workbook

    from dangjian.core.models import AuditEvent

    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    c = login(world.users["secretary"])
    r = c.get(reverse("dues-export"), {"org": world.b1.pk, "month": "2026-10"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 5 and {row[2] for row in rows} >= {"赵党员", "钱预备"}
    assert AuditEvent.objects.filter(action="dues.export").exists()
    assert login(world.users["committee"], c=None).get(reverse("dues-export")).status_code == 403


def test_large_export_runs_as_a_job(world, profiled, frozen, login, settings):
    settings.DANGJIAN_DUES_DIRECT_EXPORT_ROWS = 2
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    c = login(world.users["secretary"])
    r = c.get(reverse("dues-export"), {"org": world.b1.pk, "month": "2026-10"})
    assert r.status_code == 302 and "/jobs/" in r["Location"]


def test_arrears_page_and_case_decision(world, profiled, login):
    from .conftest import at

    with at(2026, 7, 1):
        m = M(2026, 1, 1)
        while m <= M(2026, 6, 1):
            services.generate_bills(actor=None, month=m, org=world.b1)
            m = month_start_offset(m, 1)
        services.run_arrears()
        c = login(world.users["secretary"])
        r = c.get(reverse("dues-arrears"), **EN)
        assert r.status_code == 200 and "赵党员" in r.content.decode()
        case = world.m_member.dues_review_cases.get()
        assert c.get(reverse("dues-case", kwargs={"pk": case.pk})).status_code == 200
        r = c.post(reverse("dues-case-decide", kwargs={"pk": case.pk}), {"meeting_date": "2026-07-01", "decision": "限期改正"})
        assert r.status_code == 302
        case.refresh_from_db()
        assert case.status == "decided"
        assert login(world.users["member"], c=None).get(reverse("dues-case", kwargs={"pk": case.pk})).status_code == 200  # own case


def test_member_panel_on_member_page(world, profiled, frozen, login):
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    c = login(world.users["secretary"])
    r = c.get(reverse("member-detail", kwargs={"pk": world.m_member.pk}))
    assert 'data-testid="member-panel-dues"' in r.content.decode()
    a = login(world.users["audit_admin"], c=None)
    r = a.get(reverse("member-detail", kwargs={"pk": world.m_member.pk}))
    assert r.status_code == 404 and 'member-panel-dues' not in r.content.decode()


@pytest.fixture
def fake_publicity(monkeypatch):
    calls = []
    mod = types.ModuleType("dangjian.publicity.api")

    def create_notice(*, org, board, title, body, actor, source):
        calls.append({"org": org, "board": board, "title": title, "body": body, "actor": actor, "source": source})
        return types.SimpleNamespace(pk=1)

    mod.create_notice = create_notice
    monkeypatch.setitem(sys.modules, "dangjian.publicity.api", mod)
    import dangjian.publicity

    monkeypatch.setattr(dangjian.publicity, "api", mod, raising=False)
    return calls


def test_publicity_posts_branch_totals_without_names(world, profiled, frozen, login, fake_publicity):
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    services.record_payment(actor=None, member=world.m_member, first_month=M(2026, 10, 1), method="cash", paid_on=frozen)
    c = login(world.users["secretary"])
    r = c.post(reverse("dues-publish"), {"org": world.b1.pk, "month": "2026-10"})
    assert r.status_code == 302
    (call,) = fake_publicity
    assert call["board"] == "dues" and call["source"] == f"dues:{world.b1.pk}:2026-10" and call["org"] == world.b1
    assert "应缴党费党员5人" in call["body"] and "已缴1人" in call["body"]
    for name in ("赵党员", "李书记", "钱预备"):
        assert name not in call["body"]


def test_publicity_without_bills_is_a_clear_message(world, frozen, login, fake_publicity):
    c = login(world.users["secretary"])
    with translation.override("en"), pytest.raises(ValidationError) as e:
        services.publish_totals(actor=world.users["secretary"], org=world.b1, month=M(2026, 10, 1))
    assert why(e.value) == [(None, "no_bills")]
    r = c.post(reverse("dues-publish"), {"org": world.b1.pk, "month": "2026-10"}, follow=True, **EN)
    assert [(m.level_tag, m.message) for m in r.context["messages"]] == [("error", e.value.messages[0])]
    assert escape(e.value.messages[0]) in r.content.decode() and not fake_publicity


def test_publicity_with_the_real_board(world, profiled, frozen):
    """Against dangjian.publicity.api itself: a draft on the branch's dues board; again → no duplicate."""
    pytest.importorskip("dangjian.publicity.api")
    from dangjian.publicity.api import notices_for_source

    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    services.publish_totals(actor=world.users["secretary"], org=world.b1, month=M(2026, 10, 1))
    services.publish_totals(actor=world.users["secretary"], org=world.b1, month=M(2026, 10, 1))
    notices = list(notices_for_source(f"dues:{world.b1.pk}:2026-10"))
    assert len(notices) == 1 and notices[0].board == "dues"
    assert notices[0].status != "published"


def test_payment_form_proposes_the_right_first_month(world, profiled, frozen, login):
    for mo in (M(2026, 8, 1), M(2026, 9, 1), M(2026, 10, 1)):
        services.generate_bills(actor=None, month=mo, org=world.b1)
    c = login(world.users["secretary"])
    r = c.get(reverse("dues-pay"), {"member": world.m_member.pk})
    assert 'value="2026-08"' in r.content.decode()  # the oldest unpaid month
    services.record_payment(actor=None, member=world.m_member, first_month=M(2026, 8, 1), months=3, method="cash", paid_on=frozen)
    r = c.get(reverse("dues-pay"), {"member": world.m_member.pk})
    assert 'value="2026-11"' in r.content.decode()  # all settled: the next month


def test_chinese_page_uses_dues_terms(world, profiled, frozen, login):
    """Short words keep their dues meaning in Chinese (another catalog's "Status"/"Exempt" must not leak in)."""
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    h = services.request_hardship(actor=None, member=world.m_member, amount=Decimal("0"), reason="重病", study_date=M(2026, 10, 1),
                                  study_record="支委会研究", from_month=M(2026, 10, 1))
    services.decide_hardship(actor=world.users["town_admin"], hardship=h, approve=True, approval_record="东镇党委〔2026〕1号")
    c = login(world.users["secretary"])
    html = c.get(reverse("dues-branch"), {"org": world.b1.pk, "month": "2026-10"}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<th>状态</th>" in html and "免交" in html and "未交" in html
    assert "党员类别" not in html and "免于参加" not in html


def test_export_job_body_rechecks_reach_and_notifies(world, profiled, frozen):
    from openpyxl import load_workbook

    from dangjian.dues import export
    from dangjian.jobs.models import Job
    from dangjian.notify.models import InboxMessage

    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    job = Job.objects.create(kind=export.EXPORT_JOB_KIND, actor=world.users["secretary"],
                             params={"org": world.b1.pk, "month": "2026-10"})
    steps = []
    name, data = export.run_export_job(job, lambda pct, note: steps.append(pct))
    assert name.endswith(".xlsx") and len(list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=3))) == 5
    assert InboxMessage.objects.filter(user=world.users["secretary"], kind="dues.export_ready").exists()
    other = Job.objects.create(kind=export.EXPORT_JOB_KIND, actor=world.users["secretary2"],
                               params={"org": world.b1.pk, "month": "2026-10"})
    with pytest.raises(ValidationError) as e:
        export.run_export_job(other, lambda pct, note: None)
    assert why(e.value) == [(None, "not_permitted")]


def test_branch_page_filters(world, profiled, frozen, login):
    services.generate_bills(actor=None, month=M(2026, 10, 1), org=world.b1)
    services.record_payment(actor=None, member=world.m_member, first_month=M(2026, 10, 1), method="cash", paid_on=frozen)
    c = login(world.users["secretary"])

    def names(show):
        html = c.get(reverse("dues-branch"), {"org": world.b1.pk, "month": "2026-10", "show": show}).content.decode()
        return {m.name for m in (world.m_member, world.m_committee) if f"dues-row-{m.pk}" in html}

    assert names("paid") == {"赵党员"}
    assert names("unpaid") == {"王委员"}
    assert names("") == {"赵党员", "王委员"}
    assert names("noprofile") == set()
