from django.urls import path

from . import views

urlpatterns = [
    path("org/<int:pk>/", views.outgoing, name="transfers-outgoing"),
    path("org/<int:pk>/incoming/", views.incoming, name="transfers-incoming"),
    path("org/<int:pk>/new/", views.new_transfer, name="transfers-new"),
    path("org/<int:pk>/register-in/", views.register_in, name="transfers-register-in"),
    path("org/<int:pk>/away/", views.away_list, name="transfers-away"),
    path("org/<int:pk>/away/new/", views.away_new, name="transfers-away-new"),
    path("ask/", views.ask, name="transfers-ask"),
    path("verify/", views.verify, name="transfers-verify"),
    path("<int:pk>/", views.detail, name="transfers-detail"),
    path("<int:pk>/confirm/", views.confirm, name="transfers-confirm"),
    path("<int:pk>/approve/", views.approve, name="transfers-approve"),
    path("<int:pk>/refuse/", views.refuse, name="transfers-refuse"),
    path("<int:pk>/cancel/", views.cancel, name="transfers-cancel"),
    path("<int:pk>/receipt/", views.receipt, name="transfers-receipt"),
    path("<int:pk>/letter.pdf", views.letter_pdf, name="transfers-letter"),
    path("in/<int:pk>/", views.incoming_detail, name="transfers-incoming-detail"),
    path("in/<int:pk>/accept/", views.accept, name="transfers-accept"),
    path("in/<int:pk>/reject/", views.reject, name="transfers-reject"),
    path("away/<int:pk>/", views.away_detail, name="transfers-away-detail"),
    path("away/<int:pk>/contact/", views.away_contact, name="transfers-away-contact"),
    path("away/<int:pk>/close/", views.away_close, name="transfers-away-close"),
    path("away/<int:pk>/case/", views.case_new, name="transfers-case-new"),
    path("away/<int:pk>/inflow/", views.away_inflow, name="transfers-away-inflow"),
    path("org/<int:pk>/flowing-in/", views.flowing_in_list, name="transfers-flowing-in"),
    path("flowing-in/<int:pk>/", views.flowing_in_detail, name="transfers-flowing-in-detail"),
    path("cases/<int:pk>/", views.case_detail, name="transfers-case"),
    path("cases/<int:pk>/decide/", views.case_decide, name="transfers-case-decide"),
]
