"""Excel roster (花名册): export columns and masking, scope, audit; import validation by line,
all-or-nothing, error sheet, rollups; every kind of bad file refused before openpyxl reads it."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.core import rollups
from dangjian.core.models import AuditEvent, OrgRollup
from dangjian.core.policy import POLICY, Scope
from dangjian.members import roster_xlsx as rx
from dangjian.members.models import Member, MemberOrgHistory
from tests.factories import make_id_number


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English (the UI default is Chinese)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.DANGJIAN_ROSTER_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


# -- building workbooks ------------------------------------------------------------------------------

def row(org: str, name: str = "新党员", **over) -> dict:
    birth = over.pop("birth", dt.date(1988, 4, 9))
    sex = over.pop("sex", "M")
    data = {
        "姓名": name, "性别": "男" if sex == "M" else "女", "民族": "汉族", "出生日期": birth.isoformat(),
        "身份证号": make_id_number(birth, sex), "学历": "大学本科", "入党时间": "2012-07-01", "转正时间": "2013-07-01",
        "人员类别": "在职", "党员状态": "正式", "工作单位": "东镇政府", "党内职务": "", "手机号码": "13812345678",
        "现居住地": "东镇东村8号", "所在党组织": org,
    }
    data.update(over)
    return data


def workbook(rows: list[dict], headers=None, title="花名册") -> bytes:
    headers = headers or rx.HEADERS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(headers)
    for i, r in enumerate(rows, start=1):
        ws.append([i if h == "序号" else r.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rezip(data: bytes, *, replace: dict | None = None, add: dict | None = None, drop=()) -> bytes:
    """Copy an xlsx zip, replacing / adding / dropping members."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            body = src.read(info)
            if replace and info.filename in replace:
                body = replace[info.filename](body)
            dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def upload(c, data: bytes, name: str = "roster.xlsx"):
    return c.post(reverse("member-roster-import"), {"file": SimpleUploadedFile(name, data, content_type=XLSX)})


def read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]


def rollups_exact():
    """Rollups kept by deltas equal a full rebuild from the member table."""
    before = {r.org_id: r.counts for r in OrgRollup.objects.all()}
    rollups.refresh_all()
    after = {r.org_id: r.counts for r in OrgRollup.objects.all()}
    for org_id in set(before) | set(after):
        assert before.get(org_id, {}) == after.get(org_id, {}), org_id


# -- export ------------------------------------------------------------------------------------------

def test_export_columns_title_frozen_header_and_masking(world, login):
    c = login(world.users["town_admin"])
    assert c.get(reverse("member-roster-export")).status_code == 200
    r = c.post(reverse("member-roster-export"), {"org": world.t1.pk})
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    assert "attachment" in r["Content-Disposition"]
    ws = read_xlsx(r.content)
    rows = list(ws.iter_rows(values_only=True))
    assert "东镇党委" in rows[0][0] and "导出日期" in rows[0][0]
    assert list(rows[1]) == ["序号", "姓名", "性别", "民族", "出生日期", "身份证号", "学历", "入党时间", "转正时间", "人员类别",
                             "党员状态", "工作单位", "党内职务", "手机号码", "现居住地", "所在党组织"]
    assert ws.freeze_panes == "A3"
    assert ws.column_dimensions["F"].width >= 20
    data = rows[2:]
    expected = Member.objects.filter(org_path__startswith=world.t1.path, state="active").count()
    assert len(data) == expected == 8
    by_name = {d[1]: d for d in data}
    zhao = by_name["赵党员"]
    assert zhao[2] == "女" and zhao[4].date() == dt.date(1990, 2, 3) and zhao[10] == "正式" and zhao[15] == "东村党支部"
    assert by_name["钱预备"][10] == "预备" and by_name["钱预备"][8] is None
    assert by_name["李书记"][12] == "书记"
    body = r.content
    cells = " ".join(str(v) for d in data for v in d)
    for m in Member.objects.filter(org_path__startswith=world.t1.path):
        assert m.id_number not in cells and m.phone not in cells
        assert m.id_number.encode() not in body
    assert zhao[5].startswith(world.m_member.id_number[:4]) and "*" in zhao[5]
    assert "*" in zhao[13] and "****" in zhao[14]
    ev = AuditEvent.objects.filter(action="member.export").last()
    assert ev.actor == world.users["town_admin"]
    assert ev.data["rows"] == 8 and ev.data["clear"] is False and ev.data["org"] == world.t1.pk


