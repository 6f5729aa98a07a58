"""The members app's side of :mod:`dangjian.core.population` (registered in ``MembersConfig.ready``)."""
from __future__ import annotations

from django.db.models import Count, Q

from .models import COMMITTEE_POSITIONS, Member, RecordState

_COMMITTEE = [p.value for p in COMMITTEE_POSITIONS]


class Population:
    def leadership(self, org):
        committee = list(Member.objects.filter(org=org, state=RecordState.ACTIVE, position__in=_COMMITTEE).order_by("position", "id"))
        return next((m for m in committee if m.position == "secretary"), None), committee

    def officer_counts(self, org_ids):
        return {
            row["org_id"]: row
            for row in Member.objects.filter(org_id__in=org_ids, state=RecordState.ACTIVE, position__in=_COMMITTEE)
            .values("org_id")
            .annotate(committee=Count("id"), secretaries=Count("id", filter=Q(position="secretary")))
        }

    def rollup_rows(self):
        fields = ("org_id", "status", "gender", "birth_date", "education", "category")
        return Member.objects.filter(state=RecordState.ACTIVE).values_list(*fields).order_by().iterator(chunk_size=20000)

    def has_active_in_subtree(self, path):
        return Member.objects.filter(org_path__startswith=path, state=RecordState.ACTIVE).exists()

    def move_all(self, *, actor, source, target, reason):
        from .services import move_member

        moved = 0
        for m in Member.objects.filter(org=source, state=RecordState.ACTIVE):
            move_member(actor=actor, member=m, to_org=target, reason=reason, allow_below_minimum=True)
            moved += 1
        return moved

    def org_page(self, scope, org, counts):
        from .api import chart_series, roster_preview

        return {"members": roster_preview(scope, org), "chart_data": chart_series(counts) if counts else None}
