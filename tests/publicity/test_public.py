"""Public pages: nothing unpublished of any village, 404 on guessed ids, rate limit, cache."""
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from dangjian.publicity import services
from dangjian.publicity.models import Notice

pytestmark = pytest.mark.django_db


def make(world, org, title, *, publish=False, actor="secretary", board="party", **kw):
    user = world.users[actor] if actor else None
    return services.create_notice(org=org, board=board, title=title, body=kw.pop("body", title + "的正文"), actor=user, publish=publish, **kw)


def all_public_html(client, world):
    pages = [reverse("publicity-public-index"), reverse("publicity-public-honours")]
    for org in (world.city, world.county, world.t1, world.t2, world.b1, world.b2, world.b3):
        for board in ("party", "village", "finance", "development", "dues", "supervision"):
            pages.append(reverse("publicity-public-board-tab", args=[org.pk, board]))
    return "".join(client.get(p).content.decode() for p in pages)


def test_no_draft_pending_or_withdrawn_content_of_any_village_appears(world, client):
    make(world, world.b1, "东村已发布公告", publish=True)
    make(world, world.b1, "东村草稿秘密")
    services.submit_notice(actor=world.users["secretary2"], notice=make(world, world.b2, "西村待审批秘密", actor="secretary2"))
    w = make(world, world.b3, "南村撤回秘密", publish=True, actor="town2_admin")
    services.withdraw_notice(actor=world.users["town2_admin"], notice=w, reason="撤回")
    rev = make(world, world.b2, "西村已发布", publish=True, actor="secretary2")
    services.edit_notice(actor=world.users["secretary2"], notice=rev, title="西村修订未审批秘密", body="x")
    html = all_public_html(client, world)
    assert "东村已发布公告" in html and "西村已发布" in html
    for secret in ("东村草稿秘密", "西村待审批秘密", "南村撤回秘密", "西村修订未审批秘密"):
        assert secret not in html


def test_guessed_ids_of_unpublished_notices_are_404(world, client):
    d = make(world, world.b2, "西村草稿", actor="secretary2")
    p = services.submit_notice(actor=world.users["secretary2"], notice=make(world, world.b2, "西村待审", actor="secretary2"))
    w = make(world, world.b2, "西村撤回", publish=True, actor="secretary2")
    services.withdraw_notice(actor=world.users["secretary2"], notice=w, reason="撤回")
    for n in (d, p, w):
        assert client.get(reverse("publicity-public-notice", args=[n.pk])).status_code == 404
        assert client.get(reverse("publicity-public-version", args=[n.pk, 1])).status_code == 404
    assert client.get(reverse("publicity-public-notice", args=[999999])).status_code == 404
    assert client.get(reverse("publicity-public-board", args=[999999])).status_code == 404
    assert client.get(reverse("publicity-public-board-tab", args=[world.b1.pk, "nonsense"])).status_code == 404


def test_index_lists_villages_and_searches(world, client):
    html = client.get(reverse("publicity-public-index")).content.decode()
    for name in ("东村党支部", "西村党支部", "南村党支部", "北村党支部"):
        assert name in html
    assert "C县委" not in html
    html = client.get(reverse("publicity-public-index"), {"q": "南村"}).content.decode()
    assert "南村党支部" in html and "东村党支部" not in html
    html = client.get(reverse("publicity-public-index"), {"q": "东镇"}).content.decode()  # by town name
    assert "东村党支部" in html and "西村党支部" in html and "南村党支部" not in html
    r = client.get(reverse("publicity-public-index"), {"q": "不存在的村"})
    assert 'data-testid="pub-empty"' in r.content.decode()


def test_board_is_paginated_with_tabs(world, client):
    for i in range(13):
        make(world, world.b1, f"党务公告{i:02d}", publish=True)
    r = client.get(reverse("publicity-public-board", args=[world.b1.pk]))
    html = r.content.decode()
    assert html.count('data-testid="pub-notice"') == 10 and 'data-testid="pub-tab-finance"' in html
    html2 = client.get(reverse("publicity-public-board", args=[world.b1.pk]), {"page": 2}).content.decode()
    assert html2.count('data-testid="pub-notice"') == 3


def test_town_board_shows_its_villages_notices(world, client):
    make(world, world.b1, "东村公告", publish=True)
    make(world, world.b3, "南村公告", publish=True, actor="town2_admin")
    html = client.get(reverse("publicity-public-board", args=[world.t1.pk])).content.decode()
    assert "东村公告" in html and "南村公告" not in html


