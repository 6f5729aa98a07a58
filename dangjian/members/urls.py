from django.urls import path

from . import views

urlpatterns = [
    path("", views.roster, name="member-roster"),
    path("add/", views.member_add, name="member-add"),
    path("<int:pk>/", views.member_detail, name="member-detail"),
    path("<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("<int:pk>/move/", views.member_move, name="member-move"),
    path("<int:pk>/reveal/<str:field>/", views.member_reveal, name="member-reveal"),
]
