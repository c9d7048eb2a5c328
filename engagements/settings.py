"""One settings module, driven by environment variables (see docs/architecture.md)."""

import os
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or os.environ.get("ENGAGEMENTS_TESTING") == "1"


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Environment variable {name} is required")
    return value


def envbool(name: str, default: str) -> bool:
    value = env(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def envint(name: str, default: str) -> int:
    try:
        return int(env(name, default))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer") from exc


SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Demo switch: `make demo` writes ENGAGEMENTS_DEMO=1 into var/demo.env, which manage.py reads
# (see engagements/demo_env.py), so the README's commands run as printed on the demo machine.
# It only changes defaults (DEBUG, SECRET_KEY) and is refused on an https site.
DEMO = envbool("ENGAGEMENTS_DEMO", "false")
if DEMO and SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("ENGAGEMENTS_DEMO=1 is for a local demo, not an https site")
DEBUG = envbool("DEBUG", "true" if DEMO else "false")
_demo_key = "demo-only-insecure-key-never-use-in-production"
SECRET_KEY = env("SECRET_KEY", _demo_key if (DEBUG or TESTING) else None)
# Former keys, comma-separated, still accepted for signatures (sessions, follow links)
# while a new SECRET_KEY is rolled out (docs/operations.md, "Rotating SECRET_KEY").
SECRET_KEY_FALLBACKS = [k.strip() for k in env("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "dsfr",
    "django_q",
    "simple_history",
    "axes",
    "ninja",  # the API docs page served from the package's own assets (no CDN)
    "engagements.shell",
    "engagements.organisation",
    "engagements.calendar",
    "engagements.outbox",
    "engagements.home",
    "engagements.correspondence",
    "engagements.appointments",
    "engagements.surveys",
    "engagements.committee",
    "engagements.faq",
    "engagements.proconnect",
    "engagements.quality",
    "engagements.indicators",
    "engagements.operations",  # /metrics, backup and restore (docs/operations.md)
]

MIDDLEWARE = [
    "engagements.middleware.RequestLogMiddleware",
    "engagements.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "engagements.middleware.SecurityHeadersMiddleware",
    "engagements.middleware.BodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "engagements.middleware.FlowLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

if TESTING:
    # The test server serves static files through the finders; no collected files.
    MIDDLEWARE.remove("whitenoise.middleware.WhiteNoiseMiddleware")

# Widgets may use the project's shared templates (components/proof_of_work.html); selects
# are written in Python (engagements/forms.py).
FORM_RENDERER = "engagements.forms.FormRenderer"

ROOT_URLCONF = "engagements.urls"
WSGI_APPLICATION = "engagements.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "engagements" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "engagements.context_processors.shell",
                "engagements.shell.context_processors.addresses",
            ],
            # `{% load plain_language %}{% plain_language_report … %}` (the checker's tag);
            # `{% load words %}{{ agent|person }}`.
            "libraries": {
                "plain_language": "engagements.plain_language",
                "words": "engagements.words",
            },
        },
    }
]
if TESTING:
    # Undefined template variables fail loudly in tests.
    class _InvalidVar(str):
        def __mod__(self, other):
            raise NameError(f"Undefined template variable: {other}")

        def __bool__(self):
            # Keep `{% if missing %}` falsy, as in production.
            return False

    TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = _InvalidVar("%s")

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=0 if TESTING else 60,
        # A connection kept across requests is checked before reuse: after a database
        # restart the first request reconnects instead of answering 500. A quiet socket
        # counts as healthy without a round trip (engagements/postgres/base.py).
        conn_health_checks=True,
    )
}
# Django's PostgreSQL backend with that cheaper check.
POSTGRES_ENGINE = "engagements.postgres"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = POSTGRES_ENGINE
IS_POSTGRES = DATABASES["default"]["ENGINE"] == POSTGRES_ENGINE
# SQLite cannot enforce "nulls not distinct" unique constraints; services check those too.
SILENCED_SYSTEM_CHECKS = [] if IS_POSTGRES else ["models.W047", "models.W040"]
if not IS_POSTGRES:
    # Several processes (web server and job worker) share the demo's SQLite file: WAL lets
    # readers and one writer work at once, and a writer waits (busy timeout) instead of
    # failing with "database is locked"; IMMEDIATE takes the write lock at BEGIN, so a
    # transaction never fails halfway when it upgrades from reading to writing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
