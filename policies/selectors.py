import difflib

import markdown
import nh3
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import PolicyDocument, PolicyVersion

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


_privacy_label: tuple[str, float] | None = None


def privacy_policy_label() -> str:
    """ "v<number> <hash prefix>" of the privacy policy in force, recorded with
    every consent. Consent is the hottest write, so the answer is kept in
    process and re-checked at most once per COOKIE_DECLARATION_RECHECK_SECONDS."""
    import time

    from django.conf import settings

    global _privacy_label
    now = time.monotonic()
    if _privacy_label and now - _privacy_label[1] < settings.COOKIE_DECLARATION_RECHECK_SECONDS:
        return _privacy_label[0]
    version = (
        PolicyVersion.objects.filter(
            document__slug="privacy", status=PolicyVersion.Status.PUBLISHED, effective_at__lte=timezone.now()
        )
        .order_by("-number")
        .values_list("number", "content_hash")
        .first()
    )
    label = f"v{version[0]} {version[1][:12]}" if version else settings.PRIVACY_POLICY_VERSION
    _privacy_label = (label, now)
    return label
