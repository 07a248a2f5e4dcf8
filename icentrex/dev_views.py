"""Local tools for the embedded profile (mounted only when DEBUG is on): the
mailbox that shows what the app emailed, and a webhook receiver that plays the
demo integrations' side, checking signatures as a real provider must.

Neither exists in production: urls.py mounts them under /dev/ only with DEBUG,
and every view refuses to answer without it."""

import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from integrations.models import Provider
from integrations.services import webhook_signature
from subjects.services import secret_unseal

from .mailbox import mail_link_key, mailbox_folder, mailbox_get, mailbox_list

# A webhook older than this is refused, as the signature scheme intends (replays).
WEBHOOK_TOLERANCE_SECONDS = 300


def _debug_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEBUG:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _folder() -> Path:
    folder = mailbox_folder()
    if folder is None:  # another email backend is configured: there is no local mailbox
        raise Http404
    return folder


@_debug_only
@require_GET
def mailbox(request):
    """Staff see every message; anyone signed in sees the mail sent to them."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(f"{reverse('account_login')}?next={request.path}")
    messages = mailbox_list(_folder())
    if not request.user.is_staff:
        messages = [message for message in messages if message.is_for(request.user.email)]
    return render(request, "dev/mailbox.html", {"messages": messages[:200], "total": len(messages)})


@_debug_only
@require_GET
def mailbox_message(request, name: str):
    message = mailbox_get(_folder(), name)
    if message is None:
        raise Http404
    by_link = hmac.compare_digest(request.GET.get("k", ""), mail_link_key(name))
    user = request.user
    by_person = user.is_authenticated and (user.is_staff or message.is_for(user.email))
    if not (by_link or by_person):
        raise Http404
    return render(request, "dev/mailbox_message.html", {"message": message})


def _receiver_dir(slug: str) -> Path:
    return Path(settings.DEMO_WEBHOOK_DIR) / slug


@_debug_only
@csrf_exempt
@require_POST
def webhook_receive(request, slug: str):
    """What an integration's endpoint does: check the signature over
    "<timestamp>.<body>" with the provider's secret, refuse stale or forged
    requests, keep what arrived. Answers 503 while its "fail" switch is on, so
    retries with back-off can be watched."""
    provider = Provider.objects.filter(slug=slug, kind=Provider.Kind.INTEGRATION).first()
    if provider is None:
        raise Http404
    folder = _receiver_dir(slug)
    if (folder / "fail").exists():
        return JsonResponse({"error": "the demo receiver is switched to fail"}, status=503)
    header = request.headers.get("X-iCentrex-Signature", "")
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return JsonResponse({"error": "no signature"}, status=401)
    expected = webhook_signature(secret_unseal(provider.signing_secret_sealed), timestamp, request.body)
    if not hmac.compare_digest(fields.get("v1", ""), expected):
        return JsonResponse({"error": "bad signature"}, status=401)
    if abs(time.time() - timestamp) > WEBHOOK_TOLERANCE_SECONDS:
        return JsonResponse({"error": "stale timestamp"}, status=401)
    folder.mkdir(parents=True, exist_ok=True)
    record = {
        "received_at": time.time(),
        "idempotency_key": request.headers.get("Idempotency-Key", ""),
        "signature": "verified",
        "event": json.loads(request.body),
    }
    (folder / f"{time.time_ns()}-{uuid.uuid4().hex[:6]}.json").write_text(json.dumps(record))
    return HttpResponse(status=204)


@_debug_only
@login_required
def webhooks(request):
    """Staff: what each demo integration received, and the switch that makes it fail."""
    if not request.user.is_staff:
        raise Http404
    providers = list(Provider.objects.filter(kind=Provider.Kind.INTEGRATION).order_by("name"))
    if request.method == "POST":
        slug = request.POST.get("provider", "")
        if slug not in {provider.slug for provider in providers}:
            return HttpResponse(status=400)
        switch = _receiver_dir(slug) / "fail"
        switch.parent.mkdir(parents=True, exist_ok=True)
        if request.POST.get("fail") == "on":
            switch.touch()
        else:
            switch.unlink(missing_ok=True)
        return HttpResponseRedirect(reverse("dev_webhooks"))
    rows = []
    for provider in providers:
        folder = _receiver_dir(provider.slug)
        files = sorted(folder.glob("*.json"), reverse=True)[:50] if folder.is_dir() else []
        received = [json.loads(path.read_text()) for path in files]
        for item in received:
            item["received_at"] = _aware(item["received_at"])
            item["data"] = json.dumps(item["event"].get("data"), indent=2, ensure_ascii=False)
        rows.append(
            {
                "provider": provider,
                "local": provider.webhook_url.startswith(settings.SITE_URL.rstrip("/") + "/dev/"),
                "failing": (folder / "fail").exists(),
                "received": received,
            }
        )
    return render(request, "dev/webhooks.html", {"rows": rows})


def _aware(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)
