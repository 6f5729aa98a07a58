"""Helpers every aggregate of the appraisal shares: the acting user as stored (``None`` for the
system), the round locked for a change, and the stage rule (DOMAIN §6: each step belongs to one
stage; a closed round is read-only)."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import AppraisalRound, Stage


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None


def _locked_round(rnd: AppraisalRound) -> AppraisalRound:
    return AppraisalRound.objects.select_for_update().get(pk=rnd.pk)


def _require_stage(rnd: AppraisalRound, stage: str) -> None:
    if rnd.stage == Stage.CLOSED:
        raise ValidationError(_("The appraisal round is closed: it can no longer be changed."), code="round_closed")
    if rnd.stage != stage:
        raise ValidationError(_("Not possible at this stage: the round is at “%(now)s”, this needs “%(need)s”.") % {
            "now": Stage(rnd.stage).label, "need": Stage(stage).label}, code="wrong_stage")
