from django.urls import include, path

urlpatterns = [
    path("", include("dangjian.core.urls")),
    path("accounts/", include("dangjian.accounts.urls")),
    path("members/", include("dangjian.members.urls")),
    path("inbox/", include("dangjian.notify.urls")),
    path("jobs/", include("dangjian.jobs.urls")),
    path("orglife/", include("dangjian.orglife.urls")),
    path("minutes/", include("dangjian.minutes.urls")),
    path("supervision/", include("dangjian.supervision.urls")),
    path("development/", include("dangjian.development.urls")),
    path("dues/", include("dangjian.dues.urls")),
    path("transfers/", include("dangjian.transfers.urls")),
    path("elections/", include("dangjian.elections.urls")),
    path("publicity/", include("dangjian.publicity.urls")),
    path("appraisal/", include("dangjian.appraisal.urls")),
    path("api/v1/", include("dangjian.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# A database outage answers a friendly 503 with Retry-After, anything else the 500 page (dangjian/core/db_errors.py).
handler500 = "dangjian.core.db_errors.server_error"
handler400 = "dangjian.core.db_errors.bad_request"  # a session save the database refused is an outage too
# A URL under /api/ that matches no route answers the API's JSON 404 body (dangjian/api/errors.py).
handler404 = "dangjian.api.errors.not_found"
