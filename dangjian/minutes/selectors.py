"""Read-side helpers of the minutes pages."""
from __future__ import annotations

from django.db.models import Q

from dangjian.core.models import Organization

from .models import MeetingRecord, RecordStatus


def _committee_audience() -> str:
    from dangjian.orglife.api import Audience

    return str(Audience.COMMITTEE)


def readable_q(scope, prefix: str = "") -> Q:
    """Rows of MeetingRecord (``prefix=""``) or of a model pointing at one (``prefix="record__"``)
    this user may read (policies.py): everything where ``minutes.read_all`` reaches; elsewhere in
    the meeting's reach only the records published to the user, or the ones they host or record.

    Published = signed, current (not superseded), of a meeting the user's member record was
    invited to, and not a 支委会-audience record unless that member holds a committee position."""
    from dangjian.members.api import COMMITTEE_POSITIONS

    p = prefix
    full = scope.q_paths("minutes", "read_all", f"{p}org_path")
    reach = scope.q_paths("meeting", "view", f"{p}org_path")
    user = scope.user
    if not getattr(user, "is_authenticated", False):
        return full
    signer = Q(**{f"{p}host__user": user}) | Q(**{f"{p}recorder__user": user})
    invited = Q(**{f"{p}meeting__attendance__member__user": user})
    committee_ok = ~Q(**{f"{p}meeting__type__audience": _committee_audience()}) | Q(
        **{f"{p}meeting__attendance__member__user": user,
           f"{p}meeting__attendance__member__position__in": [str(x) for x in COMMITTEE_POSITIONS]})
    published = Q(**{f"{p}status": RecordStatus.SIGNED, f"{p}superseded_at__isnull": True}) & invited & committee_ok
    return full | (reach & (signer | published))


def readable(scope, qs):
    """``qs`` (MeetingRecord, Vote or Attachment) narrowed to what this user may read."""
    prefix = "" if qs.model is MeetingRecord else "record__"
    ids = qs.model.objects.filter(readable_q(scope, prefix)).values("pk")
    return qs.filter(pk__in=ids)


def can_read(scope, obj) -> bool:
    prefix = "" if type(obj) is MeetingRecord else "record__"
    return type(obj).objects.filter(pk=obj.pk).filter(readable_q(scope, prefix)).exists()


def reads_all(scope, record: MeetingRecord) -> bool:
    """Whether this user reads the record whole (every absentee's reason): staff of the
    organization, or its host or recorder (who sign it)."""
    uid = getattr(scope.user, "pk", None)
    if scope.path_allows("minutes", "read_all", record.org_path):
        return True
    return uid is not None and uid in {getattr(record.host, "user_id", None), getattr(record.recorder, "user_id", None)}


def absentees_for(scope, record: MeetingRecord) -> list[dict]:
    """The record's absentees as this user may see them: whole for ``reads_all``; otherwise the
    other absentees' reasons are left out (``reason_hidden``) and only the user's own stays."""
    if reads_all(scope, record):
        return list(record.absentees)
    from dangjian.members.api import Member

    own = set(Member.objects.filter(user=scope.user).values_list("pk", flat=True)) if getattr(scope.user, "pk", None) else set()
    out = []
    for a in record.absentees:
        if a.get("member") in own:
            out.append(dict(a))
        else:
            out.append({**{k: v for k, v in a.items() if k != "reason"}, "reason": "", "reason_hidden": True})
    return out


def record_list(scope, org: Organization | None = None):
    """The newest version of each meeting's record for staff (``read_all``); for anybody else the
    records published to them (the current signed version) and the ones they host or record,
    newest meeting first."""
    full = scope.q_paths("minutes", "read_all", "org_path") & Q(correction__isnull=True)
    others = readable_q(scope) & ~scope.q_paths("minutes", "read_all", "org_path")
    signer_or_published = MeetingRecord.objects.filter(others).filter(
        Q(status=RecordStatus.SIGNED, superseded_at__isnull=True) | Q(correction__isnull=True)).values("pk")
    qs = MeetingRecord.objects.filter(full | Q(pk__in=signer_or_published))
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    return qs.select_related("meeting", "org").order_by("-starts_at", "-id")


def versions(record: MeetingRecord, scope=None):
    """Every version of the record's meeting (those this user may read), newest first."""
    qs = MeetingRecord.objects.filter(meeting_id=record.meeting_id).order_by("-version")
    return qs if scope is None else readable(scope, qs)


def latest_version(meeting) -> MeetingRecord | None:
    return MeetingRecord.objects.filter(meeting=meeting).order_by("-version").first()


def latest_readable_version(scope, meeting) -> MeetingRecord | None:
    """The meeting's newest record version this user may read (``readable``), or ``None``."""
    return readable(scope, MeetingRecord.objects.filter(meeting=meeting).order_by("-version")).first()


def has_correction(record: MeetingRecord) -> bool:
    """Whether a correction (a newer version pointing back at this one) was already opened."""
    return MeetingRecord.objects.filter(previous=record).exists()


def list_org(scope, pk: int) -> Organization:
    """The organization the record list is narrowed to: one this user may view, else 404."""
    return scope.get_for_scope(Organization.objects.all(), "view", pk=pk)


def verify_orgs(scope):
    """Organizations whose record chain this user may check (meeting/print reach) and that have
    signed records."""
    orgs = MeetingRecord.objects.filter(chain_seq__isnull=False).values("org_id")
    return Organization.objects.filter(scope.q_paths("meeting", "print", "path")).filter(pk__in=orgs).order_by("path")


def verify_org(scope, pk: int) -> Organization:
    """The organization whose chain is checked: in this user's meeting/print reach, else 404."""
    return scope.get_for_scope(Organization.objects.filter(scope.q_paths("meeting", "print", "path")), "view", pk=pk)


PDF_PHOTOS = 12  # at most this many images in the PDF (the record page lists every file)
PDF_PHOTO_PX = 1200


def pdf_photos(attachments) -> list[dict]:
    """The record's photos and sign-in sheets as data: URIs for the PDF, scaled down to
    ``PDF_PHOTO_PX`` (they were re-encoded without EXIF on upload)."""
    import base64
    import io

    from PIL import Image

    out = []
    for att in attachments:
        if len(out) >= PDF_PHOTOS or not att.content_type.startswith("image/"):
            continue
        try:
            with att.file.open("rb") as fh, Image.open(fh) as img:
                img.thumbnail((PDF_PHOTO_PX, PDF_PHOTO_PX))
                buf = io.BytesIO()
                img.convert("RGB").save(buf, format="JPEG", quality=82)
        except (OSError, ValueError):
            continue  # a missing or unreadable file: the list below the photos still names it
        out.append({"att": att, "uri": "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()})
    return out
