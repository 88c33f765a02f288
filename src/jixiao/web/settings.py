"""Django settings, read from the environment.

``JIXIAO_DATA_DIR`` (default ``./jixiao-data``) holds the SQLite database and the
secret key; ``DATABASE_URL`` switches to PostgreSQL. ``JIXIAO_SECRET_KEY``,
``JIXIAO_ALLOWED_HOSTS`` (comma-separated) and ``JIXIAO_DEBUG=1`` override.
Behind an HTTPS reverse proxy: ``JIXIAO_HTTPS=1`` (trust its X-Forwarded-Proto,
Secure cookies, HSTS for ``JIXIAO_HSTS_SECONDS``), ``JIXIAO_CSRF_TRUSTED_ORIGINS``
(comma-separated, "https://jx.example.cn") and ``JIXIAO_PROXY_COUNT`` (how many
proxies append to X-Forwarded-For, for the login lockout) and ``JIXIAO_TRUSTED_PROXIES``
(whose X-Forwarded-* headers ``jixiao serve`` believes); see docs/web.md.
Importing this module writes nothing: ``jixiao serve`` creates the data directory
and the key file before Django starts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from jixiao.web.database import from_url, sqlite_in

DATA_DIR = Path(os.environ.get("JIXIAO_DATA_DIR", "jixiao-data")).resolve()
SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    if key := os.environ.get("JIXIAO_SECRET_KEY"):
        return key
    if SECRET_KEY_FILE.is_file():
        return SECRET_KEY_FILE.read_text().strip()
    return secrets.token_urlsafe(50)  # this process only: sessions end on restart


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("JIXIAO_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("JIXIAO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its Swagger UI files, served locally (intranets are offline)
    "axes",
    "jixiao.web.orgs",
    "jixiao.web.evaluations",
    "jixiao.web.pages",
    "jixiao.web.tasks",
    "jixiao.web.year",
    "jixiao.web.manage",
    "jixiao.web.sources",  # the file a form was imported from, its pages drawn
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jixiao.web.edge.Edge",  # no-store, the CSP, body size, JSON errors under /api
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jixiao.web.sessions.IdleExpiry",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jixiao.web.evaluations.actions.trail.Actor",  # who acts in the trail's model events
    "jixiao.web.orgs.views.MustChange",  # a password to change first: the change page only
    "jixiao.web.orgs.security.Denials",  # every 403 on the security log
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jixiao.web.urls"
WSGI_APPLICATION = "jixiao.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else sqlite_in(DATA_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jixiao.web.accounts.LengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jixiao.web.accounts.ClassesValidator"},
    {"NAME": "jixiao.web.accounts.NotUsernameValidator"},
    {"NAME": "jixiao.web.accounts.CommonValidator"},
]
# A password older than this many days must be changed at the next sign-in (0: never).
JIXIAO_PASSWORD_DAYS = int(os.environ.get("JIXIAO_PASSWORD_DAYS", "0"))
# Django admin (until the product's own administration pages): open to the system and
# security administrators only; JIXIAO_ADMIN=0 turns it off.
JIXIAO_ADMIN = os.environ.get("JIXIAO_ADMIN", "1") != "0"
# The administrator roles give a TOTP code after the password (JIXIAO_ADMIN_TOTP=1).
JIXIAO_ADMIN_TOTP = os.environ.get("JIXIAO_ADMIN_TOTP") == "1"

# Login lockout (django-axes): 5 failures for one account from one address lock
# it for 30 minutes; the web login, admin and the API token endpoint all count.
AUTHENTICATION_BACKENDS = [
    "jixiao.web.orgs.lockout.AccountLockout",  # per account, across addresses
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # the counters; the security log keeps every failure
# One account, whatever the addresses: this many failures in AXES_COOLOFF_TIME lock it.
JIXIAO_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("JIXIAO_ACCOUNT_FAILURE_LIMIT", "20"))
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "jixiao.web.orgs.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "jixiao.web.orgs.lockout.client_address"

# Sessions end after two idle hours (renewed at most once a minute: jixiao.web.sessions)
# and when the browser closes.
SESSION_COOKIE_AGE = 2 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Behind an HTTPS reverse proxy (JIXIAO_HTTPS=1): the proxy says the request was
# HTTPS, so the CSRF origin check expects https://, and the cookies go over HTTPS only.
if os.environ.get("JIXIAO_HTTPS") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("JIXIAO_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("JIXIAO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Proxies in front that append the address they saw to X-Forwarded-For: the
# lockout counts the client that many places from the right, not the proxy.
JIXIAO_PROXY_COUNT = int(os.environ.get("JIXIAO_PROXY_COUNT", "0"))
# The addresses (or networks, 10.0.0.0/8) of the proxies whose X-Forwarded-For and
# X-Forwarded-Proto ``jixiao serve`` believes; from anyone else they are removed before
# Django sees the request. Behind a proxy (JIXIAO_HTTPS=1 or JIXIAO_PROXY_COUNT) the
# default is this machine (nginx on the same host).
JIXIAO_TRUSTED_PROXIES = [
    a.strip()
    for a in os.environ.get(
        "JIXIAO_TRUSTED_PROXIES",
        "127.0.0.1,::1" if os.environ.get("JIXIAO_HTTPS") == "1" or JIXIAO_PROXY_COUNT else "",
    ).split(",")
    if a.strip()
]
# The trail key (an HMAC key outside the database, the same on every app server):
# JIXIAO_TRAIL_KEY, else this file (mode 0600; older keys first, the current one last).
JIXIAO_TRAIL_KEY_FILE = Path(os.environ.get("JIXIAO_TRAIL_KEY_FILE") or DATA_DIR / "trail_key")
# How long an API token works (POST /api/auth/token says until when).
JIXIAO_API_TOKEN_DAYS = int(os.environ.get("JIXIAO_API_TOKEN_DAYS", "30"))

# Mail (催报 reminders, alerts to ADMINS): SMTP where JIXIAO_SMTP_HOST is set, else none is sent.
EMAIL_HOST = os.environ.get("JIXIAO_SMTP_HOST", "")
EMAIL_PORT = int(os.environ.get("JIXIAO_SMTP_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("JIXIAO_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JIXIAO_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("JIXIAO_SMTP_TLS", "1") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("JIXIAO_MAIL_FROM", "jixiao@localhost")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]  # the pages: Chinese first, English switchable
LOGIN_URL = "pages:login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "pages:login"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Figures kept between requests under the trail's head (jixiao.web.evaluations.selectors.cached):
# the dashboards' JSON, the years of a scope, a list's count. Per process here — each process
# reads the head from the database, so no process serves another's stale figures; a shared
# cache (Redis, memcached) may replace it without changing anything else.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "jixiao",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = (
    True  # serve the apps' static files straight from the packages, no collectstatic
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Background tasks (jixiao.web.tasks): a worker holds a task this many seconds without
# renewing (it renews every third of it); a worker dead longer loses the task to another.
JIXIAO_TASK_LEASE = int(os.environ.get("JIXIAO_TASK_LEASE", "60"))
# A bulk import (批量导入): at most this many files (a zip's members counted) and bytes
# (unpacked) at once; its request body may be that large, every other one 21 MB.
JIXIAO_BULK_FILES = int(os.environ.get("JIXIAO_BULK_FILES", "2000"))
JIXIAO_BULK_BYTES = int(os.environ.get("JIXIAO_BULK_BYTES", str(200 * 1024 * 1024)))
# The nightly backup (a background task at 03:00 Beijing time) into this folder, when set,
# encrypted under JIXIAO_BACKUP_PASSPHRASE if that is set; the newest JIXIAO_BACKUP_KEEP kept.
JIXIAO_BACKUP_DIR = os.environ.get("JIXIAO_BACKUP_DIR", "")
JIXIAO_BACKUP_KEEP = int(os.environ.get("JIXIAO_BACKUP_KEEP", "14"))
JIXIAO_RESULT_DAYS = int(os.environ.get("JIXIAO_RESULT_DAYS", "7"))  # a task's file is kept
JIXIAO_IMPORT_WORKERS = int(os.environ.get("JIXIAO_IMPORT_WORKERS", "1"))  # reader processes
DATA_UPLOAD_MAX_NUMBER_FILES = JIXIAO_BULK_FILES + 10
