"""Authz-matrix targets of the dues app (tests/core/test_authz_matrix.py)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal


def _member(world, org, member):
    """The member the row belongs to; for an organization that holds no members (a county, a
    town) a fresh member of another branch, without an account, whose row is then filed under
    ``org`` (only the row's org_path matters to the matrix)."""
    if member is not None:
        return member
    from dangjian.members import services as member_services
    from tests.factories import member_data

    return member_services.create_member(actor=None, org=world.b4, data=member_data(name="矩阵党员"))


def _file_under(obj, org, member):
    if member is None:
        type(obj).objects.filter(pk=obj.pk).update(org_path=org.path)
        obj.org_path = org.path
    return obj


def make_profile(world, org, member):
    from dangjian.dues import services
    from dangjian.dues.models import DuesProfile

    m = _member(world, org, member)
    p = DuesProfile.objects.filter(member=m).first() or services.set_profile(
        actor=None, member=m, category="salaried", base=Decimal("4000"), effective_month=dt.date(2026, 1, 1))
    return _file_under(p, org, member)


def make_bill(world, org, member):
    from dangjian.dues.models import DuesBill

    m = _member(world, org, member)
    bill, _ = DuesBill.objects.get_or_create(member=m, month=dt.date(2026, 6, 1),
                                             defaults={"org_path": m.org_path, "amount_due": Decimal("40.00")})
    return _file_under(bill, org, member)


def make_payment(world, org, member):
    from dangjian.dues.models import DuesPayment

    m = _member(world, org, member)
    p = DuesPayment.objects.create(member=m, org_path=m.org_path, paid_on=dt.date(2026, 6, 5), method="cash",
                                      dues_amount=Decimal("40.00"), total=Decimal("40.00"), months=1,
                                      first_month=dt.date(2026, 6, 1), receipt_no=None)
    return _file_under(p, org, member)


def make_hardship(world, org, member):
    from dangjian.dues.models import HardshipApproval

    m = _member(world, org, member)
    h = HardshipApproval.objects.create(member=m, org_path=m.org_path, amount=Decimal("0"), reason="重病",
                                           study_date=dt.date(2026, 5, 1), study_record="支委会研究",
                                           from_month=dt.date(2026, 6, 1))
    return _file_under(h, org, member)


def make_case(world, org, member):
    from dangjian.dues.models import ReviewCase

    m = _member(world, org, member)
    case, _ = ReviewCase.objects.get_or_create(member=m, since_month=dt.date(2026, 1, 1),
                                               defaults={"org_path": m.org_path, "months_unpaid": 6})
    return _file_under(case, org, member)


TARGETS = {
    "DuesProfile": make_profile,
    "DuesBill": make_bill,
    "DuesPayment": make_payment,
    "HardshipApproval": make_hardship,
    "ReviewCase": make_case,
}
POST_ONLY = {"dues-publish"}
