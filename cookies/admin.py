from django.contrib import admin, messages

from .models import Cookie, CookieCategory, DeclarationRevision
from .services import declaration_publish


class PublishOnSaveMixin:
    """Every change to the declaration is published as a new revision, so
    visitors are asked again where a category they accepted grew."""

    def _publish(self, request):
        revision = declaration_publish(actor=request.user, request=request)
        self.message_user(
            request, f"Cookie declaration published as revision {revision.content_hash[:12]}.", messages.INFO
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._publish(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._publish(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._publish(request)


class CookieInline(admin.TabularInline):
    model = Cookie
    extra = 0


@admin.register(CookieCategory)
class CookieCategoryAdmin(PublishOnSaveMixin, admin.ModelAdmin):
    list_display = ["name", "key", "is_necessary", "gpc_opt_out", "position"]
    inlines = [CookieInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._publish(request)  # inline cookie changes land after save_model


@admin.register(Cookie)
class CookieAdmin(PublishOnSaveMixin, admin.ModelAdmin):
    list_display = ["name", "category", "provider", "first_party", "lifetime_days", "tied_to_account"]
    list_filter = ["category", "first_party"]


@admin.register(DeclarationRevision)
class DeclarationRevisionAdmin(admin.ModelAdmin):
    list_display = ["id", "content_hash", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
