from django.urls import include, path

urlpatterns = [
    path("", include("dangjian.core.urls")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("members/", include("dangjian.members.urls")),
    path("inbox/", include("dangjian.notify.urls")),
    path("jobs/", include("dangjian.jobs.urls")),
    path("api/v1/", include("dangjian.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
