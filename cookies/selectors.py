import time

from django.conf import settings

from .models import CookieCategory, DeclarationRevision

# The declaration is read on every page (banner) and by every consent write:
# keep the latest revision in process and re-check which revision is newest at
# most once a second (DESIGN.md, "Performance lessons"). A newly published
# revision reaches every process within that second.
_cached: DeclarationRevision | None = None
_checked_at = 0.0


def current_revision() -> DeclarationRevision:
    global _cached, _checked_at
    now = time.monotonic()
    if _cached is not None and now - _checked_at < settings.COOKIE_DECLARATION_RECHECK_SECONDS:
        return _cached
    latest_id = DeclarationRevision.objects.order_by("-id").values_list("id", flat=True).first()
    if latest_id is None:
        raise DeclarationRevision.DoesNotExist("No cookie declaration has been published")
    if _cached is None or _cached.pk != latest_id:
        _cached = DeclarationRevision.objects.get(pk=latest_id)
    _checked_at = now
    return _cached


def forget_current_revision() -> None:
    """Re-check on the next call (publishing calls this so its own process sees
    the new revision at once; a new revision always has a new id)."""
    global _checked_at
    _checked_at = 0.0


def revision_by_hash(content_hash: str) -> DeclarationRevision | None:
    return DeclarationRevision.objects.filter(content_hash=content_hash).first()


def category_keys(revision: DeclarationRevision) -> dict[str, bool]:
    """key -> is strictly necessary, for the categories of a revision."""
    return {c["key"]: c["necessary"] for c in revision.content["categories"]}


def categories_for_display():
    return CookieCategory.objects.prefetch_related("cookies")
