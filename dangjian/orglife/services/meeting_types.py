"""Meeting types (MeetingType): the custom types an organization configures for its subtree
(issue 4: "custom types configured by the county"). Built-in types follow DOMAIN §1.1
(frequencies, participants) and are not changed here."""
from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.errors import refusal
from dangjian.core.models import Organization

from .. import selectors
from ..models import MeetingType

TYPE_FIELDS = ("name", "name_en", "audience", "frequency", "min_per_period", "required", "voting", "rule_ref", "active")


def create_meeting_type(*, actor, owner: Organization, data: dict) -> MeetingType:
    """A custom meeting type of ``owner``'s subtree (issue 4: "custom types configured by the
    county"); built-in types follow DOMAIN §1.1 and cannot be changed here."""
    policy.authorize(actor, "meeting_type", "configure", owner)
    with transaction.atomic():
        _check_type_name(owner, data.get("name", ""), exclude=None)
        mt = MeetingType(owner=owner, owner_path=owner.path, code=f"custom-{secrets.token_hex(4)}", order=500,
                         **{k: v for k, v in data.items() if k in TYPE_FIELDS})
        mt.full_clean(exclude=["owner"])
        mt.save()
        audit.record(actor=actor, action="orglife.type_create", obj=mt, org_path=owner.path,
                     data={k: getattr(mt, k) for k in TYPE_FIELDS})
    return mt


def update_meeting_type(*, actor, meeting_type: MeetingType, data: dict) -> MeetingType:
    """Change a custom type; meetings already planned keep their type. A built-in type (no owner)
    is in nobody's scope: only the system reaches the ``builtin_type`` refusal."""
    policy.authorize(actor, "meeting_type", "configure", meeting_type)
    if meeting_type.owner_id is None:
        raise ValidationError(_("Built-in meeting types follow the national rules and cannot be changed."), code="builtin_type")
    with transaction.atomic():
        _check_type_name(meeting_type.owner, data.get("name", meeting_type.name), exclude=meeting_type.pk)
        before = {k: getattr(meeting_type, k) for k in TYPE_FIELDS}
        for k, v in data.items():
            if k in TYPE_FIELDS:
                setattr(meeting_type, k, v)
        meeting_type.full_clean(exclude=["owner"])
        meeting_type.save()
        after = {k: getattr(meeting_type, k) for k in TYPE_FIELDS}
        audit.record(actor=actor, action="orglife.type_update", obj=meeting_type, org_path=meeting_type.owner_path,
                     data={"changed": {k: [before[k], after[k]] for k in TYPE_FIELDS if before[k] != after[k]}})
    return meeting_type


def _check_type_name(owner: Organization, name: str, exclude) -> None:
    name = (name or "").strip()
    if not name:
        raise refusal("no_name", _("Give the type a name."), field="name")
    clash = selectors.types_for_org(owner).filter(name=name)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise refusal("name_taken", _("A meeting type named %(n)s already applies here.") % {"n": name}, field="name")
