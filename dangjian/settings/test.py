"""Test profile: SQLite in memory by default, PostgreSQL when DANGJIAN_DB=postgres."""
from .base import *  # noqa: F401,F403
from .base import PROJECT_DIR

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"  # noqa: S105 (test profile only)  # nosec B105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
DANGJIAN_KEY_FILE = str(PROJECT_DIR / "tests" / "keys.test.json")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="dangjian-test-media-")
# Tests sign in with force_login; tests/accounts/ turn two-factor sign-in on with override_settings.
DANGJIAN_OTP_ENFORCED = False

# Jobs run inline in tests unless a test starts a real worker (tests/jobs/).
HUEY = {"huey_class": "huey.MemoryHuey", "name": "dangjian-test", "immediate": True}

# One test process: a memory cache keeps query-count tests about the database work of a page.
# The shared database cache of base.py (what runs with several workers) is exercised by
# tests/security/test_multiprocess_coherence.py against two gunicorn workers.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dangjian-test"}}
