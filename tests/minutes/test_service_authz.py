"""The minutes services assert their actor (decisions.md 38): the secretary of the sibling branch
B2 is refused with ``not_permitted`` and nothing is written, the secretary of B1 succeeds."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import policy
from dangjian.core.models import AuditEvent
from dangjian.minutes import services
from dangjian.minutes.models import Attachment, MeetingRecord, Vote
from tests.authz import assert_refused

from .conftest import complete, make_meeting
from .matrix import png_bytes

VOTE = {"motion": "接收张三为预备党员", "kind": "ordinary", "voters_total": 3, "voters_present": 2,
        "yes": 2, "no": 0, "abstain": 0}


def _vote(world, gm):
    return services.add_vote(actor=world.users["secretary"], record=gm.record, data=VOTE)


def _attachment(world, gm):
    return services.add_attachment(actor=world.users["secretary"], record=gm.record,
                                   upload=SimpleUploadedFile("a.png", png_bytes()), kind="photo")


def _signed(world, gm):
    record = complete(gm.record, world)
    services.sign(actor=world.users["secretary"], record=record)
    return services.sign(actor=world.users["committee"], record=record)


def _prepare_start(world, gm):
    meeting = make_meeting(world, title="另一次支部党员大会")
    return lambda actor: services.start_record(actor=actor, meeting=meeting)


def _prepare_update(world, gm):
    return lambda actor: services.update_record(actor=actor, record=gm.record, data={"place": "村委会"})


def _prepare_add_vote(world, gm):
    return lambda actor: services.add_vote(actor=actor, record=gm.record, data=VOTE)


def _prepare_delete_vote(world, gm):
    vote = _vote(world, gm)
    return lambda actor: services.delete_vote(actor=actor, vote=vote)


def _prepare_add_attachment(world, gm):
    return lambda actor: services.add_attachment(actor=actor, record=gm.record, kind="photo",
                                                 upload=SimpleUploadedFile("a.png", png_bytes()))


def _prepare_delete_attachment(world, gm):
    att = _attachment(world, gm)
    return lambda actor: services.delete_attachment(actor=actor, attachment=att)


def _prepare_sign(world, gm):
    record = complete(gm.record, world)
    return lambda actor: services.sign(actor=actor, record=record)


def _prepare_correct(world, gm):
    record = _signed(world, gm)
    return lambda actor: services.correct(actor=actor, record=record, reason="更正决议")


def _prepare_verify(world, gm):
    return lambda actor: services.verify_chain(world.b1, actor=actor)


CASES = {
    "start_record": _prepare_start,
    "update_record": _prepare_update,
    "add_vote": _prepare_add_vote,
    "delete_vote": _prepare_delete_vote,
    "add_attachment": _prepare_add_attachment,
    "delete_attachment": _prepare_delete_attachment,
    "sign": _prepare_sign,
    "correct": _prepare_correct,
    "verify_chain": _prepare_verify,
}


def _state():
    return (MeetingRecord.objects.count(), Vote.objects.count(), Attachment.objects.count(),
            AuditEvent.objects.count(),
            sorted(MeetingRecord.objects.values_list("pk", "place", "host_signed_at", "status")))


@pytest.mark.parametrize("name", CASES)
def test_sibling_branch_is_refused_and_nothing_is_written(world, gm, name):
    call = CASES[name](world, gm)
    assert_refused(call, world.users["secretary2"], _state)


@pytest.mark.parametrize("name", CASES)
def test_the_branch_secretary_may(world, gm, name):
    call = CASES[name](world, gm)
    audits = AuditEvent.objects.count()
    call(world.users["secretary"])
    assert AuditEvent.objects.count() > audits


def test_a_town_admin_of_another_town_may_not_verify_the_chain(world):
    with pytest.raises(policy.NotPermitted):
        services.verify_chain(world.b1, actor=world.users["town2_admin"])
    assert services.verify_chain(world.b1, actor=world.users["town_admin"]).ok
