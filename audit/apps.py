from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        # The registry of evidence streams; the audit trail is one of them.
        from .streams import AUDIT_TRAIL, stream_register

        stream_register(AUDIT_TRAIL)
