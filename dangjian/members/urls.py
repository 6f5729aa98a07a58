from django.urls import path

from . import roster_views, views

urlpatterns = [
    path("", views.roster, name="member-roster"),
    path("add/", views.member_add, name="member-add"),
    path("<int:pk>/", views.member_detail, name="member-detail"),
    path("<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("<int:pk>/move/", views.member_move, name="member-move"),
    path("<int:pk>/restrict/", views.member_restrict, name="member-restrict"),
    path("restrictions/<int:pk>/restore/", views.restriction_restore, name="member-restriction-restore"),
    path("<int:pk>/reveal/<str:field>/", views.member_reveal, name="member-reveal"),
    path("roster/export/", roster_views.roster_export, name="member-roster-export"),
    path("roster/import/", roster_views.roster_import, name="member-roster-import"),
    path("roster/import/template/", roster_views.roster_template, name="member-roster-template"),
    path("roster/import/errors/", roster_views.roster_import_errors, name="member-roster-import-errors"),
    path("roster/import/confirm/", roster_views.roster_import_confirm, name="member-roster-import-confirm"),
]
