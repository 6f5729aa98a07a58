from django.urls import path

from . import views

urlpatterns = [
    path("", views.record_list, name="minutes-list"),
    path("verify/", views.verify, name="minutes-verify"),
    path("meeting/<int:pk>/", views.meeting_minutes, name="minutes-meeting"),
    path("meeting/<int:pk>/start/", views.start, name="minutes-start"),
    path("record/<int:pk>/", views.record_detail, name="minutes-record"),
    path("record/<int:pk>/edit/", views.record_edit, name="minutes-edit"),
    path("record/<int:pk>/votes/add/", views.vote_add, name="minutes-vote-add"),
    path("record/<int:pk>/upload/", views.upload, name="minutes-upload"),
    path("record/<int:pk>/sign/", views.sign, name="minutes-sign"),
    path("record/<int:pk>/correct/", views.correct, name="minutes-correct"),
    path("record/<int:pk>/print/", views.record_print, name="minutes-print"),
    path("record/<int:pk>/pdf/", views.record_pdf, name="minutes-pdf"),
    path("vote/<int:pk>/delete/", views.vote_delete, name="minutes-vote-delete"),
    path("attachment/<int:pk>/", views.attachment_file, name="minutes-attachment"),
    path("attachment/<int:pk>/delete/", views.attachment_delete, name="minutes-attachment-delete"),
]
