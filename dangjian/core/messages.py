"""Message templates per kind, in Chinese with English fallback (issue 3 "Notifications").

Each app declares its kinds in one table, ``<app>/messages.py`` ``KINDS = {"meeting.reminder":
{"title": {"zh-hans": "会议提醒：{meeting}", "en": "Meeting: {meeting}"}, "body": {...}, "link":
"/orglife/meetings/{meeting_id}/"}}``, which its ``AppConfig.ready`` registers with
:func:`register_kinds`. Placeholders are plain ``{name}`` fields: attribute and index access
(``{user.password}``, ``{a[0]}``) and conversions are refused at registration, so a template
can never reach into the objects it is given. Every language of a kind must use the same
placeholders, and rendering with a missing key raises :class:`TemplateError` naming the kind
and the keys, before anything is written.

The registry and the sending seam live in the kernel so that every app, the members app below
notify included, declares and sends messages without importing the notify app (issue 9: the
lower layer owns the registry). :func:`send` hands over to the sender the notify app registers
from its ``ready()`` (``dangjian.notify.services.notify``: inbox rows, SMS and e-mail outbox).
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

DEFAULT_LANGUAGE = "zh-hans"
FALLBACK_LANGUAGE = "en"


class TemplateError(ValueError):
    """A message kind is badly declared, unknown, or rendered without its placeholders."""


@dataclass(frozen=True)
class Kind:
    kind: str
    title: dict[str, str]
    body: dict[str, str]
    link: str = ""
    placeholders: tuple[str, ...] = field(default=())

    def languages(self) -> list[str]:
        return sorted(self.title)


KINDS: dict[str, Kind] = {}


def placeholders_of(kind: str, text: str) -> list[str]:
    """The ``{name}`` fields of one template string, in order of first appearance."""
    out: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateError(f"message kind {kind!r}: malformed template {text!r}: {exc}") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier():
            raise TemplateError(f"message kind {kind!r}: placeholder {{{name}}} must be a plain name like {{meeting}}")
        if spec or conversion:
            raise TemplateError(f"message kind {kind!r}: placeholder {{{name}}} may not carry a format spec or conversion")
        if name not in out:
            out.append(name)
    return out


def register_kind(kind: str, *, title: dict[str, str], body: dict[str, str], link: str = "") -> Kind:
    if not kind or len(kind) > 64 or kind == "*":
        raise TemplateError(f"message kind {kind!r}: a kind is a short name such as 'meeting.reminder'")
    if set(title) != set(body):
        raise TemplateError(f"message kind {kind!r}: title and body must cover the same languages ({sorted(title)} vs {sorted(body)})")
    if DEFAULT_LANGUAGE not in title and FALLBACK_LANGUAGE not in title:
        raise TemplateError(f"message kind {kind!r}: needs a {DEFAULT_LANGUAGE!r} or {FALLBACK_LANGUAGE!r} template")
    names: set[str] | None = None
    order: list[str] = []
    for lang in sorted(title):
        used = placeholders_of(kind, title[lang]) + placeholders_of(kind, body[lang])
        if names is not None and set(used) != names:
            raise TemplateError(
                f"message kind {kind!r}: language {lang!r} uses placeholders {sorted(set(used))}, "
                f"the other languages use {sorted(names)}"
            )
        names = set(used)
        for n in used:
            if n not in order:
                order.append(n)
    link_names = placeholders_of(kind, link)
    if link and not link.startswith("/") or link.startswith("//"):
        raise TemplateError(f"message kind {kind!r}: link must be a path on this site, like '/orgs/{{org_id}}/'")
    for n in link_names:
        if n not in order:
            order.append(n)
    # the zh-hans body's order first (SMS providers take template parameters in order)
    zh_order = placeholders_of(kind, body.get(DEFAULT_LANGUAGE, "")) + placeholders_of(kind, title.get(DEFAULT_LANGUAGE, ""))
    ordered = [n for n in dict.fromkeys(zh_order + order)]
    new = Kind(kind, dict(title), dict(body), link, tuple(ordered))
    old = KINDS.get(kind)
    if old is not None and old != new:
        raise TemplateError(f"message kind {kind!r} is already registered with different templates")
    KINDS[kind] = new
    return new


def register_kinds(table: dict[str, dict]) -> None:
    """Register an app's message kinds: its ``messages.KINDS`` table, ``{kind: {"title": {...},
    "body": {...}, "link": "..."}}``, from its ``AppConfig.ready`` — the one way kinds are declared."""
    for kind, spec in table.items():
        unknown = set(spec) - {"title", "body", "link"}
        if unknown:
            raise TemplateError(f"message kind {kind!r}: unknown keys {sorted(unknown)}")
        register_kind(kind, title=spec["title"], body=spec["body"], link=spec.get("link", ""))


def get_kind(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise TemplateError(f"unknown message kind {kind!r}: declare it in its app's messages.KINDS") from None


def check_context(kind: str, context: dict) -> Kind:
    k = get_kind(kind)
    missing = [n for n in k.placeholders if n not in context]
    if missing:
        raise TemplateError(f"message kind {kind!r} needs context keys {list(k.placeholders)}; missing {missing}")
    return k


def pick_language(k: Kind, language: str | None) -> str:
    for lang in (language, DEFAULT_LANGUAGE, FALLBACK_LANGUAGE):
        if lang and lang in k.title:
            return lang
    return k.languages()[0]


@dataclass(frozen=True)
class Rendered:
    language: str
    title: str
    body: str
    link: str
    params: dict[str, str]


def render(kind: str, context: dict, language: str | None = None) -> Rendered:
    """The kind's title, body and link in ``language`` (else zh-hans, else English)."""
    k = check_context(kind, context)
    params = {n: str(context[n]) for n in k.placeholders}
    lang = pick_language(k, language)
    link = k.link.format_map(params)[:500] if k.link else ""
    if not safe_link(link):
        link = ""
    return Rendered(
        language=lang,
        title=k.title[lang].format_map(params)[:200],
        body=k.body[lang].format_map(params),
        link=link,
        params=params,
    )


def safe_link(link: str) -> bool:
    """Only a path on this site: ``/x/``; never ``//host`` or ``/\\host`` (open redirects)."""
    return link.startswith("/") and not link.startswith(("//", "/\\")) and not any(c in link for c in "\r\n")


# -- recipients and the sending seam ---------------------------------------------------------

@dataclass(frozen=True)
class RoleIn:
    """Recipients: the users holding an active ``role`` at exactly ``org`` ("the secretary of X")."""

    org: object
    role: str


@dataclass(frozen=True)
class Subtree:
    """Recipients: users with an active role at or below ``org`` (``roles`` None: any role)."""

    org: object
    roles: tuple[str, ...] | None = None


_sender = None


def register_sender(sender) -> None:
    """Called once, by the notify app's ``ready()``."""
    global _sender  # noqa: PLW0603  (the one registration point of this seam)
    _sender = sender


def send(*, recipients, kind: str, context: dict, channels: tuple[str, ...] = ("inbox",), org=None, actor=None) -> int:
    """Send one registered kind to the recipients on the channels (``"inbox"``, ``"sms"``,
    ``"email"``), in the caller's transaction, after the caller's own permission check; returns
    the number of inbox rows. A context missing a placeholder raises :class:`TemplateError`
    before any write."""
    if _sender is None:
        raise ImproperlyConfigured("No message sender registered: is dangjian.notify in INSTALLED_APPS?")
    return _sender(recipients=recipients, kind=kind, context=context, channels=channels, org=org, actor=actor)
