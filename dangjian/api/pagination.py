"""Pagination: keyset (cursor) pages only — OFFSET and COUNT(*) of a big subtree do not scale
(DESIGN.md "Scale path"). Members are paged by ``members.selectors.member_page`` in the view."""
from __future__ import annotations

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 200


class DefaultPagination(CursorPagination):
    ordering = ("id",)
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise NotFound(self.invalid_cursor_message)  # PostgreSQL refuses NUL in text
        return cursor


class OrganizationPagination(DefaultPagination):
    """Organizations in tree order (materialized path), which is unique."""

    ordering = ("path",)
