"""The sensitive fields of a member record (ID number, phone, address) — DOMAIN §10, SECURITY.md
"Field privacy" and "mask reconstruction".

* They are encrypted; a reveal in clear needs a purpose and is audited (:func:`reveal_field`).
* A search by a full ID number or phone is an exact look-up (an oracle for the masked digits):
  only roles with reveal rights run it, each one is audited, rate-limited, and a burst alerts the
  security admins (:func:`authorize_exact_search`).
* An ID number already recorded where the user cannot see it is not named: the refusal says the
  county organization department resolves it, and they are told (:func:`route_duplicate`); a
  burst of such refusals alerts like a burst of exact searches.
"""
from __future__ import annotations

import datetime as dt
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit, config, policy
from dangjian.core.models import PATH_STEP, AuditEvent, Organization, Role, RoleAssignment
from dangjian.core.policy import Scope
from dangjian.core.privacy import MASKERS, mask_phone

from ..models import Member
from ._common import DUPLICATE_ROUTED, DuplicateElsewhere, _on_record_elsewhere, _person, normalize_id

SENSITIVE = ("id_number", "phone", "address")


# -- an ID number on record where the user cannot see it -----------------------------------------

def _common_path(paths: list[str]) -> str:
    """The path of the deepest organization above (or at) every path."""
    common = os.path.commonprefix(paths) if paths else ""
    return common[: len(common) - len(common) % PATH_STEP]


def _common_ancestor(paths: list[str]) -> Organization | None:
    common = _common_path(paths)
    return Organization.objects.filter(path=common).first() if common else None


# The row of the attempt a routed duplicate answers, by its ``via``: the refusal is raised on the
# actor's own attempt, so it may name only an organization where they may make it.
ATTEMPT_ROWS = {
    "create": ("member", "add"), "import": ("member", "add"), "update": ("member", "change"),
    "development": ("development", "manage"), "transfer_in": ("transfer_in", "accept"),
}


def _may_attempt(actor, org: Organization | None, via: str) -> None:
    """Assert that ``actor`` may make the attempt (``via``) at ``org`` whose refusal is routed: the
    row of the view that makes it (:data:`ATTEMPT_ROWS`, ``member.add`` for another ``via``)."""
    resource, action = ATTEMPT_ROWS.get(via, ("member", "add"))
    policy.authorize(actor, resource, action, org if org is not None else "")


def route_duplicate(*, actor, org: Organization | None, existing: Member, id_number: str, via: str) -> int:
    """Hand an ID number that is already on record outside the user's view to the organization
    department above both records (SECURITY.md "mask reconstruction"; PIPL: say only what the
    user may know). One audit row (``member.duplicate_routed``: both organizations, the number
    masked) and an inbox message to the org admins of the nearest organization above both (or,
    with none there, above it), in its own transaction: the refusal itself writes nothing else.
    Returns the number of messages. ``actor`` must be one who may make the attempt at ``org``
    (:func:`_may_attempt`): nobody routes a refusal in another organization's name."""
    from dangjian.core.messages import send as notify

    _may_attempt(actor, org, via)
    target_path = org.path if org is not None else ""
    paths = [p for p in (target_path, existing.org_path) if p]
    with transaction.atomic():
        audit.record(actor=actor, action="member.duplicate_routed", object_type=existing._meta.label_lower, object_id=existing.pk,
                     org_path=existing.org_path, data={"target_org": getattr(org, "pk", None), "existing_org": existing.org_id,
                                                       "id_number": MASKERS["id_number"](id_number), "via": via})
        _alert_on_duplicate_burst(actor)
        anchor = _common_ancestor(paths)
        while anchor is not None:
            admins = list(RoleAssignment.objects.filter(active=True, role=Role.ORG_ADMIN, org=anchor).select_related("user"))
            if admins:
                return notify(recipients=[a.user for a in admins], kind="members.duplicate_routed", org=anchor, actor=actor,
                              context={"org": org.name if org is not None else "", "existing_org": existing.org.name,
                                       "user": getattr(actor, "username", "") or "system"})
            anchor = anchor.parent
    return 0


