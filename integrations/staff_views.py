"""Staff console: the provider register (integrations and service providers),
kept by privacy officers. A new or rotated signing secret is shown once."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.staff_roles import StaffPermission, staff_permission_required
from core.errors import Forbidden, RuleViolation

from . import selectors, services
from .forms import ProviderForm, grouped_fields
from .models import Provider
from .opt_out import do_not_sell_assessment


@require_GET
@staff_permission_required(StaffPermission.PROVIDERS_MANAGE)
def providers(request):
    kind = request.GET.get("kind", "")
    if kind not in Provider.Kind.values:
        kind = ""
    return render(
        request,
        "staff/providers.html",
        {
            "providers": selectors.provider_register(kind=kind),
            "kind": kind,
            "kinds": Provider.Kind.choices,
            "do_not_sell": do_not_sell_assessment(),
        },
    )


def _save(request, form, save):
    """Run a register service; a rule it refuses becomes a form error."""
    try:
        return save()
    except Forbidden:
        raise
    except RuleViolation as error:
        form.add_error(None, error.message)
        return None


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.PROVIDERS_MANAGE)
def provider_create(request, kind):
    kind = kind.replace("-", "_")
    if kind not in Provider.Kind.values:
        raise Http404
    form = ProviderForm(request.POST if request.method == "POST" else None, kind=kind, creating=True)
    if request.method == "POST" and form.is_valid():
        created = _save(
            request,
            form,
            lambda: services.provider_create(
                actor=request.user,
                kind=kind,
                slug=form.cleaned_data["slug"],
                request=request,
                **form.service_values(),
            ),
        )
        if created:
            provider, secret = created
            messages.success(request, _("%(name)s is in the register.") % {"name": provider.name})
            if secret is None:
                return redirect("staff_provider", provider.slug)
            return _edit_page(request, provider, new_secret=secret)
    return render(
        request,
        "staff/provider_form.html",
        {"form": form, "kind": kind, "kind_label": Provider.Kind(kind).label, "creating": True},
        status=400 if form.errors else 200,
    )


def _edit_page(request, provider, form=None, new_secret=None, status=200):
    form = form or ProviderForm(
        initial=ProviderForm.initial_for(provider), kind=provider.kind, creating=False
    )
    return render(
        request,
        "staff/provider_form.html",
        {
            "form": form,
            "provider": provider,
            "kind": provider.kind,
            "kind_label": provider.get_kind_display(),
            "new_secret": new_secret,
            "declared": grouped_fields(provider.fields),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_permission_required(StaffPermission.PROVIDERS_MANAGE)
def provider_edit(request, slug):
    provider = selectors.access_provider(slug=slug)
    if request.method == "GET":
        return _edit_page(request, provider)
    form = ProviderForm(request.POST, kind=provider.kind, creating=False)
    if form.is_valid():
        saved = _save(
            request,
            form,
            lambda: services.provider_update(
                actor=request.user, provider=provider, request=request, **form.service_values()
            ),
        )
        if saved:
            messages.success(request, _("The register entry of %(name)s was saved.") % {"name": saved.name})
            return redirect("staff_provider", saved.slug)
    return _edit_page(request, provider, form=form, status=400)


@require_POST
@staff_permission_required(StaffPermission.PROVIDERS_MANAGE)
def provider_rotate_secret(request, slug):
    provider = selectors.access_provider(slug=slug)
    provider, secret = services.provider_rotate_secret(actor=request.user, provider=provider, request=request)
    return _edit_page(request, provider, new_secret=secret)


@require_GET
@staff_permission_required(StaffPermission.PROVIDERS_MANAGE)
def subprocessor_changes(request):
    """Sub-processor changes: announced, applied, notices sent, objections."""
    return render(
        request,
        "staff/subprocessor_changes.html",
        {
            "rows": selectors.subprocessor_changes_for_staff(),
            "notice_days": settings.SUBPROCESSOR_NOTICE_DAYS,
        },
    )
