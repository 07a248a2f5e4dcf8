from .models import CookieCategory, DeclarationRevision

# The declaration is read on every page (banner) and by every consent write:
# keep the latest revision in process and re-validate it with one indexed query
# for the newest id (DESIGN.md, "Performance lessons").
_cached: DeclarationRevision | None = None


def current_revision() -> DeclarationRevision:
    global _cached
    latest_id = DeclarationRevision.objects.order_by("-id").values_list("id", flat=True).first()
    if latest_id is None:
        raise DeclarationRevision.DoesNotExist("No cookie declaration has been published")
    if _cached is None or _cached.pk != latest_id:
        _cached = DeclarationRevision.objects.get(pk=latest_id)
    return _cached


def revision_by_hash(content_hash: str) -> DeclarationRevision | None:
    return DeclarationRevision.objects.filter(content_hash=content_hash).first()


def category_keys(revision: DeclarationRevision) -> dict[str, bool]:
    """key -> is strictly necessary, for the categories of a revision."""
    return {c["key"]: c["necessary"] for c in revision.content["categories"]}


def categories_for_display():
    return CookieCategory.objects.prefetch_related("cookies")
