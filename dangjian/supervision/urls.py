from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="supervision-home"),
    path("org/<int:pk>/", views.calendar, name="supervision-calendar"),
    path("org/<int:pk>/overview/", views.overview, name="supervision-overview"),
    path("org/<int:pk>/drill/", views.drill, name="supervision-drill"),
    path("org/<int:pk>/lists/", views.lists, name="supervision-lists"),
    path("org/<int:pk>/bulletins/", views.bulletins, name="supervision-bulletins"),
    path("org/<int:pk>/bulletins/generate/", views.generate, name="supervision-bulletin-generate"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="supervision-bulletin"),
    path("bulletins/<int:pk>/xlsx/", views.bulletin_xlsx, name="supervision-bulletin-xlsx"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf, name="supervision-bulletin-pdf"),
]