def test_export_clear_values_when_allowed_and_asked_and_audited(world, login):
    c = login(world.users["secretary"])
    r = c.post(reverse("member-roster-export"), {"org": world.b1.pk, "clear": "on"})
    ws = read_xlsx(r.content)
    ids = {row[5] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert world.m_member.id_number in ids
    phones = {row[13] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert world.m_member.phone in phones
    ev = AuditEvent.objects.filter(action="member.export").last()
    assert ev.data["clear"] is True and ev.data["rows"] == 5
    assert world.m_member.id_number not in str(ev.data)


def test_clear_values_refused_without_reveal_permission(world, login, monkeypatch):
    """A role that may export but not reveal gets masked values even when it asks; the form does
    not offer the choice, and the audit row says no clear values were included."""
    monkeypatch.setitem(POLICY["member"], "reveal", {"member": "self"})
    c = login(world.users["secretary"])
    page = c.get(reverse("member-roster-export")).content.decode()
    assert 'name="clear"' not in page
    scope = Scope.for_user(world.users["secretary"])
    _fn, data, n = rx.export_roster(actor=world.users["secretary"], scope=scope, org=world.b1, clear=True)
    assert n == 5
    assert world.m_member.id_number.encode() not in data
    ids = {row[5] for row in read_xlsx(data).iter_rows(min_row=3, values_only=True)}
    assert all("*" in i for i in ids)
    ev = AuditEvent.objects.filter(action="member.export").last()
    assert ev.data["clear"] is False and ev.data["clear_requested"] is True


def test_export_scope_never_contains_the_other_town(world, login):
    c = login(world.users["town_admin"])
    r = c.post(reverse("member-roster-export"), {"org": world.t1.pk, "clear": "on"})
    names = {row[1] for row in read_xlsx(r.content).iter_rows(min_row=3, values_only=True)}
    assert not any(n.startswith(("南村", "北村")) for n in names)
    # the other town is not offered and a forged id is refused
    r = c.post(reverse("member-roster-export"), {"org": world.t2.pk})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert "南镇党委" not in r.content.decode()
    with pytest.raises(Exception):  # noqa: B017 - ValidationError from the service
        rx.export_roster(actor=world.users["town_admin"], scope=Scope.for_user(world.users["town_admin"]), org=world.t2)
    # the county admin's export holds both towns, never the other county
    c = login(world.users["county_admin"])
    r = c.post(reverse("member-roster-export"), {"org": world.county.pk})
    names = {row[1] for row in read_xlsx(r.content).iter_rows(min_row=3, values_only=True)}
    assert "南村党员0" in names and "赵党员" in names and not any(n.startswith("北村") for n in names)


@pytest.mark.parametrize("persona,status", [("committee", 403), ("member", 403), ("outsider", 403), ("audit_admin", 403)])
def test_export_and_import_refused_to_other_roles(world, login, persona, status):
    c = login(world.users[persona])
    for name in ("member-roster-export", "member-roster-import", "member-roster-template"):
        assert c.get(reverse(name)).status_code == status


def test_large_export_runs_as_a_job_with_progress_and_an_inbox_link(world, login, settings, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    """Above the direct limit the export runs as a job (jobs.api): the user is sent to the job
    page, the job writes the workbook, and an inbox message links to the job page."""
    from dangjian.jobs.models import Job
    from dangjian.notify.models import InboxMessage

    settings.DANGJIAN_ROSTER_DIRECT_EXPORT_ROWS = 2
    settings.DANGJIAN_JOBS_DIR = str(tmp_path / "jobs")
    user = world.users["town_admin"]
    c = login(user)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("member-roster-export"), {"org": world.t1.pk})
    job = Job.objects.get(kind=rx.EXPORT_JOB_KIND)
    assert r.status_code == 302 and r["Location"] == reverse("job-detail", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.actor == user, job.error
    msg = InboxMessage.objects.get(user=user, kind="export_ready")
    assert msg.link == reverse("job-detail", kwargs={"pk": job.pk}) and "东镇党委" in msg.title
    ev = AuditEvent.objects.filter(action="member.export").last()
    assert ev.data["rows"] == 8 and ev.actor == user
    r = c.get(reverse("job-download", kwargs={"pk": job.pk}))
    ws = read_xlsx(b"".join(r.streaming_content))
    names = {row[1] for row in ws.iter_rows(min_row=3, values_only=True)}
    assert "赵党员" in names and not any(n.startswith("南村") for n in names)


def test_progress_callback_is_called_for_large_exports(world):
    scope = Scope.for_user(world.users["county_admin"])
    for i in range(1000):
        Member(org=world.b3, org_path=world.b3.path, name=f"批量{i}", gender="M", birth_date=dt.date(1980, 1, 1),
               id_number="", education="senior", joined_on=dt.date(2005, 1, 1), full_member_on=dt.date(2006, 1, 1),
               status="full", category="farmer").save()
    seen = []
    _fn, _data, n = rx.export_roster(actor=world.users["county_admin"], scope=scope, org=world.county,
                                      progress=lambda pct, note: seen.append(pct))
    assert n == 1011 and seen and all(0 <= p <= 100 for p in seen)


# -- template ----------------------------------------------------------------------------------------

def test_template_has_headers_example_and_choice_lists(world, login):
    c = login(world.users["town_admin"])
    r = c.get(reverse("member-roster-template"))
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb["花名册"]
    headers = [str(v).rstrip("*") for v in next(ws.iter_rows(min_row=2, max_row=2, values_only=True))]
    assert headers == rx.HEADERS
    example = next(ws.iter_rows(min_row=3, max_row=3, values_only=True))
    assert example[0] == "示例" and example[1] == "张三"
    ranges = {str(dv.sqref).split(":")[0][:1] for dv in ws.data_validations.dataValidation}
    assert {"C", "D", "G", "J", "K", "M", "P"} <= ranges  # 性别 民族 学历 人员类别 党员状态 党内职务 所在党组织
    options = wb["选项"]
    assert options.sheet_state == "hidden"
    org_names = {row[6] for row in options.iter_rows(min_row=2, values_only=True) if row[6]}
    assert org_names == {"东村党支部", "西村党支部", "东村第一党小组"}
    # the untouched template imports nothing: the example row is skipped
    r = upload(c, r.content, "template.xlsx")
    assert "The workbook has no member rows." in r.content.decode()


# -- import: happy path, validation, all-or-nothing ----------------------------------------------------

def test_import_preview_confirm_history_audit_rollups(world, login, _upload_dir):
    world.b2.code = "XC-001"
    world.b2.save(update_fields=["code"])
    rows = [
        row("东村党支部", "导入甲", sex="F", birth=dt.date(1990, 1, 2)),
        row("XC-001", "导入乙", 党员状态="预备", 转正时间="", 入党时间="2026.03.01"),
        row("东村第一党小组", "导入丙", 出生日期=dt.datetime(1975, 12, 31), birth=dt.date(1975, 12, 31),
            入党时间="2001年7月1日", 转正时间="2002年7月1日", 学历="大专", 人员类别="农牧民", 党内职务="党小组组长"),
    ]
    rows[2]["出生日期"] = dt.datetime(1975, 12, 31)  # a real Excel date cell
    c = login(world.users["town_admin"])
    before = Member.objects.count()
    r = upload(c, workbook(rows))
    body = r.content.decode()
    assert r.status_code == 200 and 'data-testid="roster-preview"' in body
    assert "3 rows: 3 valid, 0 with errors." in body
    assert "导入甲" in body and rows[0]["身份证号"] not in body  # preview masks the ID number
    assert Member.objects.count() == before  # a preview writes nothing
    assert len(list(_upload_dir.glob("*.xlsx"))) == 1
    token = c.session["roster_import"]["token"]
    r = c.post(reverse("member-roster-import-confirm"), {"token": token})
    assert r.status_code == 302 and f"org={world.t1.pk}" in r["Location"]
    assert Member.objects.count() == before + 3
    yi = Member.objects.get(name="导入乙")
    assert yi.org == world.b2 and yi.status == "probationary" and yi.full_member_on is None and yi.joined_on == dt.date(2026, 3, 1)
    bing = Member.objects.get(name="导入丙")
    assert bing.birth_date == dt.date(1975, 12, 31) and bing.position == "group_leader" and bing.education == "college"
    jia = Member.objects.get(name="导入甲")
    assert jia.id_number == rows[0]["身份证号"] and jia.phone == "13812345678" and jia.gender == "F"
    assert Member.objects.filter(id_number_bidx=Member._meta.get_field("id_number").index_of(rows[0]["身份证号"])).count() == 1
    assert MemberOrgHistory.objects.filter(member__name__startswith="导入", ended_on__isnull=True).count() == 3
    ev = AuditEvent.objects.get(action="member.import")
    assert ev.data["rows"] == 3 and ev.actor == world.users["town_admin"] and ev.org_path == world.t1.path
    assert rows[0]["身份证号"] not in str(ev.data)
    assert not list(_upload_dir.glob("*.xlsx"))  # the kept upload is removed
    assert rollups.counts_for(world.t1)["total"] == 11
    rollups_exact()
    page = c.get(r["Location"]).content.decode()
    assert "导入甲" in page


def test_every_validation_error_reported_with_its_line(world, login):
    dup = make_id_number(dt.date(1988, 4, 9))
    rows = [
        row("东村党支部", "好行", 身份证号=dup),                                              # line 3: fine
        row("东村党支部", "校验位"),                                                          # 4 check digit (below)
        row("东村党支部", "坏日期", 入党时间="2012-13-45"),                                   # 5 date
        row("东村党支部", "文件内重复", 身份证号=dup),                                         # 6 duplicate in file
        row("东村党支部", "库内重复", 身份证号=world.m_member.id_number, sex="F", birth=dt.date(1990, 2, 3),
            出生日期="1990-02-03", 性别="女"),                                                  # 7 duplicate in DB
        row("南村党支部", "外镇"),                                                              # 8 org out of scope
        row("东村党支部", "早转正", 转正时间="2012-12-01"),                                    # 9 full < joined + 1 year
        row("东村党支部", "预备有转正", 党员状态="预备"),                                      # 10 probationary with a date
        row("东村党支部", "正式无转正", 转正时间=""),                                          # 11 full without a date
        row("东村党支部", "性别错", 性别="未知"),                                              # 12 choice
        row("东村党支部", "久预备", 党员状态="预备", 转正时间="", 入党时间="2020-01-01"),     # 13 probation too long
        row("", "无组织"),                                                                      # 14 org missing
    ]
    first17 = rows[1]["身份证号"][:17]
    from dangjian.core.privacy import id_check_char

    wrong = "1" if id_check_char(first17) != "1" else "2"
    rows[1]["身份证号"] = first17 + wrong
    from django.utils import translation

    with translation.override("en"):
        report = rx.validate(Scope.for_user(world.users["town_admin"]), rx.read_rows(_write(workbook(rows))))
    e = {line: " | ".join(msgs) for line, msgs in report.errors.items()}
    assert set(e) == set(range(4, 15)), e
    assert "身份证号" in e[4] and "check digit" in e[4]
    assert "入党时间" in e[5] and "2012-13-45" in e[5]
    assert "line 3" in e[6]
    assert "already on record" in e[7]
    assert "南村党支部" in e[8]
    assert "转正时间" in e[9] and "one year" in e[9]
    assert "转正时间" in e[10]
    assert "转正时间" in e[11]
    assert "性别" in e[12] and "未知" in e[12]
    assert "党员状态" in e[13] and "two years" in e[13]
    assert "所在党组织" in e[14]
    assert [r.line for r, _o, _d in report.valid] == [3]


def _write(data: bytes) -> str:
    import tempfile

    f = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    f.write(data)
    f.close()
    return f.name


def test_dates_in_every_accepted_form():
    assert rx.parse_date("2020-07-01") == dt.date(2020, 7, 1)
    assert rx.parse_date("2020.7.1") == dt.date(2020, 7, 1)
    assert rx.parse_date("2020年7月1日") == dt.date(2020, 7, 1)
    assert rx.parse_date("2020/07/01") == dt.date(2020, 7, 1)
    assert rx.parse_date(dt.datetime(2020, 7, 1, 0, 0)) == dt.date(2020, 7, 1)
    assert rx.parse_date(44013) == dt.date(2020, 7, 1)  # an Excel serial number
    assert rx.parse_date("") is None
    for bad in ("2020-02-30", "七月一日", "2020-7", "1.5"):
        with pytest.raises(ValueError):
            rx.parse_date(bad)


def test_one_bad_row_writes_nothing(world, login):
    rows = [row("东村党支部", f"整批{i}") for i in range(5)] + [row("东村党支部", "坏行", 出生日期="不是日期")]
    c = login(world.users["town_admin"])
    before = (Member.objects.count(), MemberOrgHistory.objects.count(), AuditEvent.objects.count())
    r = upload(c, workbook(rows))
    body = r.content.decode()
    assert 'data-testid="roster-error-line-8"' in body and 'data-testid="roster-confirm"' not in body
    # a forged confirm of the checked file is refused as a whole too
    r = c.post(reverse("member-roster-import-confirm"), {"token": c.session["roster_import"]["token"]})
    assert r.status_code == 200 and "nothing was imported" in r.content.decode()
    assert (Member.objects.count(), MemberOrgHistory.objects.count(), AuditEvent.objects.count()) == before
    with pytest.raises(rx.ImportRefused):
        rx.import_rows(actor=world.users["town_admin"], scope=Scope.for_user(world.users["town_admin"]),
                       parsed=rx.read_rows(_write(workbook(rows))))
    assert Member.objects.count() == before[0]
    rollups_exact()


def test_database_race_rolls_back_everything(world, monkeypatch):
    """An ID added by someone else between check and insert: the unique index refuses, nothing stays."""
    rows = [row("东村党支部", f"竞争{i}") for i in range(3)]
    parsed = rx.read_rows(_write(workbook(rows)))
    real_validate = rx.validate

    def validate_then_race(scope, parsed):
        rep = real_validate(scope, parsed)
        from dangjian.members import services
        from tests.factories import member_data

        services.create_member(actor=None, org=world.b2, data=member_data(
            name="抢先", id_number=rows[1]["身份证号"], birth_date=dt.date(1988, 4, 9)))
        return rep

    before = Member.objects.count()
    monkeypatch.setattr(rx, "validate", validate_then_race)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        rx.import_rows(actor=None, scope=Scope.for_user(world.users["town_admin"]), parsed=parsed)
    assert Member.objects.count() == before  # the racing member too: it was inside the same transaction
    rollups_exact()


def test_error_sheet_holds_original_rows_and_errors(world, login):
    rows = [row("东村党支部", "对的"), row("东村党支部", "错的", 入党时间="去年")]
    c = login(world.users["town_admin"])
    upload(c, workbook(rows))
    r = c.get(reverse("member-roster-import-errors"))
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    ws = read_xlsx(r.content)
    data = list(ws.iter_rows(values_only=True))
    assert data[1][-2:] == ("原行号", "错误") and list(data[1][:-2]) == rx.HEADERS
    good, bad = data[2], data[3]
    assert good[1] == "对的" and good[-2] == 3 and not good[-1]
    assert bad[1] == "错的" and bad[-2] == 4 and "入党时间" in bad[-1] and "去年" in bad[-1]
    assert bad[5] == rows[1]["身份证号"]  # the user's own rows come back as they were
    # without a checked file in the session, the page says so
    c.post(reverse("member-roster-import-confirm"), {"cancel": "1"})
    assert c.get(reverse("member-roster-import-errors")).status_code == 302


def test_secretary_imports_only_into_own_branch(world, login):
    c = login(world.users["secretary"])
    r = upload(c, workbook([row("东村党支部", "本支部"), row("西村党支部", "别的支部")]))
    body = r.content.decode()
    assert 'data-testid="roster-error-line-4"' in body and 'data-testid="roster-error-line-3"' not in body


def test_ambiguous_org_name_needs_a_code(world, login):
    from dangjian.core import services as org_services

    org_services.create_organization(actor=None, parent=world.t1, name="东村党支部", kind="branch", code="DC-2")
    report = rx.validate(Scope.for_user(world.users["town_admin"]), rx.read_rows(_write(workbook(
        [row("东村党支部", "重名"), row("DC-2", "按代码")]))))
    assert list(report.errors) == [3] and "code" in report.errors[3][0]
    assert report.valid[0][1].code == "DC-2"


# -- bad files ---------------------------------------------------------------------------------------

def _refused(c, data, name="roster.xlsx"):
    r = upload(c, data, name)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="error-file"' in body and 'data-testid="roster-preview"' not in body
    return body


def test_bad_files_are_refused_with_a_clear_message(world, login, _upload_dir, settings):
    c = login(world.users["town_admin"])
    good = workbook([row("东村党支部", "好人")])
    # a text file renamed .xlsx
    assert "not an Excel workbook" in _refused(c, "姓名,身份证号\n张三,1\n".encode())
    # a zip that is no workbook
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "[Content_Types].xml" in _refused(c, buf.getvalue())
    # macro-enabled: by content type, by a vbaProject.bin part, by extension
    macro_ct = rezip(good, replace={"[Content_Types].xml": lambda b: b.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")})
    assert "macro" in _refused(c, macro_ct)
    assert "vbaProject.bin" in _refused(c, rezip(good, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512}))
    assert ".xlsm" in _refused(c, good, "roster.xlsm")
    # a zip bomb: a large zero-filled part of an otherwise valid workbook (ratio cap)
    bomb = rezip(good, add={"xl/media/zeros.bin": b"\0" * (30 * 1024 * 1024)})
    assert len(bomb) < 200_000
    assert "zip bomb" in _refused(c, bomb)
    # ... and the total uncompressed size cap
    settings.DANGJIAN_ROSTER_MAX_UNCOMPRESSED_BYTES = 2_000
    assert "inflate to more than" in _refused(c, good)
    del settings.DANGJIAN_ROSTER_MAX_UNCOMPRESSED_BYTES
    # a formula in a cell
    wb = openpyxl.load_workbook(io.BytesIO(good))
    wb.active["L3"] = "=HYPERLINK(\"http://evil.example\",\"x\")"
    buf = io.BytesIO()
    wb.save(buf)
    body = _refused(c, buf.getvalue())
    assert "Formulas are not accepted" in body and "L3" in body
    # too many rows
    settings.DANGJIAN_ROSTER_MAX_ROWS = 3
    assert "more than 3 member rows" in _refused(c, workbook([row("东村党支部", f"多{i}") for i in range(4)]))
    del settings.DANGJIAN_ROSTER_MAX_ROWS
    # over the size cap (a tiny configured cap)
    settings.DANGJIAN_ROSTER_MAX_UPLOAD_BYTES = 1000
    assert "the limit is" in _refused(c, good)
    del settings.DANGJIAN_ROSTER_MAX_UPLOAD_BYTES
    # nothing is left behind, nothing was written
    assert not list(_upload_dir.glob("*"))
    assert not Member.objects.filter(name="好人").exists()


def test_fifty_megabytes_refused_under_the_default_cap(tmp_path):
    p = tmp_path / "big.xlsx"
    with p.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: no 50 MB in memory
    with pytest.raises(rx.BadRosterFile) as exc:
        rx.check_file(p, filename="big.xlsx")
    assert exc.value.code == "too_big" and "limit is 10.0 MB" in exc.value.messages[0]
    # the upload store stops writing at the cap as well
    with pytest.raises(rx.BadRosterFile):
        rx.store_upload(iter([b"\0" * (6 * 1024 * 1024)] * 2))
    assert not list(rx.upload_dir().glob("*.xlsx"))


def test_bomb_checked_before_openpyxl_reads(world, monkeypatch, tmp_path):
    """check_file refuses from the zip directory alone: openpyxl is never called for a bomb."""
    called = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: called.append(1))
    good = workbook([row("东村党支部", "x")])
    p = tmp_path / "bomb.xlsx"
    p.write_bytes(rezip(good, add={"xl/worksheets/sheet9.xml": b"\0" * (8 * 1024 * 1024)}))
    with pytest.raises(rx.BadRosterFile) as exc:
        rx.check_file(p, filename="bomb.xlsx")
    assert exc.value.code == "bomb" and not called


def test_stale_uploads_are_swept(tmp_path):
    import os
    import time

    token = rx.store_upload(iter([b"PK"]))
    p = rx.upload_path(token)
    old = time.time() - rx.UPLOAD_TTL_SECONDS - 10
    os.utime(p, (old, old))
    assert rx.sweep_uploads() == 1 and rx.upload_path(token) is None
    assert rx.upload_path("../../etc/passwd") is None


def test_nightly_rollup_refresh_is_registered_and_rebuilds(world):
    from dangjian.core.models import OrgRollup
    from dangjian.jobs.api import PERIODIC
    from dangjian.members import tasks  # noqa: F401

    assert "members.refresh_rollups" in PERIODIC
    OrgRollup.objects.filter(org=world.county).update(counts={"total": 999})
    tasks.refresh_rollups_nightly.call_local()
    assert OrgRollup.objects.get(org=world.county).counts["total"] == 11


def test_an_id_number_recorded_in_another_town_is_not_named_and_is_routed_on_upload(world, login):
    """东镇's admin uploads a row with the ID number of a member of 南村 (南镇, not visible to
    them): the line does not say "already on record" nor where; one audit row and a message to
    C县委's org admin (SECURITY.md "mask reconstruction": the import is not a bulk oracle)."""
    from dangjian.notify.models import InboxMessage

    other = world.m_b3[0]
    r = row("东村党支部", "外镇重号", birth=other.birth_date, sex=other.gender)
    r["身份证号"] = other.id_number
    mine = row("东村党支部", "本镇重号", birth=world.m_member.birth_date, sex="F")
    mine["身份证号"] = world.m_member.id_number
    resp = upload(login(world.users["town_admin"]), workbook([r, mine]))
    assert resp.status_code == 200
    report = resp.context["report"]
    assert "already on record" not in " ".join(report.errors[3]) and "organization department" in " ".join(report.errors[3])
    assert "already on record" in " ".join(report.errors[4])  # a record the admin can see is named as such
    body = resp.content.decode()
    assert world.b3.name not in body and other.name not in body
    [ev] = AuditEvent.objects.filter(action="member.duplicate_routed")
    assert ev.actor == world.users["town_admin"] and ev.data["existing_org"] == world.b3.pk and ev.data["via"] == "import"
    [msg] = InboxMessage.objects.filter(kind="members.duplicate_routed")
    assert msg.user == world.users["county_admin"]
