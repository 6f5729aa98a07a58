"""Demo / development profile: embedded SQLite, local keys generated on first run."""
import os

from .base import *  # noqa: F401,F403
from .base import VAR_DIR

DEBUG = os.environ.get("DANGJIAN_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"] + [h for h in os.environ.get("DANGJIAN_HOSTS", "").split(",") if h]
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    from dangjian.core.crypto import load_or_create_secret

    SECRET_KEY = load_or_create_secret(VAR_DIR / "secret_key.txt")

# The demo serves static files straight from the app folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = True

# The demo signs in with a password alone (docs/operations.md "Two-factor sign-in").
DANGJIAN_OTP_ENFORCED = False