# A web request never outlives its client: gunicorn's worker timeout (30 s) does not stop a
# gthread worker's request, so the database stops its statements after
# WEB_STATEMENT_TIMEOUT seconds (the page answers 503, the API its JSON 503). Only the web
# processes (engagements/wsgi.py); commands and the job worker keep no limit.
WEB_STATEMENT_TIMEOUT = float(env("WEB_STATEMENT_TIMEOUT", "20"))  # seconds; 0: no limit
WEB_PROCESS = os.environ.get("ENGAGEMENTS_WEB") == "1"
# PostgreSQL's JIT compiler stays off (DATABASE_JIT=true turns it back on): it compiles a
# query whose estimated cost passes `jit_above_cost`, and our reports and figures pass it
# on a register of 100,000 messages, where compiling costs 0.5 s for a query that runs in
# 0.05 s (docs/deployment.md).
DATABASE_JIT = envbool("DATABASE_JIT", "false")
# The PostgreSQL settings of this process's connections (primary and replica), set once per
# connection by the engine (engagements/postgres/base.py), not as libpq startup options,
# which a pooler refuses (docs/deployment.md, "Connection pooler").
POSTGRES_SESSION_SETTINGS = ({} if DATABASE_JIT else {"jit": "off"}) | (
    {"statement_timeout": str(int(WEB_STATEMENT_TIMEOUT * 1000))}
    if WEB_PROCESS and WEB_STATEMENT_TIMEOUT > 0
    else {}
)
if IS_POSTGRES and POSTGRES_SESSION_SETTINGS:
    DATABASES["default"]["SESSION_SETTINGS"] = POSTGRES_SESSION_SETTINGS
# An optional PostgreSQL streaming replica (docs/deployment.md, "Read replica"): the pages
# and commands marked with engagements.db_router.replica_reads (figures, dashboards, public
# results, posters, reports, exports, the API's GET endpoints) read from it, a few seconds
# late at most; everything else, every write and a write's transaction use the primary. An
# unreachable replica sends the reads back to the primary (a warning is logged). The test
# process ignores it (its replica tests start their own); a mirror if ever configured.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL and not TESTING:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL")
    DATABASES["replica"]["ENGINE"] = POSTGRES_ENGINE
    # A replica that does not answer is given up after 3 s (then the primary serves).
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    if POSTGRES_SESSION_SETTINGS:
        DATABASES["replica"]["SESSION_SETTINGS"] = POSTGRES_SESSION_SETTINGS
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["engagements.db_router.ReplicaRouter"]
    # The browser that has just written reads its own writes (5 s on the primary).
    MIDDLEWARE.append("engagements.db_router.PrimaryAfterWriteMiddleware")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Password login for agents; production may switch it off in favour of ProConnect (OIDC).
PASSWORD_LOGIN_ENABLED = envbool("PASSWORD_LOGIN_ENABLED", "true")
# Login throttling (django-axes; engagements/organisation/login_throttle.py): 10 failures for
# one account from one address within 15 minutes lock that account for that address 15 min.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked account × address pairs
    "django.contrib.auth.backends.ModelBackend",
    "engagements.proconnect.backends.ProConnectBackend",  # inactive unless OIDC_ENABLED
]
# Failures counted in the database: every app server sees the others' (a per-process cache
# would let an attacker spread his tries over the servers).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "engagements.antibot.client_ip"
AXES_LOCKOUT_CALLABLE = "engagements.organisation.login_throttle.lockout_response"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends 15 min after it began
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures only: no log of every successful login
AXES_VERBOSE = False
LOGIN_URL = "organisation:agents-login"
LOGIN_REDIRECT_URL = "organisation:agents-home"
LOGOUT_REDIRECT_URL = "organisation:agents-login"

