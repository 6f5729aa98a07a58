"""The inbox services act on the actor's own rows only (their ``authorized_by``): another user's
message is not found and stays unread, and marking all read touches only one's own."""
from __future__ import annotations

import pytest

from dangjian.notify import services
from dangjian.notify.models import InboxMessage, NotificationPreference


def _message(user):
    return InboxMessage.objects.create(user=user, kind="notice", title="通知")


def test_another_users_message_is_not_found_and_stays_unread(world):
    msg = _message(world.users["member"])
    with pytest.raises(InboxMessage.DoesNotExist):
        services.mark_read(actor=world.users["secretary"], message_id=msg.pk)
    assert InboxMessage.objects.get(pk=msg.pk).read_at is None
    assert services.mark_read(actor=world.users["member"], message_id=msg.pk).read_at is not None


def test_mark_all_read_touches_only_my_messages(world):
    mine, theirs = _message(world.users["secretary"]), _message(world.users["member"])
    assert services.mark_all_read(actor=world.users["secretary"]) == 1
    assert InboxMessage.objects.get(pk=mine.pk).read_at is not None
    assert InboxMessage.objects.get(pk=theirs.pk).read_at is None


def test_preferences_are_the_actors_own(world):
    row = services.save_preferences(actor=world.users["member"], sms=False)
    assert row.user_id == world.users["member"].pk
    assert not NotificationPreference.objects.filter(user=world.users["secretary"]).exists()
