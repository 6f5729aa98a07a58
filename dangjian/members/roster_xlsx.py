"""The Excel roster (花名册): export, import template, upload checks, validation and import.

* Export: the columns organization departments expect, Chinese headers, a title row, a frozen
  header row. ID number, phone and address are masked unless the user asked for clear values
  AND may "reveal" that row (POLICY); every export writes one ``member.export`` audit row.
* Upload checks (SECURITY.md "Uploads") run on the zip directory BEFORE openpyxl reads the file:
  size cap, zip magic, ``[Content_Types].xml``, no macros (``vbaProject.bin`` / macro content
  types), total uncompressed size and compression-ratio caps; then formulas and the row cap.
* Import: every row goes through ``members.services.clean_member_data`` plus the roster rules
  (organization by code or name among those the user may add to, duplicate ID in the file,
  probation dates, date formats); errors are reported by Excel line number. The import itself is
  all-or-nothing: bulk insert, history rows, one rollup delta, one ``member.import`` audit row.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import secrets
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, rollups, uploads
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus
from dangjian.core.policy import Scope
from dangjian.core.privacy import MASKERS, normalize_id_number

from . import services
from .models import ETHNICITIES, Member, MemberOrgHistory, MemberStatus, RecordState

# -- settings (each overridable in settings.py) ---------------------------------------------------

def _setting(name: str, default):
    return getattr(settings, name, default)


def max_upload_bytes() -> int:
    return int(_setting("DANGJIAN_ROSTER_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def max_uncompressed_bytes() -> int:
    return int(_setting("DANGJIAN_ROSTER_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024))


def max_ratio() -> int:
    return int(_setting("DANGJIAN_ROSTER_MAX_COMPRESSION_RATIO", 100))


def max_rows() -> int:
    return int(_setting("DANGJIAN_ROSTER_MAX_ROWS", 50_000))


def direct_export_limit() -> int:
    return int(_setting("DANGJIAN_ROSTER_DIRECT_EXPORT_ROWS", 2_000))


def upload_dir() -> Path:
    d = Path(_setting("DANGJIAN_ROSTER_UPLOAD_DIR", os.path.join(tempfile.gettempdir(), "dangjian-roster")))
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    return d


UPLOAD_TTL_SECONDS = 3600
RATIO_MIN_BYTES = 1024 * 1024  # the ratio cap applies to parts that inflate beyond 1 MB

# -- columns and labels ----------------------------------------------------------------------------

COLUMNS: list[tuple[str, str, int]] = [  # (key, header, width)
    ("seq", "序号", 6),
    ("name", "姓名", 10),
    ("gender", "性别", 6),
    ("ethnicity", "民族", 9),
    ("birth_date", "出生日期", 12),
    ("id_number", "身份证号", 21),
    ("education", "学历", 13),
    ("joined_on", "入党时间", 12),
    ("full_member_on", "转正时间", 12),
    ("category", "人员类别", 12),
    ("status", "党员状态", 10),
    ("work_unit", "工作单位", 24),
    ("position", "党内职务", 12),
    ("phone", "手机号码", 14),
    ("address", "现居住地", 30),
    ("org", "所在党组织", 26),
]
HEADERS = [h for _k, h, _w in COLUMNS]
KEY_OF_HEADER = {h: k for k, h, _w in COLUMNS}
HEADER_OF = {k: h for k, h, _w in COLUMNS}
REQUIRED_HEADERS = ("姓名", "性别", "出生日期", "身份证号", "学历", "入党时间", "人员类别", "党员状态", "所在党组织")
DATE_KEYS = ("birth_date", "joined_on", "full_member_on")
EXAMPLE_MARK = "示例"

LABELS: dict[str, dict[str, str]] = {
    "gender": {"M": "男", "F": "女"},
    "education": {"primary": "小学及以下", "junior": "初中", "senior": "高中、中专", "college": "大专",
                  "bachelor": "大学本科", "master": "硕士研究生", "doctor": "博士研究生"},
    "status": {"full": "正式", "probationary": "预备"},
    "category": {"in_service": "在职", "retired": "离退休", "farmer": "农牧民", "student": "学生",
                 "flowing": "流动党员", "unemployed": "无固定职业", "other": "其他"},
    "position": {"": "", "secretary": "书记", "deputy_secretary": "副书记", "organization": "组织委员",
                 "propaganda": "宣传委员", "discipline": "纪检委员", "committee": "支委委员", "group_leader": "党小组组长"},
}
# accepted spellings on import: the label, the stored value, and a few common variants
ALIASES: dict[str, dict[str, str]] = {
    k: {**{v: code for code, v in m.items() if v}, **{code: code for code in m if code}} for k, m in LABELS.items()
}
ALIASES["status"].update({"正式党员": "full", "预备党员": "probationary"})
ALIASES["education"].update({"高中": "senior", "中专": "senior", "中技": "senior", "本科": "bachelor", "大学": "bachelor",
                             "研究生": "master", "硕士": "master", "博士": "doctor", "小学": "primary"})
ALIASES["gender"].update({"男性": "M", "女性": "F"})
ALIASES["position"].update({"无": "", "党员": "", "委员": "committee", "支部书记": "secretary", "党支部书记": "secretary"})


# -- errors ----------------------------------------------------------------------------------------

class BadRosterFile(ValidationError):
    """The upload is refused as a whole (not an xlsx, macros, bomb, too big, formulas, ...)."""


@dataclass
class ParsedRow:
    line: int
    raw: list  # the cells as read, in the file's column order
    values: dict  # key -> cell value


@dataclass
class Parsed:
    headers: list[str]
    rows: list[ParsedRow]


@dataclass
class Report:
    """The outcome of validating every row: valid rows ready to write, errors by line."""

    parsed: Parsed
    valid: list[tuple[ParsedRow, Organization, dict]] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)
    # rows whose ID number is on record where the importer cannot see it: (target org, record, number)
    elsewhere: list[tuple[Organization, Member, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.valid)

    @property
    def counts(self) -> dict[str, int]:
        return {"rows": len(self.parsed.rows), "valid": len(self.valid), "invalid": len(self.errors)}

    def by_org(self) -> list[tuple[str, int]]:
        c = Counter(org.name for _r, org, _d in self.valid)
        return sorted(c.items())


# -- upload checks ---------------------------------------------------------------------------------

MACRO_MARKERS = uploads.MACRO_MARKERS  # one list for every upload (core.uploads)


def _refuse(msg: str, code: str):
    raise BadRosterFile(msg, code=code)


def check_file(path: str | Path, *, filename: str = "", size: int | None = None) -> None:
    """Refuse anything but a plain .xlsx within the caps, from the zip directory alone."""
    path = Path(path)
    size = path.stat().st_size if size is None else size
    cap = max_upload_bytes()
    if size > cap:
        _refuse(_("The file is %(s)s MB; the limit is %(c)s MB.") % {"s": round(size / 1048576, 1), "c": round(cap / 1048576, 1)}, "too_big")
    if filename and not filename.lower().endswith(".xlsx"):
        if filename.lower().endswith((".xlsm", ".xltm", ".xlam")):
            _refuse(_("Workbooks with macros (.xlsm) are not accepted: save it as an Excel workbook (.xlsx)."), "macro")
        _refuse(_("Only Excel workbooks (.xlsx) are accepted."), "extension")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != b"PK\x03\x04" or not zipfile.is_zipfile(path):
        _refuse(_("This is not an Excel workbook (.xlsx): the content is not an Office Open XML file."), "not_xlsx")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                _refuse(_("This is not an Excel workbook (.xlsx): [Content_Types].xml or the workbook part is missing."), "not_xlsx")
            if any("vbaproject" in n.lower() or n.lower().endswith(".bin") and "activex" in n.lower() for n in names):
                _refuse(_("The workbook contains macros (vbaProject.bin); macros are not accepted."), "macro")
            total = 0
            for i in infos:
                total += i.file_size
                if i.file_size > RATIO_MIN_BYTES and i.file_size > max_ratio() * max(i.compress_size, 1):
                    _refuse(_("The workbook is refused: a part inflates more than %(r)s times (a zip bomb?).") % {"r": max_ratio()}, "bomb")
            if total > max_uncompressed_bytes():
                _refuse(_("The workbook is refused: it would inflate to more than %(m)s MB.") % {"m": max_uncompressed_bytes() // 1048576}, "bomb")
            ct_info = zf.getinfo("[Content_Types].xml")
            if ct_info.file_size > 1024 * 1024:
                _refuse(_("This is not an Excel workbook (.xlsx): [Content_Types].xml is malformed."), "not_xlsx")
            content_types = zf.read(ct_info).decode("utf-8", "replace").lower()
    except zipfile.BadZipFile:
        _refuse(_("This is not an Excel workbook (.xlsx): the zip structure is damaged."), "not_xlsx")
    if any(m in content_types for m in MACRO_MARKERS):
        _refuse(_("The workbook declares macro content; macros are not accepted. Save it as .xlsx."), "macro")
    if "spreadsheetml.sheet.main+xml" not in content_types:
        _refuse(_("This is not an Excel workbook (.xlsx): no worksheet content type."), "not_xlsx")
    _check_shared(path)


def _check_shared(path: Path) -> None:
    """The check every upload of an Office file goes through (core.uploads.check_ooxml): Excel 4.0
    macro sheets, embedded OLE objects, DDE formulas and links, external relationships, parts whose
    declared size is not their content (issue 10 item 11)."""
    try:
        uploads.check_ooxml(path.read_bytes(), max_entries=10_000, max_uncompressed=max_uncompressed_bytes(), max_ratio=max_ratio())
    except uploads.BadFile as exc:
        messages = {
            "macros": (_("The workbook declares macro content; macros are not accepted. Save it as .xlsx."), "macro"),
            "zip_bomb": (_("The workbook is refused: it would inflate to more than %(m)s MB.") % {"m": max_uncompressed_bytes() // 1048576}, "bomb"),
            "size_mismatch": (_("The workbook is refused: the declared sizes of its parts do not match their content."), "bomb"),
            "ole_object": (_("The workbook contains embedded objects; they are not accepted."), "ole_object"),
            "dde": (_("The workbook contains DDE formulas or links; they are not accepted."), "dde"),
            "external_ref": (_("The workbook links to external content; it is not accepted."), "external_ref"),
        }
        msg, code = messages.get(exc.code, (_("This is not an Excel workbook (.xlsx): the zip structure is damaged."), "not_xlsx"))
        _refuse(msg, code)


# -- reading ---------------------------------------------------------------------------------------

def _clean_header(v) -> str:
    return re.sub(r"[\s*＊]", "", str(v or ""))


def read_rows(path: str | Path) -> Parsed:
    """Read the first worksheet (after :func:`check_file`): header row, then data rows."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on malformed parts
        raise BadRosterFile(_("The workbook cannot be read: %(e)s") % {"e": str(exc)[:200]}, code="unreadable") from None
    try:
        ws = wb.worksheets[0]
        header_line, headers, cols = None, [], {}
        rows: list[ParsedRow] = []
        formulas: list[str] = []
        limit = max_rows()
        for line, cells in enumerate(ws.iter_rows(values_only=True), start=1):
            if header_line is None:
                texts = [_clean_header(c) for c in cells]
                if "姓名" in texts and "身份证号" in texts:
                    header_line = line
                    headers = [str(c).strip() if c is not None else "" for c in cells]
                    while headers and not headers[-1]:
                        headers.pop()
                    cols = {KEY_OF_HEADER[t]: i for i, t in enumerate(texts) if t in KEY_OF_HEADER}
                    missing = [h for h in REQUIRED_HEADERS if KEY_OF_HEADER[h] not in cols]
                    if missing:
                        _refuse(_("Columns missing from the header row: %(c)s.") % {"c": "、".join(missing)}, "headers")
                elif line >= 10:
                    _refuse(_("No header row (姓名, 身份证号, ...) in the first 10 lines: use the template."), "headers")
                continue
            raw = list(cells[: len(headers)])
            for i, v in enumerate(raw):
                if isinstance(v, str) and v.startswith("="):
                    formulas.append(f"{get_column_letter(i + 1)}{line}")
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
                continue
            values = {k: (raw[i] if i < len(raw) else None) for k, i in cols.items()}
            if str(values.get("seq") or "").strip().startswith(EXAMPLE_MARK):
                continue
            rows.append(ParsedRow(line=line, raw=raw, values=values))
            if len(rows) > limit:
                _refuse(_("The workbook has more than %(n)s member rows; split it into several files.") % {"n": limit}, "too_many_rows")
        if header_line is None:
            _refuse(_("No header row (姓名, 身份证号, ...) found: use the template."), "headers")
        if formulas:
            shown = "、".join(formulas[:10]) + ("…" if len(formulas) > 10 else "")
            _refuse(_("Formulas are not accepted in a roster (cells %(c)s): paste the values instead.") % {"c": shown}, "formula")
        return Parsed(headers=headers, rows=rows)
    finally:
        wb.close()


