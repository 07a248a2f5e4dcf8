"""The test profile: real PostgreSQL and Redis (bin/test exports their URLs and
checks they answer before pytest starts)."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import _mailer_from_url, allow_prepared_statements, beat_scheduler, env, replica_databases

DEBUG = False
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/icentrex")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_icentrex")}
allow_prepared_statements(DATABASES["default"])
DATABASES.update(replica_databases(DATABASES["default"]))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
# Evidence tables refuse TRUNCATE (audit/db.py) unless the session allows it:
# the harness empties tables with it between transactional tests.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c icentrex.allow_truncate=on"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default="redis://127.0.0.1:6379/13"),
        "KEY_PREFIX": "icx-test",
    }
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
globals().update(beat_scheduler(CELERY_BROKER_URL))
# Tests that only care that work was enqueued use captured on-commit callbacks;
# those that care about delivery start a real worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A test that runs a task in-process (task.apply()) sees its exception, retries included.
CELERY_TASK_EAGER_PROPAGATES = True

# Argon2 is deliberately slow; tests that create many users use a fast hasher.
# tests/accounts/test_passwords.py checks the real profile hashes with Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In-process tests get Django's locmem outbox; a worker subprocess started by a
# test may be pointed at a real SMTP sink with EMAIL_URL.
MAILERS = {
    "default": _mailer_from_url(env("EMAIL_URL"))
    if env("EMAIL_URL", default="")
    else {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
}
# Static files come from the finders (no collectstatic before tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# live_server is plain HTTP and cannot serve manifest-hashed names.
SECURE_SSL_REDIRECT = False
ACCOUNT_RATE_LIMITS = False

# Export files go to a throw-away folder.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="icentrex-test-media-"))

# Re-check hot data on every use, so query counts do not depend on timing.
HOT_DATA_RECHECK_SECONDS = 0

# Prometheus may scrape /metrics from this machine.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
# Readiness measures the evidence lag on every probe (tests change it between probes).
READINESS_EVIDENCE_RECHECK_SECONDS = 0
