"""The member page's "development record" panel: the steps of the case that admitted the member."""
from __future__ import annotations

from .models import CaseStep, DevelopmentCase

KEY_STEPS = (1, 3, 7, 15, 17, 20, 23, 24)


def member_panel(request, member, scope):
    case = DevelopmentCase.objects.filter(member=member).first()
    if case is None or not scope.can("view", case):
        return None
    from .rules import STEP_BY_CODE

    rows = [(STEP_BY_CODE[s.code], s.date) for s in CaseStep.objects.filter(case=case, code__in=KEY_STEPS).order_by("code")]
    return {"case": case, "rows": rows}


def register_panel() -> None:
    from dangjian.members.api import register_panel as register

    register("development-record", template="development/_member_panel.html", context=member_panel, order=30)
