from django.urls import path

from . import views

urlpatterns = [
    path("", views.branch, name="dues-branch"),
    path("summary/", views.summary, name="dues-summary"),
    path("mine/", views.mine, name="dues-mine"),
    path("profiles/<int:pk>/", views.profile, name="dues-profile"),
    path("profiles/edit/", views.profile_edit, name="dues-profile-edit"),
    path("hardship/new/", views.hardship_new, name="dues-hardship-new"),
    path("hardship/<int:pk>/decide/", views.hardship_decide, name="dues-hardship-decide"),
    path("pay/", views.pay, name="dues-pay"),
    path("inflow/<int:pk>/pay/", views.inflow_pay, name="dues-inflow-pay"),
    path("receipts/<int:pk>/", views.receipt, name="dues-receipt"),
    path("bills/<int:pk>/excuse/", views.excuse, name="dues-bill-excuse"),
    path("generate/", views.generate, name="dues-generate"),
    path("arrears/", views.arrears, name="dues-arrears"),
    path("cases/<int:pk>/", views.case, name="dues-case"),
    path("cases/<int:pk>/decide/", views.case_decide, name="dues-case-decide"),
    path("export/", views.export_month, name="dues-export"),
    path("publish/", views.publish, name="dues-publish"),
]
