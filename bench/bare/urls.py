from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseNotAllowed
from django.urls import path

from .models import SignIn


def signin(request):
    """Authenticated POST, one unique INSERT; a second POST of the same user answers 'already'."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return HttpResponseForbidden("login required")
    try:
        with transaction.atomic():
            SignIn.objects.create(user=request.user)
    except IntegrityError:
        return HttpResponse("signin-already")
    return HttpResponse("signin-ok")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("s/", signin), path("healthz", healthz)]
