"""Download links to built files (a person's copy of their data, an
organisation's member data): emailed to the person who asked, they need
sign-in as that person, work once and expire ``EXPORT_LINK_VALID_DAYS`` after
they were sent. Only a SHA-256 of the link's token is stored."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import RuleViolation

from .models import BuiltFile


class LinkGone(RuleViolation):
    """The link was real but is used up or expired: 410, saying which."""

    status_code = 410


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_issue(built: BuiltFile) -> str:
    """Give a finished file its one link (the caller holds the row lock and
    saves): returns the token, which only the email carries."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    built.link_token_hash = _hash(token)
    built.link_sent_at = now
    built.expires_at = now + timedelta(days=settings.EXPORT_LINK_VALID_DAYS)
    return token


def _opens(built: BuiltFile | None, token: str) -> bool:
    return bool(
        built is not None
        and built.link_token_hash
        and secrets.compare_digest(built.link_token_hash, _hash(token))
    )


def _issued_meanwhile(built: BuiltFile) -> BuiltFile | None:
    """The row again, after any transaction issuing its link has committed: the
    email goes out inside that transaction (so a failed send records no link),
    and a quick click can arrive before the commit. Locking the row waits for it;
    only a row without a link yet is waited for, so a wrong token costs no lock."""
    with transaction.atomic():
        return type(built).objects.select_for_update(of=("self",)).filter(pk=built.pk).first()


def link_check(built: BuiltFile | None, token: str) -> BuiltFile:
    """The file this link opens (read again if the link was being issued). A
    wrong token, someone else's file or one not built yet is a 404, like a
    missing one; a used or expired link says so."""
    if built is not None and not built.link_token_hash:
        built = _issued_meanwhile(built)
    if not _opens(built, token):
        raise Http404
    if built.downloaded_at:
        raise LinkGone(
            _("This link was already used: each download link works once. Ask for a new copy."),
            code="link_used",
        )
    if built.is_expired:
        raise LinkGone(_("This link has expired. Ask for a new copy."), code="link_expired")
    return built


def link_consume(queryset, *, built: BuiltFile, token: str) -> BuiltFile:
    """Use the link up: one conditional UPDATE, so two clicks at once cannot
    both download. ``queryset`` is the file's model, scoped to the person."""
    built = link_check(built, token)
    now = timezone.now()
    used = queryset.filter(
        Q(expires_at__gt=now), pk=built.pk, downloaded_at__isnull=True, link_token_hash=_hash(token)
    ).update(downloaded_at=now)
    if not used:
        built.refresh_from_db()
        link_check(built, token)  # says why: used or expired meanwhile
        raise Http404
    built.downloaded_at = now
    return built


def file_download_response(built: BuiltFile, *, content_type: str) -> StreamingHttpResponse:
    """Stream the file, then delete it: the link worked once, and the copy
    should not outlive it."""
    name = built.file.name

    def chunks():
        try:
            with default_storage.open(name, "rb") as handle:
                while chunk := handle.read(64 * 1024):
                    yield chunk
        finally:
            default_storage.delete(name)

    response = StreamingHttpResponse(chunks(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name.rsplit("/", 1)[-1]}"'
    response["Cache-Control"] = "no-store"
    return response
