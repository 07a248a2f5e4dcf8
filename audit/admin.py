from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .events import EventType
from .models import AuditEvent


class EventTypeFilter(admin.SimpleListFilter):
    """The event types of the registry (the column has no model choices)."""

    title = _("event")
    # The parameter the field's own filter used, so existing admin links keep working.
    parameter_name = "event_type__exact"

    def lookups(self, request, model_admin):
        return EventType.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(event_type=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: evidence is never edited, not even by superusers."""

    list_display = ["id", "occurred_at", "event", "actor_subject", "organization_id", "ip_prefix"]
    list_filter = [EventTypeFilter]
    search_fields = ["=subject_key", "=actor_subject", "=hash"]

    @admin.display(description=_("event"), ordering="event_type")
    def event(self, obj):
        return obj.get_event_type_display()

    def get_fields(self, request, obj=None):
        # The detail page shows the event's label where the field stood, as it did
        # when the field had choices (the default puts read-only extras last).
        fields = super().get_fields(request, obj)
        return list(dict.fromkeys("event" if name == "event_type" else name for name in fields))

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
