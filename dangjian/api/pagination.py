"""Pagination: keyset (cursor) pages only — OFFSET and COUNT(*) of a big subtree do not scale
(DESIGN.md "Scale path"). Members are paged by ``members.selectors.member_page`` in the view."""
from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 200
PAGE_SIZE_LIMIT = 999  # accepted values; more than MAX_PAGE_SIZE are served as MAX_PAGE_SIZE
PAGE_SIZE_RE = re.compile(r"^[0-9]{1,3}$")
INVALID_PAGE_SIZE = _("A whole number between %(lo)s and %(hi)s is required.")


class DefaultPagination(CursorPagination):
    ordering = ("id",)
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        """A ``page_size`` that is given must be 1–999 (DRF would fall back to the default
        silently, so a typo looked like a valid request)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not PAGE_SIZE_RE.match(raw) or not 1 <= int(raw) <= PAGE_SIZE_LIMIT:
            message = INVALID_PAGE_SIZE % {"lo": 1, "hi": PAGE_SIZE_LIMIT}
            raise ValidationError({self.page_size_query_param: [ErrorDetail(str(message), code="invalid")]})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for p in params:
            if p["name"] == self.page_size_query_param:
                p["schema"] = {"type": "integer", "minimum": 1, "maximum": PAGE_SIZE_LIMIT}
                p["description"] = f"Rows per page (default {self.page_size}); more than {self.max_page_size} are served as {self.max_page_size}."
            elif p["name"] == self.cursor_query_param:
                p["description"] = "The position returned in `next` (404 for one that was not)."
        return params

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise NotFound(self.invalid_cursor_message)  # PostgreSQL refuses NUL in text
        return cursor


class OrganizationPagination(DefaultPagination):
    """Organizations in tree order (materialized path), which is unique."""

    ordering = ("path",)