# -- validation ------------------------------------------------------------------------------------

DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value) -> dt.date | None:
    """An Excel date, or text as YYYY-MM-DD / YYYY.MM.DD / YYYY/MM/DD / YYYY年M月D日; ValueError if not."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if 1 <= value < 2958466:
            d = from_excel(value)
            return d.date() if isinstance(d, dt.datetime) else d
        raise ValueError(value)
    text = str(value).strip()
    for pat in DATE_PATTERNS:
        m = pat.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    raise ValueError(text)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def addable_orgs(scope: Scope):
    """Active member-holding organizations where this user may add members."""
    return (
        Organization.objects.filter(scope.q_paths("member", "add", "path"))
        .filter(status=OrgStatus.ACTIVE, kind__in=[k.value for k in MEMBER_HOLDING_KINDS])
        .order_by("path")
    )


class _OrgLookup:
    def __init__(self, scope: Scope):
        self.by_code: dict[str, list[Organization]] = defaultdict(list)
        self.by_name: dict[str, list[Organization]] = defaultdict(list)
        for o in addable_orgs(scope):
            if o.code:
                self.by_code[o.code.strip()].append(o)
            self.by_name[o.name.strip()].append(o)

    def find(self, value: str) -> tuple[Organization | None, str]:
        v = value.strip()
        hits = self.by_code.get(v) or self.by_name.get(v) or []
        if len(hits) == 1:
            return hits[0], ""
        if len(hits) > 1:
            return None, _("“%(o)s” names several organizations: write its organization code instead.") % {"o": v}
        return None, _("Unknown organization “%(o)s” (or you may not add members to it): write its exact name or code.") % {"o": v}


FIELD_HEADER = {**HEADER_OF, "org": "所在党组织"}


def _row_data(row: ParsedRow) -> tuple[dict, list[str]]:
    """Cell values → service field values; messages for cells that cannot be read."""
    v, errs, data = row.values, [], {}
    data["name"] = _text(v.get("name"))
    for key in ("gender", "education", "status", "category", "position"):
        t = _text(v.get(key))
        if key == "position" and not t:
            data[key] = ""
            continue
        code = ALIASES[key].get(t)
        if code is None:
            if t:
                errs.append(_("%(h)s: “%(v)s” is not one of %(opts)s.") % {
                    "h": HEADER_OF[key], "v": t[:40], "opts": "、".join(x for x in LABELS[key].values() if x)})
            data[key] = "" if key != "position" else ""
        else:
            data[key] = code
    eth = _text(v.get("ethnicity")) or "汉族"
    if eth not in ETHNICITIES:
        errs.append(_("%(h)s: “%(v)s” is not one of the 56 ethnic groups.") % {"h": HEADER_OF["ethnicity"], "v": eth[:20]})
    data["ethnicity"] = eth
    for key in DATE_KEYS:
        try:
            data[key] = parse_date(v.get(key))
        except (ValueError, TypeError, OverflowError):
            errs.append(_("%(h)s: “%(v)s” is not a date (use 2020-07-01, 2020.07.01 or 2020年7月1日).") % {
                "h": HEADER_OF[key], "v": _text(v.get(key))[:30]})
            data[key] = None
    data["id_number"] = normalize_id_number(_text(v.get("id_number")))
    data["phone"] = _text(v.get("phone"))
    data["address"] = _text(v.get("address"))[:200]
    data["work_unit"] = _text(v.get("work_unit"))[:200]
    if len(data["name"]) > 64:
        errs.append(_("%(h)s: at most 64 characters.") % {"h": HEADER_OF["name"]})
    return data, errs


def _probation_errors(data: dict, today: dt.date) -> list[str]:
    """DOMAIN §4.2: probation lasts one year from admission, extended at most once by ≤1 year."""
    joined, full_on = data.get("joined_on"), data.get("full_member_on")
    out = []
    if data.get("status") == MemberStatus.FULL and joined and full_on and full_on < _add_years(joined, 1) and full_on >= joined:
        out.append(_("%(f)s: a probationary member becomes full at the earliest one year after joining (%(d)s).") % {
            "f": HEADER_OF["full_member_on"], "d": _add_years(joined, 1).isoformat()})
    if data.get("status") == MemberStatus.PROBATIONARY and joined and _add_years(joined, 2) < today:
        out.append(_("%(s)s: still probationary more than two years after joining (%(d)s); probation is one year, extended at most by one.") % {
            "s": HEADER_OF["status"], "d": joined.isoformat()})
    return out


def validate(scope: Scope, parsed: Parsed) -> Report:
    """Validate every row; collect all messages per Excel line (nothing is written)."""
    report = Report(parsed=parsed)
    orgs = _OrgLookup(scope)
    seen_ids: dict[str, int] = {}
    today = timezone.localdate()
    for row in parsed.rows:
        data, errs = _row_data(row)
        org_text = _text(row.values.get("org"))
        org = None
        if not org_text:
            errs.append(_("%(h)s: this column is required.") % {"h": FIELD_HEADER["org"]})
        else:
            org, msg = orgs.find(org_text)
            if msg:
                errs.append(msg)
        idn = data["id_number"]
        if idn:
            first = seen_ids.setdefault(idn, row.line)
            if first != row.line:
                errs.append(_("%(h)s: the same ID number is already on line %(n)s of this file.") % {"h": HEADER_OF["id_number"], "n": first})
        svc_data = {k: val for k, val in data.items() if k in services.EDITABLE and not (k in DATE_KEYS and val is None)}
        try:
            clean = services.clean_member_data(svc_data, check_duplicates=False)
        except ValidationError as exc:
            clean = None
            for f, msgs in exc.message_dict.items():
                for m in msgs:
                    label = FIELD_HEADER.get(f, f)
                    if f in DATE_KEYS and data.get(f) is None and any(label in e for e in errs):
                        continue  # already reported as unreadable
                    if f in ("gender", "education", "status", "category", "position") and any(e.startswith(label) for e in errs):
                        continue
                    errs.append(f"{label}: {m}")
        errs += _probation_errors(data, today)
        if errs:
            report.errors[row.line] = errs
        elif clean is not None and org is not None:
            report.valid.append((row, org, clean))
    # One batched look-up of the whole file's ID numbers against the database. A number on record
    # where the importer cannot see it is not named (SECURITY.md "mask reconstruction"): the line
    # says it goes to the organization department above, and roster_views routes it on upload.
    on_record = services.existing_records([clean["id_number"] for _row, _org, clean in report.valid])
    if on_record:
        duplicate_msg = _("%(h)s: A member with this ID number is already on record.") % {"h": HEADER_OF["id_number"]}
        routed_msg = _("%(h)s: this ID number cannot be recorded here; it is passed to the organization department above "
                       "for resolution.") % {"h": HEADER_OF["id_number"]}
        keep = []
        for row, org, clean in report.valid:
            existing = on_record.get(clean["id_number"])
            if existing is None:
                keep.append((row, org, clean))
            elif scope.can("view", existing):
                report.errors[row.line] = [duplicate_msg]
            else:
                report.errors[row.line] = [routed_msg]
                report.elsewhere.append((org, existing, clean["id_number"]))
        report.valid = keep
    if not parsed.rows:
        report.errors[0] = [_("The workbook has no member rows.")]
    return report


# -- import ----------------------------------------------------------------------------------------

class ImportRefused(ValidationError):
    """Raised by :func:`import_rows` when any row is invalid (nothing was written)."""

    def __init__(self, report: Report):
        super().__init__(_("%(n)s rows have errors; nothing was imported.") % {"n": len(report.errors)}, code="rows_invalid")
        self.report = report


def import_rows(*, actor, scope: Scope, parsed: Parsed) -> dict:
    """All or nothing: validate every row again inside one transaction, bulk insert, history rows,
    one rollup delta for the affected subtrees, one audit row."""
    with transaction.atomic():
        report = validate(scope, parsed)
        if not report.ok:
            raise ImportRefused(report)
        now = timezone.now()
        members = []
        for _row, org, clean in report.valid:
            members.append(Member(org=org, org_path=org.path, created_at=now, updated_at=now, state=RecordState.ACTIVE,
                                  **{k: v for k, v in clean.items() if k in services.EDITABLE}))
        try:
            with transaction.atomic():
                Member.objects.bulk_create(members, batch_size=2000)
        except IntegrityError:
            raise ValidationError(_("Another user added one of these ID numbers meanwhile; nothing was imported."), code="id_taken_meanwhile") from None
        if any(m.pk is None for m in members):  # backends without RETURNING: read the ids back
            ids = dict(Member.objects.filter(id_number_bidx__in=[m.id_number_bidx for m in members]).values_list("id_number_bidx", "pk"))
            for m in members:
                m.pk = m.id = ids[m.id_number_bidx]
        today = timezone.localdate()
        actor_ref = actor if getattr(actor, "pk", None) else None
        MemberOrgHistory.objects.bulk_create(
            [MemberOrgHistory(member_id=m.pk, org_id=m.org_id, started_on=today, reason=_("imported from a roster workbook"), actor=actor_ref)
             for m in members], batch_size=5000)
        agg: Counter = Counter()
        for m in members:
            agg[(m.org_path, tuple(rollups.member_keys(m)))] += 1
        rollups.apply_delta([(path, list(keys), n) for (path, keys), n in agg.items()])
        per_org = Counter(m.org_id for m in members)
        paths = sorted({m.org_path for m in members})
        common = os.path.commonprefix(paths)
        common = common[: len(common) - len(common) % 4]
        root = Organization.objects.filter(path=common).first()
        audit.record(actor=actor, action="member.import", object_type="core.organization", object_id=root.pk if root else "",
                     org_path=common, data={"rows": len(members), "orgs": {str(k): v for k, v in per_org.items()}})
    return {"rows": len(members), "orgs": len(per_org), "root": root}


# -- uploads kept between preview and confirm -------------------------------------------------------

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def store_upload(chunks) -> str:
    """Write the upload to a server-generated name; returns the token. Old files are swept."""
    sweep_uploads()
    token = secrets.token_hex(16)
    path = upload_dir() / f"{token}.xlsx"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    written = 0
    cap = max_upload_bytes()
    with os.fdopen(fd, "wb") as fh:
        for chunk in chunks:
            written += len(chunk)
            if written > cap:
                break
            fh.write(chunk)
    if written > cap:
        path.unlink(missing_ok=True)
        _refuse(_("The file is larger than the limit of %(c)s MB.") % {"c": round(cap / 1048576, 1)}, "too_big")
    return token


def upload_path(token: str | None) -> Path | None:
    if not token or not TOKEN_RE.match(token):
        return None
    p = upload_dir() / f"{token}.xlsx"
    return p if p.exists() else None


def discard_upload(token: str | None) -> None:
    p = upload_path(token)
    if p is not None:
        p.unlink(missing_ok=True)


def sweep_uploads(max_age: int = UPLOAD_TTL_SECONDS) -> int:
    n = 0
    cutoff = time.time() - max_age
    for p in upload_dir().glob("*.xlsx"):
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
                n += 1
        except FileNotFoundError:
            pass
    return n


# -- workbooks we write ------------------------------------------------------------------------------

def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    return {
        "title": Font(bold=True, size=14),
        "header_font": Font(bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor="C00000"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
    }


def _sheet_frame(ws, title: str, headers: list[str], widths: list[int]):
    """Title row (merged), header row, frozen panes, widths; works for write-only sheets too."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    st = _styles()
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A3"
    t = WriteOnlyCell(ws, value=title)
    t.font = st["title"]
    ws.append([t])
    ws.merged_cells.ranges.add(f"A1:{get_column_letter(len(headers))}1") if hasattr(ws, "merged_cells") else None
    hdr = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.fill, c.alignment, c.border = st["header_font"], st["header_fill"], st["center"], st["border"]
        hdr.append(c)
    ws.append(hdr)


