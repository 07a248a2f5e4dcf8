"""The benchmark's baseline server: the embedded profile without the request
telemetry (access log line, HTTP and query metrics), so the bare INSERT it
serves is the floor the consent POST, with telemetry on, is measured against."""

from icentrex.settings.local import *  # noqa: F403
from icentrex.settings.local import MIDDLEWARE

MIDDLEWARE = [name for name in MIDDLEWARE if name != "icentrex.telemetry.RequestTelemetryMiddleware"]
DB_QUERY_METRICS = False
