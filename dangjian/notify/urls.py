from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="inbox-read"),
    path("read-all/", views.mark_all_read, name="inbox-read-all"),
    path("unread/", views.unread_badge, name="inbox-unread"),
    path("settings/", views.preferences, name="inbox-preferences"),
]
