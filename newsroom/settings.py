"""Newsroom settings, read from the environment with safe defaults.

Without DATABASE_URL the site runs on a SQLite file next to manage.py;
set DATABASE_URL=postgres://… in production.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

# `make run` keeps a generated key in .secret_key, so manage.py works in that checkout without exporting it.
SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE", BASE_DIR / ".secret_key"))
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=1 for local development).")
    SECRET_KEY = "insecure-debug-only-key"  # noqa: S105 - used only when DEBUG is on

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "csp",
    "django_filters",
    "taggit",
    "reversion",
    "django_prose_editor",
    "articles",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (strict on the public site, a little looser in the admin) and Permissions-Policy.
    "newsroom.security.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers If-None-Match / If-Modified-Since with 304 for pages that carry an ETag or Last-Modified.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: the django_language cookie (set by /language/<code>/), else Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A public page that cannot reach the database answers 503 with Retry-After rather than 500.
    "articles.site.outages.DatabaseOutageMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "articles.site.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "uk")
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A reader's choice of interface language is remembered for a year (Django's default ends with the browser session).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Kyiv")
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["newsroom.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# In development WhiteNoise finds files straight from the apps, so collectstatic is optional.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded hero images are served by Django only when asked (the embedded demo);
# production serves MEDIA_ROOT from the web server or object storage.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

SITE_NAME = os.environ.get("SITE_NAME", "Newsroom")
# The public address, e.g. https://news.example.org: exports use it for absolute links.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
STORIES_PER_PAGE = int(os.environ.get("STORIES_PER_PAGE", "20"))

# Public pages are cached this long (and browsers and proxies told so), never past the next scheduled
# publication; 0 turns the page cache off. See articles/site/caching.py.
PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", "120"))
# How long a "Share preview" link works unless revoked sooner (articles.newsdesk.previews).
SHARE_PREVIEW_HOURS = int(os.environ.get("SHARE_PREVIEW_HOURS", "48"))
# Local memory is per process: with several workers, set REDIS_URL so that an edit reaches all of them at once.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # A Redis that is down or hung costs one REDIS_TIMEOUT, then pages go without it for REDIS_RETRY_AFTER
    # seconds (newsroom/cache.py) rather than waiting on every cache call.
    REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.25"))
    CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "newsroom",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT,
                "socket_timeout": REDIS_TIMEOUT,
                "retry_after": float(os.environ.get("REDIS_RETRY_AFTER", "15")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "newsroom"}}

TAGGIT_CASE_INSENSITIVE = True

# Security headers. Outside DEBUG the site is taken to be served over HTTPS unless SECURE_COOKIES=0 says
# otherwise (the plain-HTTP demo of `make run`): then there is no redirect to https and no HSTS.
SERVED_OVER_HTTPS = not DEBUG and env_bool("SECURE_COOKIES", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = os.environ.get("REFERRER_POLICY", "strict-origin-when-cross-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SERVED_OVER_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 60 * 60) if SERVED_OVER_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", SERVED_OVER_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", SERVED_OVER_HTTPS)
SESSION_COOKIE_SECURE = SERVED_OVER_HTTPS
CSRF_COOKIE_SECURE = SERVED_OVER_HTTPS

# django-csp. Public pages carry no inline script or style (tests/test_security_headers.py checks the
# templates), so neither needs 'unsafe-inline'; JSON-LD is a data block, which CSP does not govern.
_csp_report_uri = os.environ.get("CSP_REPORT_URI", "")
_media_origin = ["/".join(MEDIA_URL.split("/")[:3])] if MEDIA_URL.startswith(("http://", "https://", "//")) else []
_csp_policy = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Imported stories keep their hero and body images on the agency's host: https: by default; a list of
        # hosts in CSP_IMG_SRC narrows it. The media host is added when media is served from elsewhere.
        "img-src": ["'self'", "data:", *env_list("CSP_IMG_SRC", "https:"), *_media_origin],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"upgrade-insecure-requests": True} if SERVED_OVER_HTTPS else {}),
        **({"report-uri": [_csp_report_uri]} if _csp_report_uri else {}),
    }
}
# CSP_REPORT_ONLY=1 sends the policy as Content-Security-Policy-Report-Only: violations reported, nothing blocked.
if env_bool("CSP_REPORT_ONLY"):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp_policy
else:
    CONTENT_SECURITY_POLICY = _csp_policy

# Browser features no page of the site uses are turned off for it and for anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The search normaliser's dictionaries announce every load at INFO.
    "loggers": {"pymorphy3": {"level": "WARNING"}},
}

# Imports from http(s) URLs: seconds to wait, and the largest download accepted.
IMPORT_FETCH_TIMEOUT = float(os.environ.get("IMPORT_FETCH_TIMEOUT", "20"))
IMPORT_MAX_DOWNLOAD_BYTES = int(os.environ.get("IMPORT_MAX_DOWNLOAD_BYTES", str(50 * 1024 * 1024)))

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords in a row for one user name from one
# address, that pair is refused for LOGIN_COOLOFF_MINUTES; other addresses and other users still log in. Failures
# are kept in the database (AccessAttempt, in the admin, where an editor unlocks them by deleting the row).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")) / 60  # axes counts in hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "articles.newsdesk.admin.lockout.lockout_response"
# The address a request came from: X-Forwarded-For only behind our own proxy (BEHIND_TLS_PROXY), which
# appends the real address to; anywhere else the header is whatever the client wrote.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY")
AXES_CLIENT_IP_CALLABLE = "newsroom.client_ip.client_ip"
AXES_VERBOSE = False
