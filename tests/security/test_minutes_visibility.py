"""Issue 10 item 7: plain members read only the minutes the branch publishes to them.

Health reasons ("因病请假") are sensitive personal information (PIPL art. 28). A plain member reads
the current signed record of a meeting they were invited to — without the other absentees'
reasons (their own stays) — never a draft (unless they host or record it: they sign it), never a
支委会 record unless they hold a committee position, and attachments only of records they may read.
The organization's staff (org admin, secretary, committee) keep reading everything in their
subtree. Family: authz matrix (../shared/SECURITY.md) — role × own / child / sibling / parent ×
kind of record, over the record page, its attachment, the meeting's minutes link and the list.
"""
from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.core.test_authz_matrix import ORG_RELATIONS, PERSONAS
from tests.factories import member_data
from tests.minutes.conftest import complete, gm, make_meeting  # noqa: F401  (gm is a fixture)
from tests.minutes.matrix import png_bytes

STAFF_ROLES = {"org_admin", "secretary", "committee"}
KINDS = ("published", "draft", "not_invited", "committee_record", "superseded", "signer_draft")
# the personas whose role reaches meetings at all, and the ones that reach nothing
PERSONA_NAMES = ["county_admin", "town_admin", "secretary", "committee", "member", "audit_admin", "outsider"]


def expected(persona: str, rel: str, kind: str) -> int:
    """The rule, written out independently of the code: staff read every kind in their subtree
    (own + child); a plain member reads, in their own branch only, the current signed record of
    a meeting they were invited to and the draft they record; everyone else: 404."""
    role = PERSONAS[persona][0]
    if role in STAFF_ROLES:
        return 200 if rel in ("own", "child") else 404
    if role == "member":
        return 200 if rel == "own" and kind in ("published", "signer_draft") else 404
    return 404


def _record(world, org, kind):
    """A record of ``kind`` in ``org``; the plain member 赵党员 (user ``member``) is invited
    to every kind's meeting except ``not_invited``."""
    from dangjian.minutes.models import Attachment, MeetingRecord
    from dangjian.orglife.models import Attendance

    code = "committee_meeting" if kind == "committee_record" else "general_meeting"
    meeting = make_meeting(world, org=org, code=code, attendance=False, title=f"{org.name}{kind}")
    if kind != "not_invited":
        Attendance.objects.create(meeting=meeting, member=world.m_member, org_path=org.path, status="present")
    recorder = world.m_member if kind == "signer_draft" else world.m_committee
    rec = MeetingRecord.objects.create(
        meeting=meeting, org=org, org_path=org.path, meeting_name=meeting.title, type_name=meeting.type.name,
        starts_at=meeting.starts_at, ends_at=meeting.ends_at, place=meeting.place, host=world.m_secretary,
        recorder=recorder, host_name=world.m_secretary.name, recorder_name=recorder.name,
    )
    att = Attachment(record=rec, org_path=org.path, kind="photo", original_name="p.png", content_type="image/png",
                     size=3, sha256="0" * 64)
    att.file.save("p.png", ContentFile(png_bytes()), save=False)
    att.save()
    if kind not in ("draft", "signer_draft"):
        fields = {"status": "signed", "signed_at": timezone.now()}
        if kind == "superseded":
            fields["superseded_at"] = timezone.now()
        MeetingRecord.objects.filter(pk=rec.pk).update(**fields)
    return rec, att


def _target_org(world, persona, rel):
    anchor = PERSONAS[persona][1] or "b1"
    return getattr(world, ORG_RELATIONS[rel][anchor])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rel", list(ORG_RELATIONS))
@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_minutes_matrix(world, login, persona, rel, kind):
    rec, att = _record(world, _target_org(world, persona, rel), kind)
    c = login(world.users[persona])
    want = expected(persona, rel, kind)
    r = c.get(reverse("minutes-record", kwargs={"pk": rec.pk}))
    assert r.status_code == want, f"{persona} record [{rel}/{kind}] -> {r.status_code}, expected {want}"
    r = c.get(reverse("minutes-attachment", kwargs={"pk": att.pk}))
    assert r.status_code == want, f"{persona} attachment [{rel}/{kind}] -> {r.status_code}, expected {want}"
    listed = reverse("minutes-record", kwargs={"pk": rec.pk}).encode() in c.get(reverse("minutes-list")).content
    assert listed == (want == 200), f"{persona} list [{rel}/{kind}] lists it: {listed}"
    # the meeting's minutes link leads to the record only where the record may be read
    r = c.get(reverse("minutes-meeting", kwargs={"pk": rec.meeting_id}))
    if want == 200:
        assert r.status_code == 302 and r["Location"] == reverse("minutes-record", kwargs={"pk": rec.pk})
    else:
        assert r.status_code in {200, 404} and r.get("Location") is None


