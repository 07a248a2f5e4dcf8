"""The production profile: everything secret comes from the environment and the
transport is HTTPS only. ``manage.py check --deploy --fail-level WARNING`` passes
with zero warnings (tests/icentrex/test_settings.py)."""

from .base import *  # noqa: F403
from .base import _mailer_from_url, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
EVIDENCE_MASTER_KEYS = env.list("EVIDENCE_MASTER_KEYS")
TRANSPARENCY_SIGNING_KEY = env("TRANSPARENCY_SIGNING_KEY")
MAILERS = {"default": _mailer_from_url(env("EMAIL_URL"))}
CELERY_BROKER_URL = env("CELERY_BROKER_URL")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Behind a TLS-terminating proxy, set SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO.
if env("SECURE_PROXY_SSL_HEADER", default=""):
    SECURE_PROXY_SSL_HEADER = (env("SECURE_PROXY_SSL_HEADER"), "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
