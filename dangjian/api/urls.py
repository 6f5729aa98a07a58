"""/api/v1/ routes. Every route has a name, and every name has its entry in
:data:`dangjian.api.registry.API_POLICY` (a test enforces both directions)."""
from importlib import import_module

from django.apps import apps
from django.urls import path

from . import auth, members, organizations, orglife

urlpatterns = [
    path("auth/token/", auth.AuthTokenApi.as_view(), name="api-auth-token"),
    path("auth/tokens/", auth.OwnTokenListApi.as_view(), name="api-auth-token-list"),
    path("auth/tokens/<int:pk>/", auth.TokenRevokeApi.as_view(), name="api-auth-token-detail"),
    path("security/tokens/", auth.ManagedTokenListApi.as_view(), name="api-security-token-list"),
    path("schema/", auth.SchemaApi.as_view(), name="api-schema"),
    path("organizations/", organizations.OrganizationListApi.as_view(), name="api-organization-list"),
    path("organizations/<int:pk>/", organizations.OrganizationDetailApi.as_view(), name="api-organization-detail"),
    path("organizations/<int:pk>/children/", organizations.OrganizationChildrenApi.as_view(), name="api-organization-children"),
    path("organizations/<int:pk>/subtree/", organizations.OrganizationSubtreeApi.as_view(), name="api-organization-subtree"),
    path("organizations/<int:pk>/move/", organizations.OrganizationMoveApi.as_view(), name="api-organization-move"),
    path("organizations/<int:pk>/merge/", organizations.OrganizationMergeApi.as_view(), name="api-organization-merge"),
    path("organizations/<int:pk>/dissolve/", organizations.OrganizationDissolveApi.as_view(), name="api-organization-dissolve"),
    path("members/", members.MemberListApi.as_view(), name="api-member-list"),
    path("members/<int:pk>/", members.MemberDetailApi.as_view(), name="api-member-detail"),
    path("members/<int:pk>/move/", members.MemberMoveApi.as_view(), name="api-member-move"),
    path("members/<int:pk>/reveal/", members.MemberRevealApi.as_view(), name="api-member-reveal"),
    path("orglife/device-signin/", orglife.DeviceSigninApi.as_view(), name="api-orglife-device-signin"),
]


def _app_routes():
    """Each domain app's ``api_urls.urlpatterns``, flattened into this one level."""
    out = []
    for cfg in apps.get_app_configs():
        if cfg.name.startswith("dangjian.") and cfg.label != "api":
            try:
                mod = import_module(f"{cfg.name}.api_urls")
            except ModuleNotFoundError as e:
                if e.name != f"{cfg.name}.api_urls":
                    raise
                continue
            out += mod.urlpatterns
    return out


urlpatterns += _app_routes()
