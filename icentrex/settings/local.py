"""The embedded profile behind the first README command: SQLite, a Celery
broker in plain files, and a local mailbox, unless DATABASE_URL /
CELERY_BROKER_URL / EMAIL_URL say otherwise. bin/run starts the web server, a
worker and beat on it, so the app does all its background work as in production."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, CELERY_BROKER_URL, env

DEBUG = env.bool("DEBUG", default=True)

# Everything the embedded profile writes at run time, in one git-ignored folder.
LOCAL_STATE_DIR = Path(env("LOCAL_STATE_DIR", default=str(BASE_DIR / "var")))

# Static files straight from the app folders: no collectstatic for local runs.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

if not CELERY_BROKER_URL:
    # kombu's filesystem transport: a message is a file in one folder that the
    # web server, the worker and beat all share. It needs no server and no extra
    # package (the SQLAlchemy transport would add SQLAlchemy and poll a second
    # SQLite file that competes for locks with the app's own). It has no
    # redelivery of a message a killed worker had taken; the periodic sweeps
    # catch those up, as they do for a lost message in production.
    _broker_dir = LOCAL_STATE_DIR / "broker"
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "icentrex.broker:Transport"  # publishes atomically (icentrex/broker.py)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # How long an idle worker waits before looking in the folder again (kombu's
        # default, 1 s, let a busy beat outpace the worker's one message per look).
        "polling_interval": 0.1,
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(LOCAL_STATE_DIR / "celerybeat-schedule")

# No EMAIL_URL: every email lands in the local mailbox (LOCAL_STATE_DIR/mailbox),
# readable at /dev/mailbox/ with working links, and is summarised on the console.
if not env("EMAIL_URL", default=""):
    MAILERS = {
        "default": {
            "BACKEND": "icentrex.mailbox.MailboxBackend",
            "OPTIONS": {"folder": str(LOCAL_STATE_DIR / "mailbox")},
        }
    }

# The demo integrations deliver their webhooks to a receiver the app serves
# itself (/dev/webhooks/), which checks each signature as a provider would.
DEMO_WEBHOOK_DIR = LOCAL_STATE_DIR / "webhooks"

# Prometheus may scrape /metrics from this machine.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
