"""Authz-matrix targets of the appraisal app (see tests/core/test_authz_matrix.py)."""
from __future__ import annotations


def _round(world, org):
    from dangjian.appraisal.models import AppraisalRound

    year = 2026
    while AppraisalRound.objects.filter(org=org, year=year).exists():
        year -= 1
    return AppraisalRound.objects.create(org=org, org_path=org.path, year=year)


def make_round(world, org, member):
    return _round(world, org)


def make_participant(world, org, member):
    from dangjian.appraisal.models import Participant

    rnd = _round(world, org)
    m = member or world.m_b4[0]
    return Participant.objects.create(round=rnd, member=m, org_path=rnd.org_path, name=m.name, may_vote=True)


def make_case(world, org, member):
    from dangjian.appraisal.models import DispositionCase

    p = make_participant(world, org, member)
    p.grade, p.grade_reason = "unqualified", "matrix"
    p.save()
    return DispositionCase.objects.create(round=p.round, participant=p, member=p.member, org=org, org_path=org.path, basis="matrix")


TARGETS = {"AppraisalRound": make_round, "Participant": make_participant, "DispositionCase": make_case}
