from django.urls import path

from . import views

urlpatterns = [
    path("2fa/setup/", views.otp_setup, name="otp-setup"),
    path("2fa/verify/", views.otp_verify, name="otp-verify"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/manage/", views.api_tokens_manage, name="api-tokens-manage"),
]
