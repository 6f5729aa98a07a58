"""Which row of the policy table every /api/v1/ operation needs — the table the authz matrix reads.

SECURITY.md "One policy, default deny": the REST API does not decide anything of its own. Each
operation names one ``(resource, action)`` row of :data:`dangjian.core.policy.POLICY`; the base
view (:class:`dangjian.api.base.ScopedAPIView`) reads this module and enforces exactly that row,
and refuses a response for an operation whose checks it did not run.

``API_POLICY[url_name][METHOD]`` (HEAD follows GET; a method not listed answers 405) is one of

* ``(resource, action)`` — a POLICY row. How it is applied depends on the route:

  - object route (``<pk>`` in the URL: ``api-organization-detail``, ``api-member-move`` …): the
    object is looked up among those the caller may ``view`` (same resource); missing or not
    viewable → **404** (existence is not disclosed); viewable but ``action`` not allowed → **403**;
  - collection ``GET`` (``api-organization-list``, ``api-member-list``): the rows are
    ``scope.filter(qs, action)``; a caller with no reach at all for the row → **403**;
  - collection ``POST``: the caller needs some reach for the row (else **403**), and the row is
    checked on the organization named by the request (see ``API_TARGETS``).

* :data:`PUBLIC` — no authentication (obtaining a token).
* :data:`AUTHENTICATED` — any signed-in user, no POLICY row (the schema; revoking one's own token).
* :data:`DEVICE` — no user: the caller is a registered device (a sign-in terminal) and the view
  authenticates it itself with the device's key; it never exposes anything beyond its device's
  organization. Tested by the owning app, not by the user matrix.

Domain apps add their routes with :func:`extend` from ``AppConfig.ready()`` and list their URL
patterns in ``<app>/api_urls.py`` (flattened into /api/v1/ by :mod:`dangjian.api.urls`).

An unauthenticated request to anything but PUBLIC answers **401** with no data.

``API_TARGETS[url_name][METHOD]`` lists organizations named *in the request* (query string for
GET, body otherwise) as ``(field, resource, action)``. Each is looked up among the organizations
the caller may ``("organization", "view")``: missing or not viewable → **404**; viewable but
``path_allows(resource, action, org.path)`` false → **403**. An absent optional field is skipped;
a required one answers 400 before the lookup.

Examples the matrix derives from the table: a town admin may ``POST /organizations/<branch>/move/``
to another branch of the same town only if ``move`` (DESCENDANTS) reaches the branch and
``add_child`` (SUBTREE) reaches the new parent; a secretary may ``GET`` but not ``PATCH`` a
member of her branch (``member/change`` reaches it, so 200 — the committee member gets 403).

This module imports nothing from Django so that it can be read before the app registry is ready.
"""
from __future__ import annotations

PUBLIC = "public"
AUTHENTICATED = "authenticated"
DEVICE = "device"

Rule = tuple[str, str] | str
Target = tuple[str, str, str]

API_POLICY: dict[str, dict[str, Rule]] = {
    # -- authentication and schema ------------------------------------------------------------
    "api-auth-token": {"POST": PUBLIC, "DELETE": AUTHENTICATED},
    "api-auth-token-list": {"GET": AUTHENTICATED},
    "api-auth-token-detail": {"DELETE": AUTHENTICATED},  # the view answers 404 unless the token is yours or you manage it
    "api-security-token-list": {"GET": ("api_token", "manage")},
    "api-schema": {"GET": AUTHENTICATED},
    # -- organizations ------------------------------------------------------------------------
    "api-organization-list": {"GET": ("organization", "view"), "POST": ("organization", "add_child")},
    "api-organization-detail": {"GET": ("organization", "view"), "PATCH": ("organization", "change")},
    "api-organization-children": {"GET": ("organization", "view")},
    "api-organization-subtree": {"GET": ("organization", "view")},
    "api-organization-move": {"POST": ("organization", "move")},
    "api-organization-merge": {"POST": ("organization", "merge")},
    "api-organization-dissolve": {"POST": ("organization", "dissolve")},
    # -- members ------------------------------------------------------------------------------
    "api-member-list": {"GET": ("member", "view"), "POST": ("member", "add")},
    "api-member-detail": {"GET": ("member", "view"), "PATCH": ("member", "change")},
    "api-member-move": {"POST": ("member", "move")},
    "api-member-reveal": {"POST": ("member", "reveal")},
    # -- org life -----------------------------------------------------------------------------
    "api-orglife-device-signin": {"POST": DEVICE},
}

API_TARGETS: dict[str, dict[str, tuple[Target, ...]]] = {
    "api-organization-list": {"POST": (("parent", "organization", "add_child"),)},
    "api-organization-move": {"POST": (("parent", "organization", "add_child"),)},
    "api-organization-merge": {"POST": (("into", "organization", "add_child"),)},
    "api-member-list": {"GET": (("org", "organization", "view"),), "POST": (("org", "member", "add"),)},
    "api-member-move": {"POST": (("org", "member", "add"),)},
}

# Parts of a representation shown only to callers holding a POLICY row on the object itself
# (not an access rule: the request succeeds either way, the part is just left out). Keyed by
# representation (the serializer's subject), then by response field.
API_FIELD_POLICY: dict[str, dict[str, tuple[str, str]]] = {
    "organization": {"findings": ("organization", "view_stats"), "counts": ("organization", "view_stats")},
}


def extend(policy: dict[str, dict[str, Rule]], targets: dict[str, dict[str, tuple[Target, ...]]] | None = None,
           field_policy: dict[str, dict[str, tuple[str, str]]] | None = None) -> None:
    """Add an app's API routes (called from ``AppConfig.ready``); a route is declared once."""
    for name in policy:
        if name in API_POLICY:
            raise ValueError(f"API route {name!r} is already declared")
    API_POLICY.update(policy)
    API_TARGETS.update(targets or {})
    API_FIELD_POLICY.update(field_policy or {})
