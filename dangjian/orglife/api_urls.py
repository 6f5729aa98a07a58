"""Org-life routes of /api/v1/ (flattened by dangjian.api.urls; policy in OrglifeConfig.ready)."""
from django.urls import path

from . import api

urlpatterns = [
    path("orglife/device-signin/", api.DeviceSigninApi.as_view(), name="api-orglife-device-signin"),
]
