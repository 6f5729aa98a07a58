"""Browser: a town admin imports a roster workbook with two bad rows, sees both errors with their
line numbers, fixes the file, uploads it again, previews, confirms, and finds the new members."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tests.factories import make_id_number

pytestmark = pytest.mark.e2e

HEADERS = ["序号", "姓名", "性别", "民族", "出生日期", "身份证号", "学历", "入党时间", "转正时间", "人员类别",
           "党员状态", "工作单位", "党内职务", "手机号码", "现居住地", "所在党组织"]


def _row(i: int, name: str, org: str, **over) -> list:
    birth = dt.date(1985, 3, 1 + i)
    data = {"序号": i, "姓名": name, "性别": "男", "民族": "汉族", "出生日期": birth.isoformat(),
            "身份证号": make_id_number(birth, "M"), "学历": "大学本科", "入党时间": "2010-07-01", "转正时间": "2011-07-01",
            "人员类别": "在职", "党员状态": "正式", "工作单位": "东镇政府", "党内职务": "", "手机号码": f"1370000000{i}",
            "现居住地": "东镇东村1号", "所在党组织": org}
    data.update(over)
    return [data[h] for h in HEADERS]


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["东镇党委 党员花名册"])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(page, data: bytes):
    page.set_input_files("input[type=file][name=file]", files=[{
        "name": "花名册.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": data}])
    page.click("[data-testid=roster-upload]")
    page.wait_for_selector("[data-testid=roster-report]")


def test_import_with_two_bad_rows_fix_and_confirm(live_server, page, live_world, login_as):
    from dangjian.members.models import Member

    login_as(live_world.users["town_admin"], page)
    page.goto(f"/members/?org={live_world.t1.pk}")
    page.click("[data-testid=roster-import]")
    page.wait_for_selector("[data-testid=roster-upload-form]")

    good = [_row(1, "导入一", "东村党支部"), _row(2, "导入二", "西村党支部")]
    bad_date = _row(3, "导入三", "东村党支部", 入党时间="2010-13-01")
    bad_id = _row(4, "导入四", "西村党支部")
    bad_id[5] = bad_id[5][:17] + ("0" if bad_id[5][17] != "0" else "1")
    _upload(page, _xlsx([good[0], bad_date, good[1], bad_id]))  # lines 3, 4, 5, 6

    errors = page.locator("[data-testid=roster-errors] tbody tr")
    assert errors.count() == 2
    line4 = page.inner_text("[data-testid=roster-error-line-4]")
    line6 = page.inner_text("[data-testid=roster-error-line-6]")
    assert "4" in line4 and "入党时间" in line4 and "2010-13-01" in line4
    assert "6" in line6 and "身份证号" in line6
    assert page.locator("[data-testid=roster-confirm]").count() == 0
    assert page.locator("[data-testid=roster-error-sheet]").count() == 1
    assert not Member.objects.filter(name__startswith="导入").exists()

    # fix both rows in the file and upload it again
    bad_date[7] = "2010年7月1日"
    bad_id[5] = make_id_number(dt.date(1985, 3, 5), "M")
    _upload(page, _xlsx([good[0], bad_date, good[1], bad_id]))
    assert page.locator("[data-testid=roster-errors]").count() == 0
    assert "4" in page.inner_text("[data-testid=roster-counts]")
    preview = page.inner_text("[data-testid=roster-preview]")
    assert "导入一" in preview and "导入四" in preview
    assert bad_id[5] not in page.content()  # the preview masks ID numbers
    assert not Member.objects.filter(name__startswith="导入").exists()  # a preview writes nothing

    page.click("[data-testid=roster-confirm]")
    page.wait_for_selector("[data-testid=roster]")
    for name in ("导入一", "导入二", "导入三", "导入四"):
        assert page.locator(f"[data-testid=roster] >> text={name}").count() == 1
    assert Member.objects.filter(name__startswith="导入").count() == 4
    assert page.js_errors == []
