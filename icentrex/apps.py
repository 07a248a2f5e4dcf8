from django.apps import AppConfig


class IcentrexConfig(AppConfig):
    """The project package is an app too, so its templates and commands load."""

    name = "icentrex"
    verbose_name = "iCentrex Privacy"

    def ready(self):
        from django.conf import settings

        from core.replicas import install_write_tracking

        from .telemetry import install_query_metrics

        if settings.DB_QUERY_METRICS:
            install_query_metrics()
        if settings.DATABASE_REPLICAS:
            install_write_tracking()