def _workbook_bytes(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_queryset(scope: Scope, org: Organization):
    return (Member.objects.filter(scope.q(Member, "export"), org_path__startswith=org.path, state=RecordState.ACTIVE)
            .order_by("org_path", "id"))


def export_orgs(scope: Scope):
    """Active organizations whose subtree roster this user may export."""
    return Organization.objects.filter(scope.q_paths("member", "export", "path")).filter(status=OrgStatus.ACTIVE).order_by("path")


def export_count(scope: Scope, org: Organization) -> int:
    return export_queryset(scope, org).count()


def export_roster(*, actor, scope: Scope, org: Organization, clear: bool = False, progress=None) -> tuple[str, bytes, int]:
    """The subtree roster as .xlsx: (filename, bytes, rows). Audited as ``member.export``."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    if not scope.path_allows("member", "export", org.path):
        raise ValidationError(_("You may not export this organization's roster."), code="not_permitted")
    today = timezone.localdate()
    org_names = dict(Organization.objects.filter(path__startswith=org.path).values_list("id", "name"))
    qs = export_queryset(scope, org)
    total = qs.count() if progress else 0
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    title = f"{org.name} 党员花名册（导出日期：{today.isoformat()}）"
    _sheet_frame(ws, title, HEADERS, [w for _k, _h, w in COLUMNS])
    any_clear = False
    n = 0
    date_fmt = "yyyy-mm-dd"
    from openpyxl.cell import WriteOnlyCell

    for m in qs.iterator(chunk_size=2000):
        n += 1
        reveal = clear and scope.can("reveal", m)
        any_clear = any_clear or reveal

        def sens(f, m=m, reveal=reveal):
            v = getattr(m, f) or ""
            return v if reveal else MASKERS[f](v)

        row = [n, m.name, LABELS["gender"].get(m.gender, m.gender), m.ethnicity]
        for d in (m.birth_date,):
            c = WriteOnlyCell(ws, value=d)
            c.number_format = date_fmt
            row.append(c)
        row.append(sens("id_number"))
        row.append(LABELS["education"].get(m.education, m.education))
        for d in (m.joined_on, m.full_member_on):
            c = WriteOnlyCell(ws, value=d)
            c.number_format = date_fmt
            row.append(c)
        row += [LABELS["category"].get(m.category, m.category), LABELS["status"].get(m.status, m.status), m.work_unit,
                LABELS["position"].get(m.position, m.position), sens("phone"), sens("address"), org_names.get(m.org_id, "")]
        ws.append(row)
        if progress and n % 1000 == 0:
            progress(min(99, int(n * 100 / max(total, 1))), _("%(n)s of %(t)s rows") % {"n": n, "t": total})
    ws.auto_filter.ref = f"A2:{get_column_letter(len(HEADERS))}{max(n + 2, 2)}"
    audit.record(actor=actor, action="member.export", obj=org,
                 data={"org": org.pk, "rows": n, "clear": any_clear, "clear_requested": bool(clear)})
    data = _workbook_bytes(wb)
    filename = f"roster-{org.pk}-{today:%Y%m%d}.xlsx"
    return filename, data, n


def template_workbook(scope: Scope) -> bytes:
    """The import template: the same headers, one example row, dropdown lists for choices."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    st = _styles()
    for i, (_k, _h, w) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.cell(row=1, column=1, value="党员花名册导入模板：第 3 行为示例（序号为“示例”的行不会导入），请从第 4 行起填写；日期写作 2020-07-01；带 * 的列必填。")
    ws.cell(row=1, column=1).font = st["title"]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    for i, (_key, header, _w) in enumerate(COLUMNS, start=1):
        c = ws.cell(row=2, column=i, value=header + ("*" if header in REQUIRED_HEADERS else ""))
        c.font, c.fill, c.alignment, c.border = st["header_font"], st["header_fill"], st["center"], st["border"]
    orgs = list(addable_orgs(scope))
    example = {
        "seq": EXAMPLE_MARK, "name": "张三", "gender": "男", "ethnicity": "汉族", "birth_date": "1985-06-15",
        "id_number": "370702198506150012", "education": "大学本科", "joined_on": "2010-07-01", "full_member_on": "2011-07-01",
        "category": "在职", "status": "正式", "work_unit": "某单位", "position": "", "phone": "13900000000",
        "address": "某镇某村1号", "org": orgs[0].name if orgs else "东村党支部",
    }
    for i, (key, _h, _w) in enumerate(COLUMNS, start=1):
        c = ws.cell(row=3, column=i, value=example[key])
        c.font = Font(italic=True, color="808080")
    for i, (key, _h, _w) in enumerate(COLUMNS, start=1):
        if key in ("id_number", "phone") or key in DATE_KEYS:
            for r in range(3, 1003):
                ws.cell(row=r, column=i).number_format = "@"  # text: long ID numbers keep every digit
    ws.freeze_panes = "A3"
    # choice lists on a hidden sheet (inline lists are limited to 255 characters)
    lists = wb.create_sheet("选项")
    choice_cols = {
        "gender": [v for v in LABELS["gender"].values()],
        "ethnicity": list(ETHNICITIES),
        "education": list(LABELS["education"].values()),
        "category": list(LABELS["category"].values()),
        "status": list(LABELS["status"].values()),
        "position": [v for v in LABELS["position"].values() if v],
        "org": [o.name for o in orgs] or [""],
    }
    for j, (key, values) in enumerate(choice_cols.items(), start=1):
        letter = get_column_letter(j)
        lists.cell(row=1, column=j, value=HEADER_OF[key])
        for r, v in enumerate(values, start=2):
            lists.cell(row=r, column=j, value=v)
        col = get_column_letter([k for k, _h, _w in COLUMNS].index(key) + 1)
        dv = DataValidation(type="list", formula1=f"'选项'!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=key in ("position",), showErrorMessage=key != "org")
        dv.error = "请从下拉列表中选择"
        dv.errorTitle = HEADER_OF[key]
        dv.add(f"{col}3:{col}50000")
        ws.add_data_validation(dv)
    lists.sheet_state = "hidden"
    return _workbook_bytes(wb)


def error_workbook(report: Report) -> bytes:
    """The original rows plus an error column (one line per message), invalid rows first marked."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误")
    headers = list(report.parsed.headers) + ["原行号", "错误"]
    _sheet_frame(ws, f"党员花名册导入检查：{len(report.errors)} 行有错误（{timezone.localdate().isoformat()}）", headers,
                 [12] * len(report.parsed.headers) + [8, 60])
    from openpyxl.cell import WriteOnlyCell

    red = PatternFill("solid", fgColor="FFE0E0")
    wrap = Alignment(wrap_text=True, vertical="top")
    for msg in report.errors.get(0, []):
        ws.append([None] * len(report.parsed.headers) + [None, msg])
    for row in report.parsed.rows:
        errs = report.errors.get(row.line, [])
        cells = [(v.isoformat() if isinstance(v, dt.datetime | dt.date) else v) for v in row.raw]
        cells += [None] * (len(report.parsed.headers) - len(cells))
        err = WriteOnlyCell(ws, value="\n".join(errs))
        err.alignment = wrap
        if errs:
            err.font = Font(color="C00000")
            err.fill = red
        ws.append(cells + [row.line, err])
    return _workbook_bytes(wb)


# -- large exports as a job (dangjian.jobs.api), ending with an inbox message (dangjian.notify.api) --

EXPORT_JOB_KIND = "members.roster_export"


def run_export_job(job, progress) -> tuple[str, bytes]:
    """Job body: re-check the actor's scope now, build the workbook with progress, then leave a
    message with the job page's link (where the download is) in the actor's inbox."""
    from dangjian.core import messages as notify_api

    actor = job.actor
    params = job.params or {}
    scope = Scope.for_user(actor)
    org = Organization.objects.filter(scope.q_paths("member", "export", "path"), pk=params.get("org")).first()
    if org is None:
        raise ValidationError(_("You may no longer export this organization's roster."), code="no_longer_permitted")
    progress(1, _("Reading the roster"))
    filename, data, n = export_roster(actor=actor, scope=scope, org=org, clear=bool(params.get("clear")), progress=progress)
    progress(99, _("%(n)s rows written") % {"n": n})
    with transaction.atomic():
        notify_api.send(recipients=[actor], kind="export_ready", actor=actor, org=org,
                          context={"title": f"{org.name} 党员花名册", "rows": n, "job_id": job.pk})
    return filename, data


def register_export_job() -> None:
    """Register the job kind (idempotent); its inbox message kind ``export_ready`` is in messages.py."""
    from dangjian.jobs import api as jobs_api

    jobs_api.register_job_kind(EXPORT_JOB_KIND, run_export_job)
