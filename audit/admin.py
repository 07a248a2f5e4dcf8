from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: evidence is never edited, not even by superusers."""

    list_display = ["id", "occurred_at", "event_type", "actor_subject", "organization_id", "ip_prefix"]
    list_filter = ["event_type"]
    search_fields = ["=subject_key", "=actor_subject", "=hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
