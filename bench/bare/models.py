from django.conf import settings
from django.db import models


class SignIn(models.Model):
    """One row per user: the bare app's equivalent of an attendance row signed in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"sign-in of {self.user_id}"
