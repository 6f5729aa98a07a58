"""Settings shared by every profile. Profiles: dev (demo), test, production.

Secrets never live here: SECRET_KEY and the data keys (field encryption, blind index)
come from the environment or from files (see dangjian.core.crypto).
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", PROJECT_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "dangjian.core",
    "dangjian.members",
    "dangjian.api",
    "dangjian.demo",
    "dangjian.accounts",
    "huey.contrib.djhuey",
    "dangjian.jobs",
    "dangjian.notify",
    "dangjian.orglife",
    "dangjian.minutes",
    "dangjian.supervision",
    "dangjian.development",
    "dangjian.dues",
    "dangjian.transfers",
    "dangjian.elections",
    "dangjian.publicity",
    "dangjian.appraisal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dangjian.core.middleware.SessionExpiryMiddleware",
    "dangjian.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dangjian.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.core.context_processors.scope",
                "dangjian.notify.context_processors.inbox",
            ],
        },
    },
]


def database_from_env() -> dict:
    """DATABASE_URL-like configuration without another dependency.

    DANGJIAN_DB=postgres uses PG* environment variables (PGHOST, PGPORT, PGDATABASE, PGUSER,
    PGPASSWORD); anything else is the embedded SQLite file in VAR_DIR (WAL mode).
    """
    if os.environ.get("DANGJIAN_DB", "sqlite") == "postgres":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
            "NAME": os.environ.get("PGDATABASE", "dangjian"),
            "USER": os.environ.get("PGUSER", "dangjian"),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # JIT compilation costs 0.5–0.9 s on the roster's short queries (docs/benchmarks.md)
            "OPTIONS": {"options": "-c jit=off"},
        }
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DANGJIAN_SQLITE", str(VAR_DIR / "dangjian.sqlite3")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        },
    }


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout (SECURITY.md): 5 failures -> 30 min lock per username + IP.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor sign-in (SECURITY.md: TOTP required for admins, org-department staff and
# secretaries; 等保 two or more authentication factors). Holders of these roles must confirm a
# TOTP device and enter a code after the password; the dev (demo) and test profiles turn it off.
DANGJIAN_OTP_REQUIRED_ROLES = ["org_admin", "secretary", "audit_admin", "security_admin"]
DANGJIAN_OTP_ENFORCED = True
DANGJIAN_OTP_RECOVERY_CODES = 8
OTP_TOTP_ISSUER = "智慧党建"
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds; doubles with each consecutive wrong code (django-otp)
OTP_STATIC_THROTTLE_FACTOR = 1
# API tokens (dangjian.accounts.tokens): lifetime, shorter for holders of the roles above; a
# reveal or export by token needs one issued with a code less than DANGJIAN_API_FRESH_OTP_SECONDS ago.
DANGJIAN_API_TOKEN_TTL_SECONDS = 7 * 24 * 3600
DANGJIAN_API_TOKEN_PRIVILEGED_TTL_SECONDS = 3600
DANGJIAN_API_FRESH_OTP_SECONDS = 300

# Sessions: server-side, idle 30 min, absolute 12 h (SECURITY.md). Not rewritten on every
# request: the session middleware saves a signed-in session when its recorded activity is a
# minute old (dangjian/core/middleware.py), so idle expiry holds to the minute.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
DANGJIAN_SESSION_ACTIVITY_STEP_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
DANGJIAN_SESSION_ABSOLUTE_SECONDS = 12 * 3600

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DANGJIAN_STATIC_ROOT", PROJECT_DIR / "staticfiles"))  # collectstatic target, served by WhiteNoise
# Uploaded files (meeting photos, notice attachments). Never served directly: every download
# goes through a view that checks the POLICY row (public notices through the public view).
MEDIA_ROOT = Path(os.environ.get("DANGJIAN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # not routed; FileField.url is not used for private files
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "dangjian.api.tokenauth.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "dangjian.api.pagination.DefaultPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "智慧党建 API",
    "DESCRIPTION": "Organization tree and member records, scoped to the caller's organization subtree.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # `status` is a member status in several components (record, list filter): one name for it.
    "ENUM_NAME_OVERRIDES": {"MemberStatusEnum": "dangjian.members.models.MemberStatus"},
}

# Field encryption (SECURITY.md): AES-256-GCM (default) or SM4-GCM; keys separate from SECRET_KEY.
DANGJIAN_CRYPTO_ALGORITHM = os.environ.get("DANGJIAN_CRYPTO_ALGORITHM", "AES-256-GCM")
DANGJIAN_KEY_FILE = os.environ.get("DANGJIAN_KEY_FILE", str(VAR_DIR / "keys.json"))

# Audit retention (DOMAIN §10: floor 190 days, default 365).
DANGJIAN_AUDIT_RETENTION_DAYS = 365

# Structure rules (DOMAIN §2/§11): configurable numbers with defaults shown.
DANGJIAN_STRUCTURE = {
    "branch_min_full_members": 3,
    "committee_required_at_full_members": 7,
    "branch_split_suggest_above": 50,
    "general_branch_eligible_at": 50,
    "primary_committee_eligible_at": 100,
    "joint_branch_max_units": 5,
    "term_years": {"village": 5, "community": 5, "branch": 3, "general_branch": 3, "primary_committee": 5, "committee": 5},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pi": {"()": "dangjian.core.logging.MaskPersonalInfoFilter"}},
    "formatters": {"json": {"()": "dangjian.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["mask_pi"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}


# Background jobs (DESIGN.md: Huey; SqliteHuey by default so the demo needs no other server,
# RedisHuey when DANGJIAN_REDIS_URL is set). Apps register periodic jobs in their tasks.py.
DANGJIAN_REDIS_URL = os.environ.get("DANGJIAN_REDIS_URL", "")
if DANGJIAN_REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "dangjian",
        "url": DANGJIAN_REDIS_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "dangjian",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# Cache (rate limits of public pages, cached public boards): Redis when DANGJIAN_REDIS_URL is set,
# else the database cache (table dangjian_cache, made by `manage.py createcachetable`, which every
# migrate flow runs: scripts/demo.sh, demo_data --reset, the test database). Either way the cache is
# shared by every gunicorn worker, so a withdrawn notice disappears and a rate limit holds on all of
# them (issue 10 item 8: a per-process memory cache let 2 workers serve stale pages and 2x the limit).
if DANGJIAN_REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DANGJIAN_REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "dangjian.core.cache.SharedDatabaseCache", "LOCATION": "dangjian_cache"}}
RATELIMIT_USE_CACHE = "default"
# django_ratelimit is used as a decorator library (not an installed app), so its system checks
# do not run; both caches above are shared between processes. Behind a reverse proxy set
# RATELIMIT_IP_META_KEY to the trusted forwarded-for header (docs/operations.md).


# ---- Notifications (dangjian.notify) ---------------------------------------------------------
# SMS gateway: "console" (default; logs the message with the phone masked), "aliyun" or
# "tencent". Credentials come from the environment only (README "SMS providers").
# DANGJIAN_SMS_TEMPLATES is JSON mapping a message kind to the provider's approved template
# code/id; "*" is the fallback template, which receives the rendered text as ``content``.
def _json_env(name: str, default):
    import json

    raw = os.environ.get(name, "")
    return json.loads(raw) if raw else default


DANGJIAN_SMS = {
    "backend": os.environ.get("DANGJIAN_SMS_BACKEND", "console"),
    "sign_name": os.environ.get("DANGJIAN_SMS_SIGN_NAME", ""),
    "templates": _json_env("DANGJIAN_SMS_TEMPLATES", {}),
    "timeout": float(os.environ.get("DANGJIAN_SMS_TIMEOUT", "10")),
    "aliyun": {
        "access_key_id": os.environ.get("ALIYUN_SMS_ACCESS_KEY_ID", ""),
        "access_key_secret": os.environ.get("ALIYUN_SMS_ACCESS_KEY_SECRET", ""),
        "endpoint": os.environ.get("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
        "region": os.environ.get("ALIYUN_SMS_REGION", "cn-hangzhou"),
    },
    "tencent": {
        "secret_id": os.environ.get("TENCENT_SMS_SECRET_ID", ""),
        "secret_key": os.environ.get("TENCENT_SMS_SECRET_KEY", ""),
        "sdk_app_id": os.environ.get("TENCENT_SMS_SDK_APP_ID", ""),
        "endpoint": os.environ.get("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com/"),
        "region": os.environ.get("TENCENT_SMS_REGION", "ap-guangzhou"),
    },
}
# Defaults a user can change in their notification settings: quiet hours (Beijing time; SMS in
# them waits until they end), per-recipient hourly limits (excess is skipped with a recorded
# reason; the inbox still gets the message) and the language of messages.
DANGJIAN_NOTIFY = {
    "quiet_hours": ("22:00", "07:00"),
    "sms_per_hour": int(os.environ.get("DANGJIAN_SMS_PER_HOUR", "5")),
    "email_per_hour": 20,
    "default_language": "zh-hans",
}
LOGGING.setdefault("loggers", {})["dangjian.notify.sms"] = {"level": "INFO"}  # the console gateway's lines
# E-mail goes through Django's backend: the console unless DANGJIAN_EMAIL_BACKEND (and EMAIL_*) say otherwise.
EMAIL_BACKEND = os.environ.get("DANGJIAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DANGJIAN_EMAIL_FROM", "noreply@localhost")

# ---- Export files and uploaded rosters (issue 10 item 5; docs/decisions.md) -------------------
# Job results (exports) are encrypted at rest, mode 0600 in VAR_DIR/jobs, and deleted this many
# hours after they were made by the periodic job jobs.purge_results; downloads re-check the rights.
DANGJIAN_JOB_RESULT_RETENTION_HOURS = float(os.environ.get("DANGJIAN_JOB_RESULT_RETENTION_HOURS", "24"))
# Uploaded roster workbooks (plaintext ID numbers) wait between preview and confirm here (0700
# folder, 0600 files), deleted after the import or cancel, and by members.sweep_roster_uploads
# once older than the session's idle timeout.
DANGJIAN_ROSTER_UPLOAD_DIR = str(VAR_DIR / "uploads" / "roster")
DANGJIAN_ROSTER_UPLOAD_TTL_SECONDS = SESSION_COOKIE_AGE
