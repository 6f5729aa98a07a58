from django.urls import path

from . import views

urlpatterns = [
    path("org/<int:pk>/terms/", views.terms_overview, name="elections-terms"),
    path("org/<int:pk>/", views.org_terms, name="elections-org"),
    path("org/<int:pk>/new/", views.election_new, name="elections-new"),
    path("org/<int:pk>/adjust/", views.adjust_new, name="elections-adjust"),
    path("org/<int:pk>/restrictions/new/", views.restriction_new, name="elections-restriction-new"),
    path("org/<int:pk>/file/", views.committee_file, name="elections-file"),
    path("<int:pk>/", views.election_detail, name="elections-detail"),
    path("<int:pk>/result/", views.election_result, name="elections-result"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="elections-adjustment"),
    path("adjustments/<int:pk>/decide/", views.adjustment_decide, name="elections-adjustment-decide"),
    path("officers/<int:pk>/approve/", views.officer_approve, name="elections-officer-approve"),
]