def route_duplicates(*, actor, pairs: list[tuple[Organization, Member, str]], via: str) -> int:
    """:func:`route_duplicate` for a whole file: one audit row per number, one message per
    organization department (the count, the organizations), in one transaction; ``actor`` may
    make the attempt at every organization of the file (:func:`_may_attempt`)."""
    from dangjian.core.messages import send as notify

    for org in {o.pk: o for o, _e, _i in pairs}.values():
        _may_attempt(actor, org, via)
    if not pairs:
        return 0
    groups: dict[int, list] = {}
    anchors: dict[int, Organization] = {}
    with transaction.atomic():
        for org, existing, idn in pairs:
            audit.record(actor=actor, action="member.duplicate_routed", object_type="members.member", object_id=existing.pk,
                         org_path=existing.org_path, data={"target_org": org.pk, "existing_org": existing.org_id,
                                                           "id_number": MASKERS["id_number"](idn), "via": via})
            _alert_on_duplicate_burst(actor)
            anchor = _common_ancestor([org.path, existing.org_path])
            while anchor is not None and not RoleAssignment.objects.filter(active=True, role=Role.ORG_ADMIN, org=anchor).exists():
                anchor = anchor.parent
            if anchor is not None:
                anchors[anchor.pk] = anchor
                groups.setdefault(anchor.pk, []).append((org, existing))
        sent = 0
        for pk, items in groups.items():
            admins = [ra.user for ra in RoleAssignment.objects.filter(active=True, role=Role.ORG_ADMIN, org_id=pk).select_related("user")]
            sent += notify(recipients=admins, kind="members.duplicate_routed", org=anchors[pk], actor=actor,
                           context={"org": "、".join(sorted({o.name for o, _e in items})),
                                    "existing_org": "、".join(sorted({e.org.name for _o, e in items})),
                                    "user": getattr(actor, "username", "") or "system"})
    return sent


def refuse_duplicate(*, actor, org, exc: DuplicateElsewhere, via: str) -> ValidationError:
    """Route ``exc``'s record (:func:`route_duplicate`) and return the refusal to raise; call it
    outside the caller's transaction so the audit row and the message stay (asserted there)."""
    route_duplicate(actor=actor, org=org, existing=exc.existing, id_number=exc.id_number, via=via)
    return ValidationError({"id_number": [ValidationError(DUPLICATE_ROUTED, code="id_duplicate_routed")]})


@policy.authorized_by("a read answered from the actor's own scope: it returns the unnamed refusal only for a record "
                      "the actor may not view (Scope.can('view'), in _on_record_elsewhere), names nothing and writes "
                      "nothing; the caller raises it through refuse_duplicate, which asserts the attempt's row")
def recorded_elsewhere(*, actor, id_number: str | None) -> DuplicateElsewhere | None:
    """The refusal for an ID number on record in a member record ``actor`` may not see, or None
    (also for an invalid number: the caller's own validation reports that)."""
    return _on_record_elsewhere(_person(actor), normalize_id(id_number))


def refuse_if_recorded_elsewhere(*, actor, org, id_number: str | None, via: str) -> None:
    """For callers that add a member inside their own transaction (a transfer in from outside):
    check first, so a routed duplicate is audited and passed on before their transaction starts.
    ``actor`` may make the attempt at ``org`` (:func:`_may_attempt`), duplicate or not."""
    _may_attempt(actor, org, via)
    exc = recorded_elsewhere(actor=actor, id_number=id_number)
    if exc is not None:
        raise refuse_duplicate(actor=actor, org=org, exc=exc, via=via)


# -- reveal ------------------------------------------------------------------------------------

def reveal_field(*, actor, member: Member, field: str, purpose: str, purpose_note: str = "") -> str:
    """Return one sensitive field in clear and audit the reveal (SECURITY.md "Field privacy").

    The purpose is required (PIPL art. 6): one of :class:`dangjian.core.reveal.RevealPurpose`,
    with a note when it is "other" (:func:`dangjian.core.reveal.clean_purpose`; coded refusals).
    Row ``member.reveal`` on the member (the reveal button, ``POST /api/v1/members/{id}/reveal/``;
    a member reveals their own record): a refused actor gets nothing and leaves no reveal row."""
    from dangjian.core.reveal import clean_purpose

    policy.authorize(actor, "member", "reveal", member)
    if field not in SENSITIVE:
        raise ValidationError(_("This field is not revealable."), code="field")
    purpose, purpose_note = clean_purpose(purpose, purpose_note)
    data = {"field": field, "purpose": purpose, **({"purpose_note": purpose_note} if purpose_note else {})}
    with transaction.atomic():
        audit.record(actor=actor, action="member.reveal", obj=member, data=data)
        return getattr(member, field)


# -- exact look-ups by a full ID number or phone -------------------------------------------------

EXACT_SEARCH_DEFAULTS = {"per_window": 20, "window_minutes": 10, "burst": 10}
SEARCH_EXACT, SEARCH_EXACT_REFUSED, SEARCH_EXACT_BURST = "member.search_exact", "member.search_exact_refused", "member.search_exact_burst"
EXACT_FORBIDDEN = gettext_lazy("Searching by a full ID number or phone number needs the right to reveal them; search by name instead.")
EXACT_RATE_LIMITED = gettext_lazy("Too many searches by ID number or phone number; try again in %(m)s minutes.")


def exact_search_conf() -> dict:
    """``DANGJIAN_EXACT_SEARCH`` (optional setting) over the defaults: ``per_window`` searches a
    user may run in ``window_minutes``; the ``burst``-th attempt in a window alerts."""
    return config.section("EXACT_SEARCH", EXACT_SEARCH_DEFAULTS)


class ExactSearchRefused(ValidationError):
    """A search by a full ID number or phone that may not run: code ``exact_search_forbidden``
    (no reveal right anywhere) or ``exact_search_rate_limited``."""

    def __init__(self, message, code: str):
        super().__init__(message, code=code)


