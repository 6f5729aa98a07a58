"""Other records of a case: the half-yearly assessment of an activist, stopping a case, revealing
a sensitive field and attaching a scanned document."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy

from ..models import (
    CaseAssessment,
    CaseStatus,
    CaseStep,
    DevelopmentCase,
)
from ._common import SENSITIVE, _authorise, _refuse, _today


def add_assessment(*, actor, case: DevelopmentCase, date: dt.date, note: str = "") -> CaseAssessment:
    """Record a half-yearly assessment of an activist (DOMAIN §4.2; rule ``assess_6m``)."""
    policy.authorize(actor, "development", "manage", case)
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "manage", case, pack)
        if case.status != CaseStatus.OPEN or not 3 <= case.last_code <= 6:
            _refuse(pack, "assess_6m", _("Assessments are recorded while the applicant is an activist (steps 3–7)."))
        start = CaseStep.objects.get(case=case, code=3).date
        if not date or date < start or date > _today():
            raise ValidationError({"date": [ValidationError(_("The date must lie between the activist decision (%(d)s) and today.") % {"d": start}, code="date_out_of_range")]})
        a = CaseAssessment.objects.create(case=case, date=date, note=note or "", entered_by=actor)
        audit.record(actor=actor, action="development.assessment", obj=case, data={"date": date})
    return a


def stop_case(*, actor, case: DevelopmentCase, reason: str) -> DevelopmentCase:
    """Close a case without admission (failed review, withdrawn, probation cancelled...) with a
    reason. A probationary Member already created stays on the roll until the member record is
    closed by its own procedure (支部大会 + upper approval; DOMAIN §4.2)."""
    policy.authorize(actor, "development", "manage", case)
    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "manage", case, pack)
        if case.status != CaseStatus.OPEN:
            raise ValidationError(_("This case is already closed."), code="case_closed")
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": [ValidationError(_("Give the reason."), code="no_reason")]})
        case.status, case.stop_reason, case.updated_at = CaseStatus.STOPPED, reason[:300], timezone.now()
        case.save(update_fields=["status", "stop_reason", "updated_at"])
        audit.record(actor=actor, action="development.stop", obj=case, data={"reason": reason[:300], "at_step": case.last_code})
    return case


def reveal_field(*, actor, case: DevelopmentCase, field: str) -> str:
    """Show one sensitive field in clear; the reveal is audited (SECURITY.md "Field privacy")."""
    policy.authorize(actor, "development", "reveal", case)
    if field not in SENSITIVE:
        raise ValidationError(_("This field is not revealable."), code="not_revealable")
    with transaction.atomic():
        audit.record(actor=actor, action="development.reveal", obj=case, data={"field": field})
        return getattr(case, field)


def add_document(*, actor, case: DevelopmentCase, step_code: int, upload):
    """Attach a scanned document to a recorded step (DOMAIN §4.1 "documents"; SECURITY.md
    "Files": type checked by content, images re-encoded without EXIF, private storage)."""
    policy.authorize(actor, "development", "manage", case)
    import hashlib

    from django.core.files.base import ContentFile

    from dangjian.publicity.api import clean_attachment

    from ..models import CaseDocument

    with transaction.atomic():
        case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
        pack = case.pack
        _authorise(actor, "manage", case, pack)
        try:
            step_code = int(step_code)
        except (TypeError, ValueError):
            step_code = 0
        if not 1 <= step_code <= case.last_code:
            raise ValidationError({"step_code": [ValidationError(_("Documents are attached to a recorded step."), code="step_not_recorded")]})
        if upload is None:
            raise ValidationError({"file": [ValidationError(_("This field is required."), code="required")]})
        clean = clean_attachment(upload)
        doc = CaseDocument(case=case, step_code=step_code, name=clean.name, content_type=clean.content_type,
                           size=len(clean.content), sha256=hashlib.sha256(clean.content).hexdigest(), uploaded_by=actor)
        doc.file.save(clean.name, ContentFile(clean.content), save=False)
        doc.save()
        audit.record(actor=actor, action="development.document", obj=case,
                     data={"step": step_code, "name": clean.name, "sha256": doc.sha256, "size": doc.size})
    return doc
