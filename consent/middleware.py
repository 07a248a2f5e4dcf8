"""The opt-out preference signal (Global Privacy Control) as a persistent
preference: a page view records it only when it changed for this device or
account, or the declaration did while it was on; never once per request."""

import uuid

from django.conf import settings

from cookies.declaration import gpc_categories
from cookies.models import DeclarationRevision
from cookies.selectors import current_revision
from subjects.services import subject_key_for_user

from . import services
from .context import preference_signal, request_signals
from .cookie import COOKIE_NAME, consent_cookie_value, read_consent_cookie, set_consent_cookie
from .models import ConsentRecord, ConsentState


def is_page_view(request) -> bool:
    """A browser loading a page: what a person "visits". Not API calls, files,
    fragments fetched by htmx, or subresources."""
    meta = request.META
    return (
        request.method == "GET"
        and "text/html" in meta.get("HTTP_ACCEPT", "")
        and meta.get("HTTP_SEC_FETCH_DEST", "document") in ("document", "iframe")
        and "HTTP_HX_REQUEST" not in meta
        and not request.path_info.startswith(settings.CONSENT_SIGNAL_SKIP_PATHS)
    )


class OptOutSignalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cookie_value = None
        if is_page_view(request):
            try:
                revision = current_revision()
            except DeclarationRevision.DoesNotExist:
                revision = None
            if revision is not None:
                cookie_value = self.observe(request, revision)
        if cookie_value is not None:
            # The rest of this request (the banner) sees the device's new state too.
            request.COOKIES[COOKIE_NAME] = cookie_value
        response = self.get_response(request)
        if cookie_value is not None:
            set_consent_cookie(response, cookie_value)
        return response

    def observe(self, request, revision) -> str | None:
        """Record the signal where it is new; the device's new consent cookie, if it changed."""
        on = preference_signal(request, "HTTP_SEC_GPC") is True
        cookie = read_consent_cookie(request)
        if on and request.user.is_authenticated:
            services.consent_signal_apply_to_account(
                account_subject_key=subject_key_for_user(user=request.user),
                signals=request_signals(request),
                page_url=request.build_absolute_uri()[:500],
                language=request.LANGUAGE_CODE or "",
            )
            return None
        if request.user.is_authenticated or (cookie is None and not on):
            return None
        if cookie is not None and (
            not on or (cookie.get("gpc") and cookie["revision"] == revision.content_hash)
        ):
            return self.refreshed_from_account(cookie, revision)
        record = services.consent_record(
            subject_key=cookie["visitor"] if cookie else uuid.uuid4(),
            subject_type=ConsentRecord.SubjectType.VISITOR,
            method=ConsentRecord.Method.GPC,
            revision_hash=revision.content_hash,
            signals=request_signals(request),
            page_url=request.build_absolute_uri()[:500],
            language=request.LANGUAGE_CODE or "",
            new_subject=cookie is None,
        )
        return consent_cookie_value(
            visitor_key=record.subject_key,
            revision_hash=record.revision_hash,
            choices=record.choices,
            gpc=True,
        )

    def refreshed_from_account(self, cookie: dict, revision) -> str | None:
        """A device linked to an account whose signal turned off a category this
        device's cookie still grants (applied while signed in elsewhere): the
        cookie follows the device's recorded state. Looked up only for cookies
        granting a category the signal refuses."""
        granted = {key for key, on in cookie["choices"].items() if on}
        if not granted & gpc_categories(revision.content):
            return None
        state = (
            ConsentState.objects.filter(subject_key=cookie["visitor"], gpc=True)
            .select_related("revision")
            .first()
        )
        if state is None or state.choices == cookie["choices"]:
            return None
        return consent_cookie_value(
            visitor_key=cookie["visitor"],
            revision_hash=state.revision.content_hash,
            choices=state.choices,
            gpc=True,
        )
