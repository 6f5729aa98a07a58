from django.urls import path

from . import talk_views, views

urlpatterns = [
    path("types/", views.type_list, name="orglife-types"),
    path("types/add/", views.type_add, name="orglife-type-add"),
    path("types/<int:pk>/edit/", views.type_edit, name="orglife-type-edit"),
    path("meetings/", views.meeting_list, name="orglife-meetings"),
    path("meetings/plan/", views.meeting_plan, name="orglife-meeting-plan"),
    path("meetings/<int:pk>/", views.meeting_detail, name="orglife-meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="orglife-meeting-edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="orglife-meeting-cancel"),
    path("meetings/<int:pk>/open/", views.meeting_open, name="orglife-meeting-open"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="orglife-meeting-close"),
    path("meetings/<int:pk>/venue/", views.venue, name="orglife-venue"),
    path("meetings/<int:pk>/venue/live/", views.venue_qr, name="orglife-venue-live"),
    path("meetings/<int:pk>/roll-call/", views.roll_call, name="orglife-roll-call"),
    path("meetings/<int:pk>/leave/decide/", views.leave_decide, name="orglife-leave-decide"),
    path("attendance/<int:pk>/leave/", views.leave_request, name="orglife-leave-request"),
    path("attendance/<int:pk>/makeup/", views.attendance_makeup, name="orglife-attendance-makeup"),
    path("s/<str:token>/", views.qr_signin, name="orglife-qr-signin"),
    path("my/", views.my_meetings, name="orglife-my-meetings"),
    path("exemptions/", views.exemption_list, name="orglife-exemptions"),
    path("exemptions/add/", views.exemption_add, name="orglife-exemption-add"),
    path("exemptions/<int:pk>/end/", views.exemption_end, name="orglife-exemption-end"),
    path("talks/org/<int:pk>/", talk_views.talk_page, name="orglife-talks"),
    path("talks/org/<int:pk>/add/", talk_views.talk_add, name="orglife-talk-add"),
    path("devices/", views.device_list, name="orglife-devices"),
    path("devices/add/", views.device_add, name="orglife-device-add"),
    path("devices/<int:pk>/deactivate/", views.device_deactivate, name="orglife-device-deactivate"),
]