# ProConnect (OpenID Connect, mozilla-django-oidc) for agents: see docs/deployment.md.
# Endpoints come from OIDC_OP_ISSUER's /.well-known/openid-configuration unless set one by one.
OIDC_ENABLED = envbool("OIDC_ENABLED", "false")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", "openid email given_name usual_name siret")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_CREATE_USER = False  # an agent's account and roles are given by a référent, never created
OIDC_STORE_ID_TOKEN = True  # id_token_hint for the logout at the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "proconnect:callback"
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", "10")

LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("ar", "العربية"),
    ("es", "Español"),
    ("pt", "Português"),
    ("uk", "Українська"),
]
# Languages offered only on the public flows (booking, contact form, survey, FAQ) and the
# mails/SMS/PDFs they send; any other page asked in one of them is served in French.
FLOW_LANGUAGES = ["ar", "es", "pt", "uk"]
FLOW_NAMESPACES = ["appointments", "correspondence", "surveys", "faq"]
# Single public pages of other apps offered in the flows' languages too: what agents write
# for the public there can be read in them ("nous l'avons fait" summaries).
FLOW_PAGES = ["quality:public-done"]
LOCALE_PATHS = [BASE_DIR / "engagements" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "engagements" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if (DEBUG or TESTING)
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A body announced larger is refused (413) before it is read (engagements.middleware):
# agents' pages and the admin take a 20 MB file (evidence, a file to import; larger imports
# go through the commands), every other page and the API at most a 5 MB document and its
# form. The proxy's limit (deploy/nginx, 21m) is the first and matches this one.
MAX_REQUEST_BODY = 21 * 1024 * 1024
PUBLIC_MAX_REQUEST_BODY = 6 * 1024 * 1024


def _email_settings(url: str) -> dict:
    """EMAIL_URL: smtp://user:pass@host:port[?tls=1], console://, locmem://, file:///dir."""
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path,
        }
    if parsed.scheme in ("smtp", "smtps"):
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", ["0"])[0] in ("1", "true"),
            "EMAIL_TIMEOUT": 10,
        }
    raise ImproperlyConfigured(f"EMAIL_URL scheme not supported: {parsed.scheme!r}")


_email_default = f"file://{BASE_DIR / 'var' / 'mail'}" if not TESTING else "locmem://"
globals().update(_email_settings(env("EMAIL_URL", _email_default)))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Engagements <ne-pas-repondre@engagements.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# A request's follow link ("suivre ma demande") stops working this many days after the
# request was last answered or closed (reopening it makes the link work again).
CORRESPONDENCE_FOLLOW_LINK_DAYS = envint("CORRESPONDENCE_FOLLOW_LINK_DAYS", "90")
# A former committee member's e-mail and login go this long after her mandate ended: a full
# mandate (three years), in which she may be renewed or asked about her last meetings; her
# name stays with the committee's composition and minutes (docs/operations.md).
COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS = envint("COMMITTEE_FORMER_MEMBER_RETENTION_MONTHS", "36")
# Personal details of bookings are blanked this long after the appointment.
APPOINTMENTS_RETENTION_MONTHS = envint("APPOINTMENTS_RETENTION_MONTHS", "3")
# The log of the requests people made to see or erase their data (organisation.RightsRequest):
# kept to show the prefecture answered them, then deleted by the daily housekeeping.
RIGHTS_REQUEST_RETENTION_YEARS = envint("RIGHTS_REQUEST_RETENTION_YEARS", "3")
# Booking hot path (docs/deployment.md): booking requests in flight per server process
# (beyond: 503 with Retry-After at once; 0 = no limit), the partner API token cache.
BOOKING_MAX_IN_FLIGHT = envint("BOOKING_MAX_IN_FLIGHT", "4")
BOOKING_RETRY_AFTER = envint("BOOKING_RETRY_AFTER", "2")
API_TOKEN_CACHE_SECONDS = envint("API_TOKEN_CACHE_SECONDS", "10")
# Waiting room at opening time: people let in per interval, the interval, how long after
# the opening the room stays in force at least, partner bookings per token and minute on
# a procedure while its waiting room is in force.
WAITING_ROOM_ADMIT = envint("WAITING_ROOM_ADMIT", "20")
WAITING_ROOM_INTERVAL_SECONDS = envint("WAITING_ROOM_INTERVAL_SECONDS", "60")
WAITING_ROOM_GRACE_MINUTES = envint("WAITING_ROOM_GRACE_MINUTES", "10")
WAITING_ROOM_PARTNER_QUOTA = envint("WAITING_ROOM_PARTNER_QUOTA", "10")