def _masked_term(field: str, term: str) -> str:
    return MASKERS["id_number"](term) if field == "id_number" else mask_phone(term)


def security_admins_over(paths: list[str]):
    """Active users holding security_admin at or above any of these organization paths."""
    rows = RoleAssignment.objects.filter(active=True, role=Role.SECURITY_ADMIN).select_related("org", "user")
    return sorted({ra.user for ra in rows if any(p.startswith(ra.org.path) for p in paths)}, key=lambda u: u.pk)


NOT_YOUR_SCOPE = gettext_lazy("You may not do this for this organization.")


@policy.authorized_by("the exact-search rule decides, on the actor's own scope (checked first): it runs only for a "
                      "user holding member.reveal somewhere and the selector then matches only members they may "
                      "reveal; every refusal (exact_search_forbidden, exact_search_rate_limited) is coded and audited")
def authorize_exact_search(*, actor, scope: Scope, field: str, term: str, via: str) -> None:
    """Let one search by a full ID number (``field="id_number"``) or phone run, or refuse it.

    SECURITY.md "mask reconstruction" (exact-value searches rate-limited and audited): an exact
    search confirms a guess of the masked digits, so it is an oracle. Rules:

    * it is decided on the actor's own scope (another user's scope: ``not_permitted``, nothing audited);
    * only a user with the reveal right somewhere runs it, and the selector then matches only
      members they may reveal (``exact_search_forbidden`` otherwise);
    * at most ``per_window`` searches in ``window_minutes`` per user (``exact_search_rate_limited``);
    * every attempt, run or refused, writes one audit row (the term masked, its blind index kept
      for an investigation); counting and writing run under a lock of the user's row, so parallel
      requests cannot pass the limit together;
    * the ``burst``-th attempt of a window also writes ``member.search_exact_burst`` and sends the
      security admins above the user an inbox message.
    """
    if actor is not None and getattr(scope.user, "pk", None) != getattr(actor, "pk", None):
        raise policy.NotPermitted(NOT_YOUR_SCOPE)
    cfg = exact_search_conf()
    now = timezone.now()
    field_def = Member._meta.get_field(field)
    with transaction.atomic():
        if getattr(actor, "pk", None):  # one user's searches run one at a time: parallel requests cannot pass the limit together
            get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        recent = AuditEvent.objects.filter(actor=actor, action__in=(SEARCH_EXACT, SEARCH_EXACT_REFUSED),
                                           created_at__gte=now - dt.timedelta(minutes=cfg["window_minutes"]))
        run = sum(1 for a in recent.values_list("action", flat=True) if a == SEARCH_EXACT)
        attempts = recent.count() + 1
        code = None
        if not scope.has_any("member", "reveal"):
            code = "exact_search_forbidden"
        elif run >= cfg["per_window"]:
            code = "exact_search_rate_limited"
        paths = [g.path for g in scope.grants]
        audit.record(actor=actor, action=SEARCH_EXACT_REFUSED if code else SEARCH_EXACT, object_type="members.member",
                     org_path=_common_path(paths),
                     data={"field": field, "term": _masked_term(field, term), "bidx": field_def.index_of(term), "via": via,
                           "refused": code or ""})
        if attempts == cfg["burst"]:
            _alert_burst(actor=actor, paths=paths, attempts=attempts, minutes=cfg["window_minutes"], field=field)
    if code == "exact_search_forbidden":
        raise ExactSearchRefused(EXACT_FORBIDDEN, code)
    if code:
        raise ExactSearchRefused(EXACT_RATE_LIMITED % {"m": cfg["window_minutes"]}, code)


def _alert_on_duplicate_burst(actor) -> None:
    """Each routed duplicate tells that a number is on the platform: the ``burst``-th of a user in a
    window alerts the security admins like a burst of exact searches (field ``duplicate``)."""
    if not getattr(actor, "pk", None):
        return
    cfg = exact_search_conf()
    n = AuditEvent.objects.filter(actor=actor, action="member.duplicate_routed",
                                  created_at__gte=timezone.now() - dt.timedelta(minutes=cfg["window_minutes"])).count()
    if n == cfg["burst"]:
        _alert_burst(actor=actor, paths=[g.path for g in Scope.for_user(actor).grants], attempts=n, minutes=cfg["window_minutes"],
                     field="duplicate")


def _alert_burst(*, actor, paths: list[str], attempts: int, minutes: int, field: str) -> None:
    from dangjian.core.messages import send as notify

    admins = security_admins_over(paths)
    audit.record(actor=actor, action=SEARCH_EXACT_BURST, object_type="accounts.user", object_id=getattr(actor, "pk", ""),
                 data={"attempts": attempts, "minutes": minutes, "field": field, "alerted": [u.pk for u in admins]})
    if admins:
        notify(recipients=admins, kind="members.exact_search_burst", actor=actor,
               context={"user": getattr(actor, "username", ""), "n": attempts, "minutes": minutes})
