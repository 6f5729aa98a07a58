"""Authz-matrix targets of the transfers app (see tests/core/test_authz_matrix.py)."""
from __future__ import annotations

import datetime as dt


def _member(world, member):
    return member or world.m_b4[0]


def make_transfer(world, org, member):
    from dangjian.transfers.models import Transfer

    m = _member(world, member)
    return Transfer.objects.create(member=m, member_name=m.name, from_org=org, from_path=org.path, from_name=org.name,
                                   to_org=world.b3, to_path=world.b3.path, to_name=world.b3.name, status="pending")


def make_incoming(world, org, member):
    from dangjian.transfers.models import IncomingTransfer

    m = world.m_b4[0]
    today = dt.date.today()
    return IncomingTransfer.objects.create(member=m, member_name=m.name, from_org=world.b4, from_path=world.b4.path,
                                           from_name=world.b4.name, to_org=org, to_path=org.path, to_name=org.name,
                                           status="issued", issued_on=today, valid_days=30,
                                           valid_until=today + dt.timedelta(days=30), letter_no=f"M{org.pk}-{m.pk}-{IncomingTransfer.objects.count()}")


def make_away(world, org, member):
    from dangjian.transfers.models import AwayRecord

    m = _member(world, member)
    return AwayRecord.objects.create(member=m, org=org, org_path=org.path, kind="flowing", since=dt.date(2025, 1, 1),
                                     whereabouts="深圳", contact_person="张联系")


def make_case(world, org, member):
    from dangjian.transfers.models import MembershipCase

    m = _member(world, member)
    return MembershipCase.objects.create(member=m, org=org, org_path=org.path, kind="stop", basis="matrix")


TARGETS = {"Transfer": make_transfer, "IncomingTransfer": make_incoming, "AwayRecord": make_away,
           "MembershipCase": make_case}


def make_inflow(world, org, member):
    """A flowing member of another branch taking part in org life at ``org`` (the inflow side)."""
    from dangjian.transfers.models import InflowRecord

    m = world.m_b4[1] if not world.b4.path.startswith(org.path) else world.m_b3[1]
    return InflowRecord.objects.create(member=m, org=m.org, org_path=m.org_path, kind="flowing", since=dt.date(2025, 1, 1),
                                       whereabouts="深圳", contact_person="张联系", inflow_org=org, inflow_path=org.path)


TARGETS["InflowRecord"] = make_inflow
