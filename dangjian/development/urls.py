from django.urls import path

from . import views

urlpatterns = [
    path("", views.pipeline, name="development-pipeline"),
    path("cases/", views.case_list, name="development-case-list"),
    path("cases/add/", views.case_add, name="development-case-add"),
    path("cases/<int:pk>/", views.case_detail, name="development-case-detail"),
    path("cases/<int:pk>/step/", views.case_step, name="development-case-step"),
    path("cases/<int:pk>/print/", views.case_pdf, name="development-case-pdf"),
    path("cases/<int:pk>/publicity/", views.case_publicity, name="development-case-publicity"),
    path("cases/<int:pk>/assessment/", views.case_assessment, name="development-case-assessment"),
    path("cases/<int:pk>/extend/", views.case_extend, name="development-case-extend"),
    path("cases/<int:pk>/stop/", views.case_stop, name="development-case-stop"),
    path("cases/<int:pk>/cancel-probation/", views.case_cancel_probation, name="development-case-cancel-probation"),
    path("cases/<int:pk>/documents/add/", views.case_document_add, name="development-case-document-add"),
    path("documents/<int:pk>/", views.case_document, name="development-document"),
    path("cases/<int:pk>/reveal/<str:field>/", views.case_reveal, name="development-case-reveal"),
    path("calendar/", views.calendar_page, name="development-calendar"),
    path("calendar/<int:pk>/delete/", views.calendar_delete, name="development-calendar-delete"),
]
