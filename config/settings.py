"""Threadline settings: one file, driven by environment variables with safe defaults.

Environment:
    DEBUG           "1"/"true" for local development; off unless set.
    SECRET_KEY      required in production; a development key is used otherwise.
    ALLOWED_HOSTS   comma-separated host names (default: 127.0.0.1,localhost).
    DATABASE_URL    e.g. postgres://postgres@127.0.0.1:5432/threadline; when unset or
                    empty, an SQLite file under var/ is used.
    DATABASE_REPLICA_URL  a read replica of that database: anonymous readers' public pages
                    read from it, everything else uses the primary (debate/routers.py).
    REDIS_URL       e.g. redis://127.0.0.1:6379/0: the shared cache for every app process
                    (cards, pages, the edit counter, sessions); local memory otherwise.
    PROXY_COUNT     how many trusted proxies stand in front (default 0): with 1 or more, a
                    client's address (for login lockouts) is read from X-Forwarded-For.
    SITE_URL        the canonical origin, e.g. https://threadline.example: every absolute
                    URL on a page is built from it, never from the request's Host.
See docs/deploy.md for the topology these make.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
DEVELOPMENT_KEY = "django-insecure-threadline-development-only"

# The development key and host list exist so that development needs no set-up. Production
# (DEBUG off) must name its own: refuse to start otherwise. Tests run in production mode with
# a key and hosts of their own (config/settings_test.py), so these checks hold there too.
SECRET_KEY = os.environ.get("SECRET_KEY") or DEVELOPMENT_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
if not DEBUG:
    if SECRET_KEY == DEVELOPMENT_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Production needs its own SECRET_KEY (50+ random characters). Set it in the "
            "environment, or set DEBUG=1 for local development."
        )
    if not env_list("ALLOWED_HOSTS", ""):
        raise ImproperlyConfigured(
            "Production needs ALLOWED_HOSTS (comma-separated host names) in the environment."
        )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Querysets feeding the cards (debate.timeline.card_fetch_mode): a relation nobody loaded costs
# one query per batch of posts (not one per card); under tests it is an error instead
# (config/settings_test.py).
THREADLINE_FETCH_MODE = "peers"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "debate",
]

MIDDLEWARE = [
    # First: a body declared over the limit is refused before anything reads it.
    "debate.http.limits.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "debate.http.origin.CanonicalOriginMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one username from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# The client's address, for lockouts, as django-ipware reads it for axes. With no trusted proxy
# (PROXY_COUNT=0) it is REMOTE_ADDR and any X-Forwarded-For is ignored: a client could write
# it. Behind PROXY_COUNT trusted proxies, each appending the address it saw, the header holds
# exactly that many entries and the left-most is the client; a longer chain (the client wrote
# entries of its own) is not believed, and the address falls back to REMOTE_ADDR.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT") or "0")
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("PROXY_COUNT is the number of trusted proxies: 0 or more.")


def client_address_settings(proxy_count: int, headers: list[str]) -> dict:
    """The django-ipware settings axes honours, for ``proxy_count`` trusted proxies."""
    if proxy_count == 0:
        return {
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ["REMOTE_ADDR"],
            "AXES_IPWARE_PROXY_COUNT": None,
            "AXES_IPWARE_PROXY_ORDER": "left-most",
        }
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": [*headers, "REMOTE_ADDR"],
        # ipware counts the proxies between the client and the last one (whose address is
        # REMOTE_ADDR), and in strict mode (its default) wants exactly that chain.
        "AXES_IPWARE_PROXY_COUNT": proxy_count - 1,
        "AXES_IPWARE_PROXY_ORDER": "left-most",
    }


_client_address = client_address_settings(
    PROXY_COUNT, env_list("AXES_IP_HEADERS", "HTTP_X_FORWARDED_FOR")
)
AXES_IPWARE_META_PRECEDENCE_ORDER = _client_address["AXES_IPWARE_META_PRECEDENCE_ORDER"]
AXES_IPWARE_PROXY_COUNT = _client_address["AXES_IPWARE_PROXY_COUNT"]
AXES_IPWARE_PROXY_ORDER = _client_address["AXES_IPWARE_PROXY_ORDER"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL says otherwise. An empty DATABASE_URL counts as
# unset: dj-database-url would otherwise hand Django its dummy backend.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'threadline.sqlite3'}",
        # 0 under tests (config/settings_test.py).
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# Facet counts sort every public stance for COUNT(DISTINCT); at PostgreSQL's default 4 MB that
# sort spills to disk from about 100,000 posts (docs/performance.md). Per connection, so the
# server's own setting is left alone.
DATABASE_WORK_MEM = os.environ.get("DATABASE_WORK_MEM", "16MB")


def with_work_mem(config: dict) -> dict:
    if "postgresql" in config["ENGINE"] and DATABASE_WORK_MEM:
        config.setdefault("OPTIONS", {})["options"] = f"-c work_mem={DATABASE_WORK_MEM}"
    return config


with_work_mem(DATABASES["default"])
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    with_work_mem(DATABASES["replica"])
    # Under tests the alias is the primary itself: there is no second server to copy to.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["debate.http.routers.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# Posts are dated as the sources date them; keep storage and display in UTC so that a
# date-only post ("March 2, 2024") never shifts to the day before.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "admin:login"
# Where a login lands when its ?next= is missing or unsafe (Django's default, /accounts/profile/,
# is no page here).
LOGIN_REDIRECT_URL = "admin:index"

SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")

# Request bodies (debate/http/limits.py). The largest legitimate body is an article import: a
# file or pasted text of at most 2 MB (debate.imports.lines.MAX_BYTES), or its confirmation,
# which sends the text back with the editor's choices. The proxy in front should refuse at the
# same size (docs/deploy.md: client_max_body_size).
THREADLINE_MAX_REQUEST_BYTES = 4 * 1024 * 1024
THREADLINE_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "debate.http.limits.LimitedUploadHandler",  # stops a file at the limit while it streams
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Caches: "default" holds rendered cards, facet counts and (with Redis) the edit counter;
# "pages" holds whole rendered pages, kept apart so that a few large pages cannot evict
# thousands of small cards. Local memory is per process and needs nothing installed; Redis
# is shared by every process on every host (docs/deploy.md). Sessions stay in the database
# either way (cached in Redis when there is one), so app processes keep no state of their own.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHE_PREFIX = os.environ.get("CACHE_PREFIX", "threadline")
if REDIS_URL:
    CACHES = {
        alias: {
            "BACKEND": "debate.http.cache.RedisCache",  # Django's, reusing its client
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_PREFIX}:{alias}",
            "TIMEOUT": None,
        }
        for alias in ("default", "pages")
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"{CACHE_PREFIX}-default",
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "20000"))},
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"{CACHE_PREFIX}-pages",
            "TIMEOUT": None,
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_MAX_ENTRIES", "500"))},
        },
    }
# With a shared cache, the edit counter lives there (one Redis GET per page view instead of a
# query); debate/pagecache.py explains why this stays in the database when there is a replica.
THREADLINE_VERSION_IN_CACHE = bool(REDIS_URL)

# Content Security Policy: nonces for our few script tags, nothing inline otherwise.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS in production (see README, "Production"): redirect, and HSTS on secure responses.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Lockouts are logged by django-axes at WARNING.
    "loggers": {"axes": {"level": "INFO"}},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
