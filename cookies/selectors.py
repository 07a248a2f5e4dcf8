from core.hot_data import rechecked

from .models import DeclarationRevision


@rechecked
def current_revision(previous: DeclarationRevision | None) -> DeclarationRevision:
    """The newest declaration revision (kept in process; one indexed query for
    the newest id, and a fetch only when it changed)."""
    latest_id = DeclarationRevision.objects.order_by("-id").values_list("id", flat=True).first()
    if latest_id is None:
        raise DeclarationRevision.DoesNotExist("No cookie declaration has been published")
    if previous is not None and previous.pk == latest_id:
        return previous
    return DeclarationRevision.objects.get(pk=latest_id)


def revision_by_hash(content_hash: str) -> DeclarationRevision | None:
    return DeclarationRevision.objects.filter(content_hash=content_hash).first()


def category_keys(revision: DeclarationRevision) -> dict[str, bool]:
    """key -> is strictly necessary, for the categories of a revision."""
    return {c["key"]: c["necessary"] for c in revision.content["categories"]}
