"""Demo elections and terms: the demo branch's last election (committee filed, secretary approved), a
branch whose term ends within three months (yellow, reminder due), and the already expired term
the demo tree marks (``orgs["expired_term"]``, red)."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.core import api as core_services
from dangjian.core.dates import same_day_months_later
from dangjian.core.models import Organization, OrgKind, OrgStatus

from . import services
from .models import CommitteeMember, OfficerPosition


def seed(ctx) -> None:
    branch, town = ctx.orgs.get("branch"), ctx.orgs.get("town")
    if branch is None or town is None:
        return
    User = get_user_model()
    secretary = User.objects.filter(username="secretary").first()
    town_admin = User.objects.filter(username="town_admin").first()
    today = ctx.today
    # 1. the demo branch's election, two years ago
    try:
        with transaction.atomic():
            voters = list(services.entitled_voters(branch, today).order_by("id"))
            sec = next((m for m in voters if m.position == "secretary"), None)
            if sec is not None and len(voters) >= 5:
                others = [m for m in voters if m.pk != sec.pk][:4]
                held = today - dt.timedelta(days=730)
                present = len(voters) - len(voters) // 10
                e = services.create_election(actor=secretary, org=branch, held_on=held, seats=3, present=present,
                                             candidates=[sec] + others)
                cands = list(e.candidates.order_by("id"))
                votes = {c.pk: max(present - 1 - i, 0) for i, c in enumerate(cands)}
                positions = {cands[0].pk: OfficerPosition.SECRETARY, cands[1].pk: OfficerPosition.ORGANIZATION}
                services.record_result(actor=secretary, election=e, votes=votes, positions=positions)
                seat = CommitteeMember.objects.filter(org=branch, position=OfficerPosition.SECRETARY, ended_on__isnull=True).first()
                if seat:
                    services.approve_officer(actor=town_admin, seat=seat, on=held + dt.timedelta(days=10))
                services.file_committee(actor=town_admin, org=branch, filed_on=held + dt.timedelta(days=10))
    except ValidationError:
        pass
    # 2. a branch whose term ends in about three months
    other = (Organization.objects.filter(path__startswith=town.path, kind=OrgKind.BRANCH, status=OrgStatus.ACTIVE)
             .exclude(pk=branch.pk).exclude(pk=getattr(ctx.orgs.get("expired_term"), "pk", None)).order_by("path").first())
    if other is not None:
        years = services.term_length(other)
        end = today + dt.timedelta(days=90)
        start = same_day_months_later(end, -12 * years)
        core_services.update_organization(actor=None, org=other, term_started_on=start, term_ends_on=end)
    ctx.say("  elections: demo branch committee, one term ending soon, one expired")
