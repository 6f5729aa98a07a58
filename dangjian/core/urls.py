from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("orgs/", views.org_tree, name="org-tree"),
    path("orgs/<int:pk>/", views.org_detail, name="org-detail"),
    path("orgs/<int:pk>/children/", views.org_children, name="org-children"),
    path("orgs/<int:pk>/history/", views.org_history, name="org-history"),
    path("orgs/<int:pk>/add/", views.org_add_child, name="org-add-child"),
    path("orgs/<int:pk>/edit/", views.org_edit, name="org-edit"),
    path("orgs/<int:pk>/move/", views.org_move, name="org-move"),
    path("orgs/<int:pk>/merge/", views.org_merge, name="org-merge"),
    path("orgs/<int:pk>/dissolve/", views.org_dissolve, name="org-dissolve"),
    path("orgs/<int:pk>/roles/", views.org_roles, name="org-roles"),
    path("exports/", views.exports_page, name="exports"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/verify/", views.audit_verify, name="audit-verify"),
]
