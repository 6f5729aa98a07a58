"""``handler404`` (dangjian/urls.py): a URL under /api/ that matches no route (``/api/v1/members/-1/``,
a typo) answers the API's JSON error body ``{"detail", "code": "not_found"}`` like a missing
object does (dangjian.api.base.api_exception_handler); every other path gets the 404 page."""
from __future__ import annotations

from django.http import JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound

API_PREFIX = "/api/"


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": str(NotFound.default_detail), "code": NotFound.default_code}, status=404)
    return defaults.page_not_found(request, exception)
