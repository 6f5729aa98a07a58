"""``manage.py otp_reset USERNAME``: remove a user's authenticator and recovery codes (lost
phone). They set up a new authenticator at their next sign-in. Audited as ``auth.2fa_reset``."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts import services


class Command(BaseCommand):
    help = "Remove a user's two-factor devices and recovery codes; they enrol again at next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no such user: {username}")
        removed = services.reset(user)
        self.stdout.write(f"two-factor sign-in reset for {username} ({removed} rows removed)")
