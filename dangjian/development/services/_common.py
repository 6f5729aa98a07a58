"""Development's shared pieces: the sensitive fields, the refusal that cites a rule, the domain
rule ``human_conclusion`` (``_authorise``), today's date, stored warnings and a case's steps."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import policy
from dangjian.core.errors import refusal
from dangjian.core.privacy import MASKERS

from ..models import (
    CaseStep,
    CaseWarning,
    DevelopmentCase,
)
from ..rules import cite

SENSITIVE = ("id_number", "phone")


def _refuse(pack, rid: str, message: str, field: str | None = None):
    """Refuse citing the rule; the error's ``code`` is the rule id (on the field, if any)."""
    raise refusal(rid, f"{message} {cite(pack, rid)}", field=field)


def _authorise(actor, action: str, case_or_org, pack) -> None:
    """[block] ``human_conclusion``: only a signed-in person holding the POLICY action. The
    service asserted its view's row already (``policy.authorize``); what stays here is the domain
    rule — never the system, and a step of the upper Party committee only by the committee."""
    if actor is None or not getattr(actor, "pk", None) or not getattr(actor, "is_active", False):
        _refuse(pack, "human_conclusion", _("Organisational conclusions are entered by an authorised person, never by the system."))
    if not policy.allows(actor, "development", action, case_or_org):
        if action == "approve":
            _refuse(pack, "human_conclusion", _("This step is entered by the upper Party committee (an organization-department user above the branch)."))
        _refuse(pack, "human_conclusion", _("You may not enter development steps for this organization."))


def _masked(field: str, value) -> str:
    return MASKERS[field](value) if value else ""


def _today() -> dt.date:
    return timezone.localdate()


def _warn(case: DevelopmentCase, pack, rid: str, message: str, step_code: int | None, severity: str | None = None) -> CaseWarning:
    r = pack.rules[rid]
    return CaseWarning.objects.create(case=case, step_code=step_code, rule_id=rid, article=r.article,
                                      rule_version=pack.version, severity=severity or r.severity, message=message)


def _step_dates(case: DevelopmentCase) -> dict[int, CaseStep]:
    return {s.code: s for s in CaseStep.objects.filter(case=case)}
