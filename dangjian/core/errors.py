"""One error model (issue 9 item 4).

A service refuses with a Django ``ValidationError`` that carries a **stable code** (snake_case,
never translated), a translated **message**, and optionally the **field** it is about::

    raise refusal("not_open", _("Sign-in is not open for this meeting."))
    raise refusal("too_early", _("Record the extension when the probation ends."), field="decided_on")

It is mapped once per surface: :func:`dangjian.core.forms.apply_service_errors` puts it on the
form with its code (``form.errors.as_data()``), :func:`dangjian.core.web.form_view` also answers
the codes in the ``X-Refusal-Code`` header (HTMX fragments and tests read it), and the REST layer
answers ``{"<field>": [...], "codes": {"<field>": ["<code>"]}}``
(:func:`dangjian.api.base.api_exception_handler`). A view never re-derives why a service
refused: it reads :func:`codes`. ``tests/test_error_codes.py`` fails on a refusal raised
without a code.
"""
from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

REFUSAL_HEADER = "X-Refusal-Code"


def refusal(code: str, message, *, field: str | None = None, params: dict | None = None) -> ValidationError:
    """The error a service raises to refuse (``field`` None: about the whole request)."""
    err = ValidationError(message, code=code, params=params)
    return ValidationError({field: [err]}) if field else err


def _flat(exc: ValidationError) -> list[tuple[str | None, ValidationError]]:
    if hasattr(exc, "error_dict"):
        return [(None if f == NON_FIELD_ERRORS else f, e) for f, errs in exc.error_dict.items() for e in errs]
    return [(None, e) for e in exc.error_list]


def codes(exc: ValidationError) -> list[str]:
    """Every code ``exc`` carries, in order (``"invalid"`` for an uncoded message)."""
    return [e.code or "invalid" for _f, e in _flat(exc)]


def first_code(exc: ValidationError) -> str:
    found = codes(exc)
    return found[0] if found else "invalid"


def describe(exc: ValidationError) -> list[dict]:
    """``[{"field", "code", "message"}]`` — the one plain shape of a refusal."""
    out = []
    for field, e in _flat(exc):
        msg = e.message % e.params if e.params else e.message
        out.append({"field": field, "code": e.code or "invalid", "message": str(msg)})
    return out


def collected(errors) -> ValidationError:
    """The one error for refusals gathered one by one: a dict ``{"field": [ValidationError, ...]}``,
    or a list of errors — field refusals (``refusal(..., field=...)``) are merged by field, in
    order. Every gathered error must carry its code: an uncoded entry is a programming error
    (``TypeError``), so the static check of ``tests/test_error_codes.py`` can trust a
    ``raise collected(errors)`` it cannot read into. Raise it only when something was gathered."""
    items = [e for errs in errors.values() for e in (errs if isinstance(errs, list | tuple) else [errs])] \
        if isinstance(errors, dict) else list(errors)
    for e in items:
        flat = _flat(e) if isinstance(e, ValidationError) else [(None, None)]
        if any(inner is None or not inner.code for _f, inner in flat):
            raise TypeError(f"collected(): an error without a code: {e!r}")
    if not isinstance(errors, dict) and any(hasattr(e, "error_dict") for e in items):
        merged: dict = {}
        for e in items:
            e.update_error_dict(merged)
        return ValidationError(merged)
    return ValidationError(errors)
