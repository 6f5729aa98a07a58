"""The service half of the one authorization rule in tests (decisions.md 38): a refused actor
gets ``not_permitted`` and nothing is written; the actor in scope then acts."""
from __future__ import annotations

import pytest

from dangjian.core import policy


def assert_refused(call, actor, state):
    """``call(actor)`` raises NotPermitted (code ``not_permitted``) and ``state()`` is unchanged."""
    before = state()
    with pytest.raises(policy.NotPermitted) as exc:
        call(actor)
    assert exc.value.code == "not_permitted"
    assert state() == before, "a refusal writes nothing"
    return before


def assert_refused_then_allowed(call, refused, allowed, state):
    """:func:`assert_refused` for ``refused`` (one actor, or a list of them), then
    ``call(allowed)`` succeeds and writes."""
    before = state()
    for actor in (refused if isinstance(refused, list) else [refused]):
        assert_refused(call, actor, state)
    result = call(allowed)
    assert state() != before, "the actor in scope acts"
    return result
