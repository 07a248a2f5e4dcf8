import difflib

import markdown
import nh3
from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from icentrex.hot_data import rechecked

from .models import PolicyAcceptance, PolicyDocument, PolicyVersion

_ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "code",
    "pre",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_policy(body: str) -> SafeString:
    """Markdown to HTML, then sanitised: whatever the text holds, no script,
    style, event handler or javascript: link reaches the page."""
    html = markdown.markdown(body, extensions=["tables", "sane_lists"])
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308  (sanitised by nh3 just above)


def documents() -> QuerySet[PolicyDocument]:
    return PolicyDocument.objects.all()


def access_document(*, slug: str) -> PolicyDocument:
    return get_object_or_404(PolicyDocument, slug=slug)


def published_versions(*, document: PolicyDocument) -> QuerySet[PolicyVersion]:
    return document.versions.filter(status=PolicyVersion.Status.PUBLISHED).order_by("-number")


def version_in_force(*, document: PolicyDocument) -> PolicyVersion | None:
    """The newest published version whose effective date has come."""
    return published_versions(document=document).filter(effective_at__lte=timezone.now()).first()


def access_published_version(*, document: PolicyDocument, number: int) -> PolicyVersion:
    return get_object_or_404(published_versions(document=document), number=number)


def version_diff(*, old: PolicyVersion, new: PolicyVersion) -> list[tuple[str, str]]:
    """Line by line: ("same" | "added" | "removed", text), readable without markup knowledge."""
    rows = []
    for line in difflib.ndiff(old.body.splitlines(), new.body.splitlines()):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        rows.append(({"  ": "same", "+ ": "added", "- ": "removed"}[tag], text))
    return rows


@rechecked
def privacy_policy_label(_previous=None) -> str:
    """ "v<number> <hash prefix>" of the privacy policy in force, recorded with
    every consent (the hottest write, hence kept in process)."""
    version = (
        PolicyVersion.objects.filter(
            document__slug="privacy", status=PolicyVersion.Status.PUBLISHED, effective_at__lte=timezone.now()
        )
        .order_by("-number")
        .values_list("number", "content_hash")
        .first()
    )
    return f"v{version[0]} {version[1][:12]}" if version else settings.PRIVACY_POLICY_VERSION


@rechecked
def material_versions_in_force(_previous=None) -> list[PolicyVersion]:
    """Material versions that are the version in force of their document (every
    signed-in page asks, hence kept in process). One small query."""
    newest: dict[int, PolicyVersion] = {}
    published = PolicyVersion.objects.filter(
        status=PolicyVersion.Status.PUBLISHED, effective_at__lte=timezone.now()
    ).select_related("document")
    for version in published.order_by("document_id", "number"):
        newest[version.document_id] = version
    return [v for v in newest.values() if v.material]


def versions_awaiting_acceptance(*, user) -> list[PolicyVersion]:
    """Material versions in force that came into force after the person joined
    and that they have not accepted yet."""
    from subjects.models import SubjectLink

    candidates = [v for v in material_versions_in_force() if v.effective_at > user.date_joined]
    if not candidates:
        return []
    accepted = set(
        PolicyAcceptance.objects.filter(
            version__in=candidates,
            subject_key__in=SubjectLink.objects.filter(user=user).values("subject_key"),
        ).values_list("version_id", flat=True)
    )
    return [v for v in candidates if v.pk not in accepted]


def acceptances_of(*, user):
    from subjects.models import SubjectLink

    return (
        PolicyAcceptance.objects.filter(
            subject_key__in=SubjectLink.objects.filter(user=user).values("subject_key")
        )
        .select_related("version__document")
        .order_by("-accepted_at")
    )
