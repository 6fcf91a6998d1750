"""Settings, all read from environment variables (see README and .env.example)."""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from civicdesk.core import demo_settings, maps
from civicdesk.core.positions import parse_bounds

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Seconds a SQLite connection waits for the write lock before "database is locked".
SQLITE_BUSY_TIMEOUT = 30


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL (postgres://user:pass@host:port/name or sqlite:///path) into a config."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        # sqlite:///relative/path and sqlite:////absolute/path, as dj-database-url reads them.
        name = path[1:] if path.startswith("/") else path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name or ":memory:",
            "OPTIONS": {
                # SQLite has one writer at a time; the others wait for it, up to this many
                # seconds (Python's default is 5), instead of failing with "database is
                # locked" while the worker stores an import batch or runs a long task.
                "timeout": SQLITE_BUSY_TIMEOUT,
                # A transaction takes the write lock when it begins: one that read first and
                # wrote later could not wait for it, and would fail at once when another
                # writer got in between.
                "transaction_mode": "IMMEDIATE",
                # Readers never wait for the writer, nor it for them.
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("CIVICDESK_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:// or postgres://, not {parts.scheme or url!r}"
    )


DATA_DIR = demo_settings.data_dir()
# What `civicdesk demo` left in this data folder (its key, debug mode and address), so that
# commands run next to the demo just work; the environment wins. None in production.
_DEMO = demo_settings.read(DATA_DIR)
# The demo's settings file when this data folder has one (`check --deploy` refuses it).
CIVICDESK_DEMO_SETTINGS_FILE = str(demo_settings.path_in(DATA_DIR)) if _DEMO else ""
DEBUG = env_bool("CIVICDESK_DEBUG", _DEMO.debug if _DEMO else False)

SECRET_KEY = os.environ.get("CIVICDESK_SECRET_KEY", "") or (_DEMO.secret_key if _DEMO else "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "CIVICDESK_SECRET_KEY is required when CIVICDESK_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            f"Next to `civicdesk demo`, run commands in the demo's folder: {DATA_DIR} has no "
            f"{demo_settings.FILE_NAME}."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-" + "x" * 20

ALLOWED_HOSTS = env_list(
    "CIVICDESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CIVICDESK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth, so that its `createsuperuser` (which also gives the account a
    # civicdesk role) replaces Django's: of two commands with one name, the earlier app's wins.
    "civicdesk.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "ninja",
    "django_tasks_db",
    "civicdesk.core",
    "civicdesk.intake",
    "civicdesk.cases",
    "civicdesk.staff",
    "civicdesk.public",
    "civicdesk.problems",
    "civicdesk.commitments",
    "civicdesk.supervision",
    "civicdesk.ledgers",
    "civicdesk.reports",
    "civicdesk.bulletins",
    "civicdesk.ratings",
    "civicdesk.evaluation",
    "civicdesk.questionnaires",
    "civicdesk.catalogue",
    "civicdesk.knowledge",
    "civicdesk.training",
    "civicdesk.appraisal",
    "civicdesk.applications",
    "civicdesk.integrity",
    "civicdesk.dashboard",
    "civicdesk.imports",
    "civicdesk.notifications",
    "civicdesk.inbound",
    "civicdesk.nearby",
    "civicdesk.moderation",
    "civicdesk.api",
    "civicdesk.open311",
    "civicdesk.demo",
    "civicdesk.backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "civicdesk.core.csp.ContentSecurityPolicyMiddleware",
    # Last, so that it sees a view's 404 or 403 first: the page says so in words, debug or not.
    "civicdesk.core.errors.ErrorPageMiddleware",
]

ROOT_URLCONF = "civicdesk.urls"
WSGI_APPLICATION = "civicdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicdesk.core.context_processors.site",
            ],
        },
    },
]
# Django's, except that <select> options are written in Python (see the module).
FORM_RENDERER = "civicdesk.core.form_renderer.FormRenderer"

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'civicdesk.sqlite3'}"
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:inbox"
LOGOUT_REDIRECT_URL = "public:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: the UI's source strings are English; zh-Hant and zh-Hans come from locale/.
LANGUAGE_CODE = os.environ.get("CIVICDESK_LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hant", "繁體中文"), ("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("CIVICDESK_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("CIVICDESK_STATIC_ROOT") or DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("CIVICDESK_MEDIA_ROOT") or DATA_DIR / "media")
# Uploaded files: the local media folder, or an S3-compatible object store (MinIO, Ceph, OSS,
# COS, AWS; needs `pip install "civicdesk[s3]"`). The bucket stays private: links are signed
# and expire, and evidence leaves only through its access-checked view.
CIVICDESK_MEDIA_STORAGE = os.environ.get("CIVICDESK_MEDIA_STORAGE") or "local"
if CIVICDESK_MEDIA_STORAGE == "local":
    _media_storage: dict = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif CIVICDESK_MEDIA_STORAGE == "s3":
    if not os.environ.get("CIVICDESK_S3_BUCKET"):
        raise ImproperlyConfigured(
            "CIVICDESK_S3_BUCKET is required when CIVICDESK_MEDIA_STORAGE=s3"
        )
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["CIVICDESK_S3_BUCKET"],
            "endpoint_url": os.environ.get("CIVICDESK_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("CIVICDESK_S3_REGION") or None,
            # Unset keys fall back to boto3's own chain (AWS_* variables, instance roles).
            "access_key": os.environ.get("CIVICDESK_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("CIVICDESK_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("CIVICDESK_S3_PREFIX", ""),
            "addressing_style": os.environ.get("CIVICDESK_S3_ADDRESSING_STYLE") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("CIVICDESK_S3_URL_EXPIRE", 3600),
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(
        f"CIVICDESK_MEDIA_STORAGE must be local or s3, not {CIVICDESK_MEDIA_STORAGE!r}"
    )
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come straight from the app folders: the demo and tests need no collectstatic.
WHITENOISE_USE_FINDERS = True

# Uploads: photos are checked by content in civicdesk.core.photos; these bound the request itself.
CIVICDESK_MAX_PHOTOS = env_int("CIVICDESK_MAX_PHOTOS", 6)
CIVICDESK_MAX_PHOTO_BYTES = env_int("CIVICDESK_MAX_PHOTO_BYTES", 10 * 1024 * 1024)
# Most pixels a photo is decoded to (what one photo costs in memory: about 2 × 4 bytes a pixel).
# Phones take 12 megapixels; their 48-200 megapixel JPEGs are decoded reduced to fit (photos.py).
CIVICDESK_MAX_PHOTO_PIXELS = env_int("CIVICDESK_MAX_PHOTO_PIXELS", 16_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Anonymous submissions allowed per client and window, e.g. "20/h", "5/m", "200/d".
CIVICDESK_SUBMISSION_RATE_LIMIT = os.environ.get("CIVICDESK_SUBMISSION_RATE_LIMIT", "20/h")
# Failed tracking-code look-ups allowed per client and window (stops guessing codes).
CIVICDESK_LOOKUP_MISS_RATE_LIMIT = os.environ.get("CIVICDESK_LOOKUP_MISS_RATE_LIMIT", "60/h")
# Wrong tokens in links (rating, unsubscribe, subscription, follow-up) allowed per client and
# window; past it every token link from that client gets 429 until the window ends.
CIVICDESK_TOKEN_MISS_RATE_LIMIT = os.environ.get("CIVICDESK_TOKEN_MISS_RATE_LIMIT", "20/h")
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
CIVICDESK_TRUSTED_PROXY_COUNT = env_int("CIVICDESK_TRUSTED_PROXY_COUNT", 0)

# Stage deadlines in working days after a case is received.
CIVICDESK_DEADLINE_ASSIGN_DAYS = env_int("CIVICDESK_DEADLINE_ASSIGN_DAYS", 1)
CIVICDESK_DEADLINE_RESPONSE_DAYS = env_int("CIVICDESK_DEADLINE_RESPONSE_DAYS", 3)
CIVICDESK_DEADLINE_ANSWER_DAYS = env_int("CIVICDESK_DEADLINE_ANSWER_DAYS", 15)
# Holidays and make-up working days, as JSON (see civicdesk/core/data/calendar-cn.json).
CIVICDESK_HOLIDAY_CALENDAR = os.environ.get(
    "CIVICDESK_HOLIDAY_CALENDAR", str(BASE_DIR / "core" / "data" / "calendar-cn.json")
)
# Days after an answer during which the reporter may reopen the case from the status page.
CIVICDESK_REOPEN_DAYS = env_int("CIVICDESK_REOPEN_DAYS", 30)
# Work orders. Returns after which a case waits for a supervisor's binding arbitration.
CIVICDESK_RETURN_LIMIT = env_int("CIVICDESK_RETURN_LIMIT", 2)
# Most working days an extension adds to the answer deadline, and a suspension may last.
CIVICDESK_EXTENSION_MAX_DAYS = env_int("CIVICDESK_EXTENSION_MAX_DAYS", 15)
CIVICDESK_SUSPENSION_MAX_DAYS = env_int("CIVICDESK_SUSPENSION_MAX_DAYS", 60)
# A new case no dispatch rule matches goes to the triage model's unit when it is sure of it.
CIVICDESK_DISPATCH_BY_SUGGESTION = env_bool("CIVICDESK_DISPATCH_BY_SUGGESTION", True)
# Working days before a supervision letter's deadline that the unit is reminded of it.
CIVICDESK_SUPERVISION_REMIND_DAYS = env_int("CIVICDESK_SUPERVISION_REMIND_DAYS", 2)

# Map tiles of every map (civicdesk/core/maps.py): osm (the default), tianditu (天地图, with
# its browser key), xyz (any URL template; its datum, wgs84 or gcj02 for 高德/腾讯 tiles) or
# none (addresses and coordinates still work). A tile URL given without a provider means xyz,
# as before there were providers; an empty one, no tiles. A setting that cannot work stops
# start-up, naming it.
CIVICDESK_MAP_TILE_URL = os.environ.get("CIVICDESK_MAP_TILE_URL", "")
CIVICDESK_MAP_PROVIDER = os.environ.get("CIVICDESK_MAP_PROVIDER") or (
    maps.XYZ if "CIVICDESK_MAP_TILE_URL" in os.environ else maps.OSM
)
CIVICDESK_MAP_SUBDOMAINS = os.environ.get("CIVICDESK_MAP_SUBDOMAINS", "")
CIVICDESK_MAP_ATTRIBUTION = os.environ.get("CIVICDESK_MAP_ATTRIBUTION", "")
CIVICDESK_MAP_DATUM = os.environ.get("CIVICDESK_MAP_DATUM", maps.WGS84)
CIVICDESK_MAP_KEY = os.environ.get("CIVICDESK_MAP_KEY", "")
try:
    maps.build_provider(
        CIVICDESK_MAP_PROVIDER,
        tile_url=CIVICDESK_MAP_TILE_URL,
        subdomains=CIVICDESK_MAP_SUBDOMAINS,
        attribution=CIVICDESK_MAP_ATTRIBUTION,
        datum=CIVICDESK_MAP_DATUM,
        key=CIVICDESK_MAP_KEY,
    )
except maps.MapConfigError as error:
    raise ImproperlyConfigured(str(error)) from None
CIVICDESK_MAP_CENTER = [float(x) for x in env_list("CIVICDESK_MAP_CENTER", ["30.2741", "120.1551"])]
# The district's bounding box, "south,west,north,east" in degrees: a reported position outside
# it is refused on every channel (civicdesk.core.positions). Empty: not checked.
# Next to the demo, its district's box (demo_settings.py), unless the environment sets one.
CIVICDESK_DISTRICT_BOUNDS = os.environ.get(
    "CIVICDESK_DISTRICT_BOUNDS", _DEMO.district_bounds if _DEMO else ""
)
parse_bounds(CIVICDESK_DISTRICT_BOUNDS)  # a malformed box stops start-up, not the first report
CIVICDESK_SITE_NAME = os.environ.get("CIVICDESK_SITE_NAME", "")
# The district's colour: buttons and the brand's name. `civicdesk check` (and every command
# that starts the server) refuses a colour that white text or the page cannot be read on.
CIVICDESK_BRAND_COLOR = os.environ.get("CIVICDESK_BRAND_COLOR", "#b3261e")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("CIVICDESK_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}


def _cache(url: str) -> dict:
    # The cache holds rate-limit and log-in throttling counters. In-process memory is right for
    # one process; several web workers or machines must share Redis, or each counts alone.
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "civicdesk.core.cache.ReusedClientRedisCache", "LOCATION": url}
    raise ImproperlyConfigured(
        f"CIVICDESK_CACHE_URL must be empty or a redis://, rediss:// or unix:// URL, not {url!r}"
    )


CACHES = {"default": _cache(os.environ.get("CIVICDESK_CACHE_URL", ""))}

EMAIL_BACKEND = os.environ.get(
    "CIVICDESK_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CIVICDESK_FROM_EMAIL", "civicdesk@localhost")

# Security: strict by default outside debug mode, so `check --deploy` passes as shipped.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("CIVICDESK_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("CIVICDESK_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CIVICDESK_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("CIVICDESK_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
if env_bool("CIVICDESK_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CIVICDESK_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

SITE_TITLE = _("civicdesk")

# Serve uploaded media from the app itself (the embedded default); off when a proxy or S3 does it.
# With S3 the local media folder is empty (links point at the bucket), so the default is off.
CIVICDESK_SERVE_MEDIA = env_bool("CIVICDESK_SERVE_MEDIA", CIVICDESK_MEDIA_STORAGE == "local")

# Where trained triage models are kept (versioned files; see civicdesk/triage/classify.py).
CIVICDESK_MODEL_DIR = Path(os.environ.get("CIVICDESK_MODEL_DIR") or DATA_DIR / "models")
# Jobs that `civicdesk enqueue_scheduled` (run every 10 minutes by a timer) puts on the queue.
CIVICDESK_SCHEDULED_TASKS = env_list(
    "CIVICDESK_SCHEDULED_TASKS",
    [
        "civicdesk.cases.tasks.escalate_overdue_cases",
        "civicdesk.cases.tasks.close_undisputed_cases",
        "civicdesk.cases.tasks.resume_due_suspensions",
        "civicdesk.supervision.tasks.remind_supervision_letters",
        "civicdesk.supervision.tasks.escalate_late_supervision_letters",
        "civicdesk.problems.tasks.train_classifier",
        "civicdesk.problems.tasks.train_unit_classifier",
        "civicdesk.problems.tasks.build_same_problem_index",
        "civicdesk.commitments.tasks.remind_due_measures",
        "civicdesk.commitments.tasks.escalate_overdue_measures",
        "civicdesk.evaluation.tasks.open_followups",
        "civicdesk.evaluation.tasks.expire_followups",
        "civicdesk.evaluation.tasks.build_return_visit_queue",
        "civicdesk.dashboard.tasks.refresh_dashboard",
        "civicdesk.notifications.tasks.deliver_outbox",
        "civicdesk.notifications.tasks.remove_old_outbox_messages",
        "civicdesk.imports.tasks.remove_old_import_reports",
        "civicdesk.inbound.tasks.assemble_waiting_sms",
        "civicdesk.inbound.tasks.poll_imap_mailbox",
        "civicdesk.nearby.tasks.send_alerts",
    ],
)
# Message imports: the largest file and most rows accepted, and where uploads and reports live
# (outside MEDIA_ROOT: only the access-checked import pages serve them).
CIVICDESK_IMPORT_MAX_BYTES = env_int("CIVICDESK_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
CIVICDESK_IMPORT_MAX_ROWS = env_int("CIVICDESK_IMPORT_MAX_ROWS", 200_000)
CIVICDESK_IMPORT_DIR = Path(os.environ.get("CIVICDESK_IMPORT_DIR") or DATA_DIR / "imports")
# Days an import's rejected-rows reports are kept after it finished (0: kept for ever).
CIVICDESK_IMPORT_REPORT_RETENTION_DAYS = env_int("CIVICDESK_IMPORT_REPORT_RETENTION_DAYS", 90)
# Failed log-ins allowed per user name and per client address before log-in is refused.
CIVICDESK_LOGIN_FAILURES_PER_USER = os.environ.get("CIVICDESK_LOGIN_FAILURES_PER_USER", "5/15m")
CIVICDESK_LOGIN_FAILURES_PER_ADDRESS = os.environ.get(
    "CIVICDESK_LOGIN_FAILURES_PER_ADDRESS", "20/h"
)
# Days back from today that every dashboard refresh rebuilds (older days only when changed).
CIVICDESK_DASHBOARD_RECENT_DAYS = env_int("CIVICDESK_DASHBOARD_RECENT_DAYS", 45)
# How notifications about commitments are sent (a dotted path to a sender class).
CIVICDESK_NOTIFICATION_SENDER = os.environ.get(
    "CIVICDESK_NOTIFICATION_SENDER", "civicdesk.notifications.senders.EmailSender"
)
# How SMS to reporters who left only a phone number is sent; the default logs, number masked.
# Outbox: attempts per message before it is marked failed; the first retry's wait (doubling).
CIVICDESK_NOTIFICATION_MAX_ATTEMPTS = env_int("CIVICDESK_NOTIFICATION_MAX_ATTEMPTS", 8)
CIVICDESK_NOTIFICATION_RETRY_SECONDS = env_int("CIVICDESK_NOTIFICATION_RETRY_SECONDS", 60)
# Days sent, failed and cancelled outbox messages are kept (0: for ever); pending ones always.
CIVICDESK_OUTBOX_RETENTION_DAYS = env_int("CIVICDESK_OUTBOX_RETENTION_DAYS", 180)
CIVICDESK_SMS_SENDER = os.environ.get(
    "CIVICDESK_SMS_SENDER", "civicdesk.notifications.senders.ConsoleSMSSender"
)
# For civicdesk.notifications.senders.HttpSMSSender: the gateway that takes JSON {"to", "text"}.
CIVICDESK_SMS_GATEWAY_URL = os.environ.get("CIVICDESK_SMS_GATEWAY_URL", "")
CIVICDESK_SMS_GATEWAY_TOKEN = os.environ.get("CIVICDESK_SMS_GATEWAY_TOKEN", "")
CIVICDESK_SMS_GATEWAY_TIMEOUT = env_int("CIVICDESK_SMS_GATEWAY_TIMEOUT", 10)
# 百姓评: working days a window's unit has to rectify a bad rating, and invitations per client
# and window that the window's QR code may hand out (stops ballot stuffing; 0 turns it off).
CIVICDESK_RECTIFICATION_DAYS = env_int("CIVICDESK_RECTIFICATION_DAYS", 15)
CIVICDESK_RATING_WINDOW_RATE_LIMIT = os.environ.get("CIVICDESK_RATING_WINDOW_RATE_LIMIT", "5/h")
# Days a reporter has to answer the satisfaction follow-up; no answer is recorded as such.
CIVICDESK_FOLLOWUP_DAYS = env_int("CIVICDESK_FOLLOWUP_DAYS", 7)
# Return visits: calls before a visit closes as not reached; days back the queue samples.
CIVICDESK_RETURN_VISIT_ATTEMPTS = env_int("CIVICDESK_RETURN_VISIT_ATTEMPTS", 3)
CIVICDESK_RETURN_VISIT_DAYS = env_int("CIVICDESK_RETURN_VISIT_DAYS", 30)
# Units with fewer cases in a period are listed, not ranked, so one fast case tops nothing.
CIVICDESK_RANKING_MIN_CASES = env_int("CIVICDESK_RANKING_MIN_CASES", 10)
# The public address of the site, put in front of links in messages (e.g.
# https://civic.example.org). Required: without it `check --deploy` fails and the outbox sends
# nothing, as a relative link cannot be tapped. The demo sets its own.
CIVICDESK_SITE_URL = os.environ.get("CIVICDESK_SITE_URL", "") or (_DEMO.site_url if _DEMO else "")
# Largest evidence file (photo or document) attached to a measure.
CIVICDESK_MAX_EVIDENCE_BYTES = env_int("CIVICDESK_MAX_EVIDENCE_BYTES", 20 * 1024 * 1024)
# Subscriptions to a public commitment allowed per client and window.
CIVICDESK_SUBSCRIBE_RATE_LIMIT = os.environ.get("CIVICDESK_SUBSCRIBE_RATE_LIMIT", "10/h")
# Cases with a category needed before a classifier is trained, and per category.
CIVICDESK_TRIAGE_MIN_EXAMPLES = env_int("CIVICDESK_TRIAGE_MIN_EXAMPLES", 50)
# Inbound channels (civicdesk.inbound): e-mail, SMS and the WeChat official account.
# Addresses `civicdesk smtpd` accepts mail for (other recipients are refused), and the IMAP
# mailbox `civicdesk imap_poll` reads, as imaps://user:password@host[:port]/MAILBOX.
CIVICDESK_MAIL_INTAKE_ADDRESSES = env_list("CIVICDESK_MAIL_INTAKE_ADDRESSES", [])
CIVICDESK_IMAP_URL = os.environ.get("CIVICDESK_IMAP_URL", "")
# STARTTLS of `civicdesk smtpd`: the certificate chain and its private key (PEM files); both
# set, the server offers STARTTLS. Requiring it refuses mail sent without it (a public MX
# should not: some servers still deliver in plain text).
CIVICDESK_SMTPD_TLS_CERT = os.environ.get("CIVICDESK_SMTPD_TLS_CERT", "")
CIVICDESK_SMTPD_TLS_KEY = os.environ.get("CIVICDESK_SMTPD_TLS_KEY", "")
CIVICDESK_SMTPD_REQUIRE_STARTTLS = env_bool("CIVICDESK_SMTPD_REQUIRE_STARTTLS", False)
# Mail bombs: the largest message, most attachments and deepest nesting of multiparts taken.
CIVICDESK_MAIL_MAX_BYTES = env_int("CIVICDESK_MAIL_MAX_BYTES", 25 * 1024 * 1024)
CIVICDESK_MAIL_MAX_ATTACHMENTS = env_int("CIVICDESK_MAIL_MAX_ATTACHMENTS", 10)
CIVICDESK_MAIL_MAX_DEPTH = env_int("CIVICDESK_MAIL_MAX_DEPTH", 5)
# Messages (new reports, additions, status questions) one sender may send per window on any
# inbound channel (e-mail address, phone number, WeChat user); 0 turns it off.
CIVICDESK_INBOUND_RATE_LIMIT = os.environ.get("CIVICDESK_INBOUND_RATE_LIMIT", "20/h")
# The SMS gateway's inbound webhook: the shared HMAC secret, how old a signed request may be
# (seconds; its nonce is remembered that long), and how long parts of a long SMS are awaited.
CIVICDESK_SMS_INBOUND_SECRET = os.environ.get("CIVICDESK_SMS_INBOUND_SECRET", "")
CIVICDESK_SMS_INBOUND_MAX_AGE = env_int("CIVICDESK_SMS_INBOUND_MAX_AGE", 300)
CIVICDESK_SMS_PARTS_WAIT = env_int("CIVICDESK_SMS_PARTS_WAIT", 600)
# The WeChat official account (公众号 console: 基本配置 → 服务器配置): token, EncodingAESKey
# (43 characters; empty: plain-text mode only), AppID, AppSecret (to download pictures), how
# old a signed request may be, and the class that downloads a picture by its media id.
CIVICDESK_WECHAT_TOKEN = os.environ.get("CIVICDESK_WECHAT_TOKEN", "")
CIVICDESK_WECHAT_ENCODING_AES_KEY = os.environ.get("CIVICDESK_WECHAT_ENCODING_AES_KEY", "")
CIVICDESK_WECHAT_APP_ID = os.environ.get("CIVICDESK_WECHAT_APP_ID", "")
CIVICDESK_WECHAT_APP_SECRET = os.environ.get("CIVICDESK_WECHAT_APP_SECRET", "")
CIVICDESK_WECHAT_MAX_AGE = env_int("CIVICDESK_WECHAT_MAX_AGE", 300)
CIVICDESK_WECHAT_MEDIA_FETCHER = os.environ.get(
    "CIVICDESK_WECHAT_MEDIA_FETCHER", "civicdesk.inbound.wechat_media.WeChatMediaFetcher"
)
# Messages to WeChat reporters (the answer of their case), sent when the AppID and AppSecret
# are set: the sender class, the HTTP transport it calls the API with, and the template
# message (模板消息) used once the user's 48-hour customer-service window has closed (empty:
# customer-service messages only). See README, "WeChat official account".
CIVICDESK_WECHAT_SENDER = os.environ.get(
    "CIVICDESK_WECHAT_SENDER", "civicdesk.inbound.wechat_send.WeChatSender"
)
CIVICDESK_WECHAT_TRANSPORT = os.environ.get(
    "CIVICDESK_WECHAT_TRANSPORT", "civicdesk.inbound.wechat_send.urllib_transport"
)
CIVICDESK_WECHAT_TEMPLATE_ID = os.environ.get("CIVICDESK_WECHAT_TEMPLATE_ID", "")
# Reports near you (civicdesk.nearby) and moderation: "me too" per client and window; area
# alert subscriptions per client and window, the widest circle (metres) and the alerts one
# e-mail address may hold; reports of inappropriate content per client and window.
CIVICDESK_METOO_RATE_LIMIT = os.environ.get("CIVICDESK_METOO_RATE_LIMIT", "30/h")
CIVICDESK_ALERT_SUBSCRIBE_RATE_LIMIT = os.environ.get(
    "CIVICDESK_ALERT_SUBSCRIBE_RATE_LIMIT", "10/h"
)
CIVICDESK_ALERT_MAX_RADIUS = env_int("CIVICDESK_ALERT_MAX_RADIUS", 5000)
CIVICDESK_ALERT_MAX_PER_ADDRESS = env_int("CIVICDESK_ALERT_MAX_PER_ADDRESS", 10)
CIVICDESK_ABUSE_REPORT_RATE_LIMIT = os.environ.get("CIVICDESK_ABUSE_REPORT_RATE_LIMIT", "5/h")
