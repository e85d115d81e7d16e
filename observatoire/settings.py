"""Django settings, read from environment variables (see README, "Configuration").

Every variable goes through a small typed helper that fails loudly on a bad value, so a
misconfigured production server refuses to start instead of running half-configured.
"""

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the content of the file named by NAME_FILE (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A rate limit such as "5/h": a count per second, minute, hour or day (s, m, h, d)."""
    value = env(name) or default
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", value):
        raise ImproperlyConfigured(f"{name} must look like 5/h (count/s|m|h|d), got {value!r}")
    return value


ENVIRONMENT = env("OBSERVATOIRE_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured(
        f"OBSERVATOIRE_ENV must be development, production or test, got {ENVIRONMENT!r}"
    )
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production")
    SECRET_KEY = "development-only-key-never-use-in-production-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = (env("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

DATA_DIR = Path(env("DATA_DIR", str(PROJECT_DIR / "data")) or "data")
MEDIA_ROOT = DATA_DIR / "media"
# Where the Public Sector Tech Watch CSV is looked for (never committed; see cas_usage/pstw.py).
PSTW_DIR = Path(env("PSTW_DIR", str(PROJECT_DIR.parent / "shared" / "data" / "pstw")) or ".")
MEDIA_URL = "/media/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "csp",
    # The project package itself: the commands that span the apps (demo, search), its
    # templates (base.html) and static files, found as any app's; before
    # ninja, so that its ninja/swagger.html (lang="en", our favicon) overrides ninja's.
    "observatoire",
    "ninja",  # the API docs' Swagger UI from local static files, not a CDN (CSP)
    "observatoire.core",
    "observatoire.accounts",
    "observatoire.territoires",
    "observatoire.questionnaires",
    "observatoire.barometre",
    "observatoire.registre",
    "observatoire.cas_usage",
    "observatoire.diagnostic",
    # --- Service (issue 14): the task queue and its database backend
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "observatoire.core.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Kept public pages served before the rest: no session, CSRF, auth or CSP work (core.cache)
    "observatoire.core.cache.CachedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "observatoire.accounts.middleware.AuthenticationMiddleware",  # roles' vocabulary, login
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "observatoire.core.middleware.AuditActorMiddleware",
]

ROOT_URLCONF = "observatoire.urls"
WSGI_APPLICATION = "observatoire.wsgi.application"

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
                "observatoire.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'observatoire.sqlite3'}") or "",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too, not Django's shared in-memory database: there a reader and a
    # writer on two threads (a page polling a background job) fail with "table is locked"
    # at once instead of waiting, which production's WAL file never does. One per process.
    # Covering indexes (Index.include) are for PostgreSQL; SQLite builds them without the
    # extra column, which its indexes carry anyway as the rowid: the warning is noise there.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"observatoire-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:landing"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# Off: ids and codes in templates must never be grouped ("109 210"); displayed figures
# use the humanize or barometre filters, which group as French readers expect.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "observatoire@localhost")
# Where people write to the observatory's team (shown to an agent ProConnect cannot place).
CONTACT_EMAIL = env("CONTACT_EMAIL", DEFAULT_FROM_EMAIL)

# ProConnect (OpenID Connect): on when a client id is given; the endpoints are ProConnect's.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "")
PROCONNECT_ENABLED = bool(OIDC_RP_CLIENT_ID)
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
if PROCONNECT_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(0, "observatoire.accounts.oidc.ProConnectBackend")
    OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET")
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("OIDC_RP_CLIENT_SECRET is required with OIDC_RP_CLIENT_ID")
    _issuer = (env("OIDC_OP_BASE_URL", "https://proconnect.gouv.fr/api/v2") or "").rstrip("/")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", f"{_issuer}/authorize")
    OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", f"{_issuer}/token")
    OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", f"{_issuer}/userinfo")
    OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", f"{_issuer}/jwks")
    OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", f"{_issuer}/session/end")
    OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = "openid email given_name usual_name siret"
    OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
    LOGIN_REDIRECT_URL_FAILURE = "/comptes/proconnect/refus/"  # accounts:proconnect_refused

# --- Abuse limits (issue 15, see docs/security.md) ------------------------------------
# Logins: django-axes refuses an account, and separately a client address, after
# LOGIN_FAILURE_LIMIT failures, for LOGIN_LOCKOUT_MINUTES after the last one; analysts unlock
# at /comptes/verrous/. The other limits count in Django's cache (CACHES), per client address
# and per account or e-mail address: RATE_LIMITS. Behind REVERSE_PROXY_COUNT proxies, the
# client's address is read from X-Forwarded-For (core.throttle.client_ip).
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS.insert(0, "axes.backends.AxesStandaloneBackend")
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures only: no record of every successful login
AXES_LOCKOUT_CALLABLE = "observatoire.accounts.views.locked_out"  # a French page, 429
AXES_CLIENT_IP_CALLABLE = "observatoire.core.throttle.client_ip"
AXES_VERBOSE = False
NINJA_NUM_PROXIES = env_int("REVERSE_PROXY_COUNT", 0)
RATE_LIMITS = {
    "password_reset": env_rate("RATE_LIMIT_PASSWORD_RESET", "5/h"),
    "contact": env_rate("RATE_LIMIT_CONTACT", "5/h"),
    "api_write": env_rate("RATE_LIMIT_API_WRITE", "120/m"),
}

# --- Service (issue 14): task queue, cache, errors, logs ---------------------------------
# Jobs (weighting runs, PDF reports) go through django-tasks' database backend: a row in
# this database, run by `observatoire worker`. A running job beats every
# JOB_HEARTBEAT_SECONDS; one silent for JOB_TIMEOUT_SECONDS lost its worker (core.jobs).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10)
JOB_TIMEOUT_SECONDS = env_int("JOB_TIMEOUT_SECONDS", 60)

# Cache: Redis when CACHE_URL says so (redis://host:6379/0), else this process's memory.
# Public pages are kept until what they show changes (core.cache). A change renews the
# pages of the cache its process writes to: Redis is shared by every process; a process's
# memory is not (another gunicorn worker, a command), so there pages live a minute only.
CACHE_URL = env("CACHE_URL", "") or ""
SHARED_CACHE = CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
if SHARED_CACHE:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL in {"", "locmem://"}:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(f"CACHE_URL must be redis://… or locmem://, got {CACHE_URL!r}")
CACHE_PAGES_SECONDS = env_int("CACHE_PAGES_SECONDS", 24 * 3600 if SHARED_CACHE else 60)

# Errors to Sentry (or a compatible service such as GlitchTip) when SENTRY_DSN is set.
SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(dsn=SENTRY_DSN, environment=ENVIRONMENT, send_default_pii=False)

# Demonstration data is labelled on every page while this is on.
DEMO_MODE = env_bool("DEMO_MODE", default=not PRODUCTION)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# One JSON line per event in production (LOG_FORMAT=json|text to choose).
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")

# --- Bounded input (issue 15; docs/security.md) ------------------------------------------
# The whole request body, refused from its Content-Length before anything reads it (413);
# nginx's client_max_body_size should say the same.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 25 * 1024 * 1024)
# One uploaded file (every file field, the API's imports and the command line's files).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# An XLSX is checked before any reader opens it: its members once inflated, and each
# sheet's rows and rows × columns, as declared (<dimension>) or used (cell references).
XLSX_MAX_UNCOMPRESSED_BYTES = env_int("XLSX_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024)
XLSX_MAX_ROWS = env_int("XLSX_MAX_ROWS", 100_000)
XLSX_MAX_CELLS = env_int("XLSX_MAX_CELLS", 2_000_000)
# Form fields (not files) kept in memory, and their count: Django's defaults, said here.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Content-Security-Policy (django-csp; issue 15; docs/security.md) ---------------------
# Scripts and styles from this site only: no inline script, style or event handler
# anywhere (they live in static files). Vega runs its expressions through the vendored
# vega-interpreter, so no 'unsafe-eval'; it draws SVG and reads its spec from a
# <script type="application/json">, which CSP does not execute. data: images are the
# charts' and browsers' own. Only the embeddable register page may be framed
# (registre.views.authority_embed replaces frame-ancestors).
_form_action = ["'self'"]
if PROCONNECT_ENABLED:  # the login form's redirect goes to the identity provider
    from urllib.parse import urlsplit

    _op = urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT or "")
    _form_action.append(f"{_op.scheme}://{_op.netloc}")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": _form_action,
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "observatoire.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every page it lays out; keep its warnings only.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