def test_cache_is_invalidated_on_publish_and_withdraw(world, client):
    url = reverse("publicity-public-board", args=[world.b1.pk])
    assert 'data-testid="pub-empty"' in client.get(url).content.decode()  # cached empty board
    n = make(world, world.b1, "刚刚发布的公告", publish=True)
    assert "刚刚发布的公告" in client.get(url).content.decode()
    town_url = reverse("publicity-public-board", args=[world.t1.pk])
    assert "刚刚发布的公告" in client.get(town_url).content.decode()
    services.withdraw_notice(actor=world.users["secretary"], notice=n, reason="撤回")
    assert "刚刚发布的公告" not in client.get(url).content.decode()
    assert "刚刚发布的公告" not in client.get(town_url).content.decode()


def test_cache_key_includes_language(world, client):
    make(world, world.b1, "公告", publish=True)
    url = reverse("publicity-public-board", args=[world.b1.pk])
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Published" in en and "Published" not in zh


def test_served_from_cache(world, client, django_assert_max_num_queries):
    make(world, world.b1, "公告", publish=True)
    url = reverse("publicity-public-board", args=[world.b1.pk])
    client.get(url)
    with django_assert_max_num_queries(6):
        client.get(url)


@override_settings(PUBLICITY_PUBLIC_RATE="5/m")
def test_rate_limit_answers_429_with_a_friendly_page(world, client):
    url = reverse("publicity-public-index")
    codes = [client.get(url, REMOTE_ADDR="10.0.0.7").status_code for _ in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    r = client.get(url, REMOTE_ADDR="10.0.0.7")
    assert r.status_code == 429 and 'data-testid="pub-429"' in r.content.decode()
    assert client.get(url, REMOTE_ADDR="10.0.0.8").status_code == 200  # another visitor is not affected


# ---- attachments ----------------------------------------------------------------------------

def jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif.get_ifd(0x8825)[2] = (36.0, 30.0, 0.0)  # GPS latitude
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_image_attachments_lose_their_exif(world):
    data = jpeg_with_exif()
    assert b"SecretCam" in data
    n = make(world, world.b1, "图片公告", attachments=[("现场.jpg", data)])
    att = n.latest.attachments.get()
    stored = att.file.open("rb").read()
    assert b"SecretCam" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


def test_attachments_are_private_until_published(world, client, login):
    n = make(world, world.b1, "附件公告", attachments=[("报表.pdf", b"%PDF-1.4\n%%EOF\n")])
    att = n.latest.attachments.get()
    url = reverse("publicity-public-file", args=[att.pk])
    assert client.get(url).status_code == 404
    services.approve_notice(actor=world.users["secretary"], notice=n)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    # a new attachment in an unapproved revision stays private
    services.edit_notice(actor=world.users["secretary"], notice=n, title="附件公告", body="新", attachments=[("b.pdf", b"%PDF-1.5\n")])
    n.refresh_from_db()
    new_att = n.latest.attachments.get(name="b.pdf")
    assert client.get(reverse("publicity-public-file", args=[new_att.pk])).status_code == 404
    # staff of the branch may open it; staff of a sibling may not
    assert login(world.users["secretary"]).get(reverse("publicity-file", args=[new_att.pk])).status_code == 200
    assert login(world.users["secretary2"]).get(reverse("publicity-file", args=[new_att.pk])).status_code == 404


@pytest.mark.parametrize("name,data", [
    ("evil.html", b"<script>alert(1)</script>"),
    ("fake.pdf", b"MZ\x90\x00 not a pdf"),
    ("fake.jpg", b"\xff\xd8\xff broken jpeg"),
    ("empty.pdf", b""),
])
def test_bad_attachments_are_refused_and_nothing_is_written(world, name, data):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make(world, world.b1, "坏附件", attachments=[("ok.pdf", b"%PDF-1.4\n"), (name, data)])
    assert not Notice.objects.exists()


@override_settings(PUBLICITY_MAX_ATTACHMENT_BYTES=1000)
def test_oversized_attachment_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        make(world, world.b1, "大附件", attachments=[("big.pdf", b"%PDF-1.4\n" + b"0" * 2000)])
    assert [e.code for e in exc.value.error_dict["attachments"]] == ["too_big"] and "big.pdf" in " ".join(exc.value.messages)


def test_xlsx_with_macros_is_refused(world):
    import zipfile

    from django.core.exceptions import ValidationError

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(ValidationError):
        make(world, world.b1, "宏", attachments=[("a.xlsx", buf.getvalue())])