# FAQ: an answer not reviewed for this many months is flagged and its service reminded.
FAQ_REVIEW_MONTHS = envint("FAQ_REVIEW_MONTHS", "6")

# SMS: "log" writes to var/sms.log (demo and tests); "http" posts to SMS_HTTP_URL.
SMS_BACKEND = env("SMS_BACKEND", "log")
SMS_HTTP_URL = env("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", "")

# Jobs: django-q2 on the ORM broker; tests run jobs synchronously (see engagements/jobs.py).
Q_CLUSTER = {
    "name": "engagements",
    "orm": "default",
    "workers": envint("Q_WORKERS", "2"),
    "timeout": 300,
    "retry": 360,
    "max_attempts": 3,
    "catch_up": False,
    "sync": TESTING,
    "poll": 2,
    "label": "Tâches",
}

# Outbox: the outbox worker (`manage.py outbox_worker`) sends what is pending every
# OUTBOX_POLL_SECONDS; with OUTBOX_DELIVER_AT_COMMIT the writing process sends it itself
# right after commit (tests: the mails are there when the request returns).
OUTBOX_POLL_SECONDS = envint("OUTBOX_POLL_SECONDS", "1")
OUTBOX_DELIVER_AT_COMMIT = envbool("OUTBOX_DELIVER_AT_COMMIT", "true" if TESTING else "false")

# Security headers (see engagements/middleware.py for the CSP).
HTTPS = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
X_FRAME_OPTIONS = "DENY"


def _trusted_proxies(value: str, name: str = "TRUSTED_PROXIES") -> list[str]:
    """TRUSTED_PROXIES: comma-separated addresses or networks (CIDR) of the proxies in front."""
    import ipaddress

    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: not an address or network: {item!r}") from exc
    return items


# Only then is X-Forwarded-For read (engagements.antibot.client_ip); default: no proxy.
TRUSTED_PROXIES = _trusted_proxies(env("TRUSTED_PROXIES", ""))
# `/metrics` (Prometheus) answers these client addresses or networks only, 403 otherwise.
METRICS_ALLOWED_IPS = _trusted_proxies(
    env("METRICS_ALLOWED_IPS", "127.0.0.1,::1"), "METRICS_ALLOWED_IPS"
)

# Errors to Sentry (or a compatible server), off unless SENTRY_DSN is set; personal data
# scrubbed before sending (engagements/operations/error_tracking.py).
SENTRY_DSN = env("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", "production")
if SENTRY_DSN:
    from engagements.operations.error_tracking import init_sentry

    init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# Shared cache (database table, works across web and worker processes): rate limits and
# anti-replay of proof-of-work solutions. `manage.py createcachetable` creates it.
# The correspondence figures page (and its CSV) keeps its figures this long (seconds), and a
# survey campaign's results (page, CSV, CLU report) at most this long: a new response is a new
# key. Tests see every write at once unless they ask for the cache.
FIGURES_CACHE_SECONDS = envint("FIGURES_CACHE_SECONDS", "0" if TESTING else "60")
# Its entries are short-lived (rate-limit counts, spent proof-of-work solutions: an hour at
# most) and must not be dropped while alive: Django's default of 300 entries culled a third
# of them at every write past it (an opening rush with its hundreds of addresses reset the
# counts and let spent solutions be replayed). Expired entries go first when it is full.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "engagements_cache",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", "200000")},
    }
}
# Proof-of-work difficulty (numbers tried at most); tests use a small one.
ALTCHA_MAX_NUMBER = envint("ALTCHA_MAX_NUMBER", "2000" if TESTING else "50000")

DSFR_CONTENT_IS_SAFE = False
DSFR_USE_INTEGRITY_CHECKSUMS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "engagements.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING" if TESTING else "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
    },
}
