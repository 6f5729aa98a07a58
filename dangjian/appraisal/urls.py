from django.urls import path

from . import views

urlpatterns = [
    path("mine/", views.mine, name="appraisal-mine"),
    path("org/<int:pk>/", views.org_rounds, name="appraisal-org"),
    path("org/<int:pk>/new/", views.round_open, name="appraisal-open"),
    path("org/<int:pk>/overview/", views.overview, name="appraisal-overview"),
    path("<int:pk>/", views.round_detail, name="appraisal-round"),
    path("<int:pk>/advance/", views.round_advance, name="appraisal-advance"),
    path("<int:pk>/remind/", views.round_remind, name="appraisal-remind"),
    path("<int:pk>/meeting/", views.round_meeting, name="appraisal-meeting"),
    path("<int:pk>/paper/voters/", views.paper_voters, name="appraisal-paper-voters"),
    path("<int:pk>/paper/ballot/", views.paper_ballot, name="appraisal-paper-ballot"),
    path("<int:pk>/grades/", views.round_grades, name="appraisal-grades"),
    path("<int:pk>/result/", views.round_result, name="appraisal-result"),
    path("<int:pk>/result.pdf", views.round_result_pdf, name="appraisal-result-pdf"),
    path("entry/<int:pk>/", views.entry, name="appraisal-entry"),
    path("entry/<int:pk>/self/", views.entry_self, name="appraisal-self"),
    path("entry/<int:pk>/mutual/", views.entry_mutual, name="appraisal-mutual"),
    path("entry/<int:pk>/vote/", views.entry_vote, name="appraisal-vote"),
    path("case/<int:pk>/", views.case_detail, name="appraisal-case"),
    path("case/<int:pk>/decide/", views.case_decide, name="appraisal-case-decide"),
]