def _signed_gm(world, gm):  # noqa: F811
    """The conftest's 支部党员大会, with 钱预备 absent 因病请假, signed by host and recorder."""
    from dangjian.minutes import services

    rec = gm.record
    reasons = {a["member"]: "因病请假" for a in rec.absentees if a["member"] == world.m_probationary.pk}
    rec = services.update_record(actor=world.users["secretary"], record=rec, data={"decisions": "同意。", "agenda": "学习"},
                                 absentee_reasons=reasons)
    rec = services.sign(actor=world.users["secretary"], record=rec)
    return services.sign(actor=world.users["committee"], record=rec)


def test_member_sees_own_leave_reason_but_not_others(world, gm, login):  # noqa: F811
    rec = _signed_gm(world, gm)
    assert rec.status == "signed"
    url = reverse("minutes-record", kwargs={"pk": rec.pk})
    page = login(world.users["member"]).get(url).content.decode()
    assert "外出务工" in page  # 赵党员's own reason
    assert "因病请假" not in page and "钱预备" in page  # the other absentee is named, the reason is not
    assert "因病请假" in login(world.users["committee"], Client()).get(url).content.decode()


def test_member_does_not_see_the_draft_of_a_correction_or_older_versions(world, gm, login):  # noqa: F811
    from dangjian.minutes import services

    rec = _signed_gm(world, gm)
    draft = services.correct(actor=world.users["secretary"], record=rec, reason="更正决议")
    c = login(world.users["member"])
    assert c.get(reverse("minutes-record", kwargs={"pk": draft.pk})).status_code == 404
    page = c.get(reverse("minutes-record", kwargs={"pk": rec.pk}))
    assert page.status_code == 200
    assert [v.pk for v in page.context["versions"]] == [rec.pk]
    assert c.get(reverse("minutes-meeting", kwargs={"pk": rec.meeting_id}))["Location"] == reverse("minutes-record", kwargs={"pk": rec.pk})


def test_committee_position_member_reads_committee_records(world, login):
    """A plain-member account whose member record holds a committee position (宣传委员) reads the
    signed 支委会 record it was invited to; 赵党员, invited as well, does not."""
    from django.contrib.auth import get_user_model

    from dangjian.core import services as org_services
    from dangjian.members import services as member_services
    from dangjian.orglife.models import Attendance

    m = member_services.create_member(actor=None, org=world.b1, data=member_data(name="周宣传", position="propaganda"))
    u = get_user_model().objects.create_user(username="propaganda", password="x" * 20)
    org_services.grant_role(actor=None, user=u, org=world.b1, role="member")
    m.user = u
    m.save(update_fields=["user"])
    rec, att = _record(world, world.b1, "committee_record")
    Attendance.objects.create(meeting=rec.meeting, member=m, org_path=world.b1.path, status="present")
    assert login(u).get(reverse("minutes-record", kwargs={"pk": rec.pk})).status_code == 200
    assert login(u).get(reverse("minutes-attachment", kwargs={"pk": att.pk})).status_code == 200
    assert login(world.users["member"]).get(reverse("minutes-record", kwargs={"pk": rec.pk})).status_code == 404


def test_print_and_pdf_stay_staff_only(world, login):
    rec, _att = _record(world, world.b1, "published")
    c = login(world.users["member"])
    assert c.get(reverse("minutes-print", kwargs={"pk": rec.pk})).status_code == 403
    assert c.get(reverse("minutes-pdf", kwargs={"pk": rec.pk})).status_code == 403
    assert login(world.users["committee"]).get(reverse("minutes-print", kwargs={"pk": rec.pk})).status_code == 200
