"""Organisation console: the organisation's email domains (claim, verify,
revoke, preview what would be disclosed) and what was disclosed under them.

Every view goes through ``console_view`` (organizations.console), the HTML
side of the tenant choke point; claims are looked up inside the organisation
it resolved, so another organisation's are a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.csv_export import csv_download, csv_time
from core.errors import RuleViolation
from organizations.console import console_render, console_view, query_with_csv_format, query_without_page
from organizations.roles import Scope

from . import selectors, services
from .forms import DisclosureFilterForm, DomainClaimForm


@require_http_methods(["GET", "POST"])
@console_view(Scope.DOMAINS_WRITE)
def domains(request, membership):
    """Claim, verify and revoke email domains (owners); preview disclosures."""
    form = DomainClaimForm(request.POST if request.POST.get("action") == "claim" else None)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                claim = services.domain_claim_create(actor=membership, request=request, **form.cleaned_data)
            except RuleViolation as error:
                form.add_error("domain", error.message)
            else:
                messages.success(
                    request,
                    _("%(domain)s is claimed. Publish the TXT record below, then verify.")
                    % {"domain": claim.domain},
                )
                return redirect("org_domains", membership.organization.slug)
        status = 400
    return console_render(
        request,
        membership,
        "console/domains.html",
        {
            "section": "domains",
            "form": form,
            "claims": selectors.domain_claims_of(organization=membership.organization),
            "runs": selectors.disclosure_runs_of(organization=membership.organization)[:5],
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@console_view(Scope.DOMAINS_WRITE)
def domain_verify(request, membership, domain_id):
    claim = selectors.access_domain_claim(organization=membership.organization, claim_id=domain_id)
    claim = services.domain_claim_verify(actor=membership, claim=claim, request=request)
    if claim.status == claim.Status.VERIFIED:
        messages.success(
            request,
            _("%(domain)s is verified. Addresses at it are disclosed from %(when)s.")
            % {
                "domain": claim.domain,
                "when": date_format(timezone.localtime(claim.disclosures_from), "DATETIME_FORMAT"),
            },
        )
    else:
        messages.error(request, claim.last_check_result_display)
    return redirect("org_domains", membership.organization.slug)


@require_POST
@console_view(Scope.DOMAINS_WRITE)
def domain_revoke(request, membership, domain_id):
    claim = selectors.access_domain_claim(organization=membership.organization, claim_id=domain_id)
    services.domain_claim_revoke(actor=membership, claim=claim, request=request)
    messages.success(request, _("The claim on %(domain)s is revoked.") % {"domain": claim.domain})
    return redirect("org_domains", membership.organization.slug)


@require_POST
@console_view(Scope.DOMAINS_WRITE)
def disclosure_dry_run(request, membership):
    dry = services.disclosure_dry_run(actor=membership, request=request)
    return console_render(
        request, membership, "console/disclosure_dry_run.html", {"section": "domains", "dry": dry}
    )


@console_view(Scope.DISCLOSURES_READ)
def disclosures(request, membership):
    """What the organisation received, with filters, pages and a CSV download."""
    organization = membership.organization
    form = DisclosureFilterForm(
        request.GET or None, domains=selectors.disclosure_domains_of(organization=organization)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    records = selectors.disclosures_to_organization(
        organization=organization,
        since=filters.get("since"),
        until=filters.get("until"),
        domain=filters.get("domain", ""),
        after_seq=filters.get("after"),
    )
    if request.GET.get("format") == "csv":
        return _disclosures_csv(organization, records)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    digest = selectors.last_disclosure_digest(organization=organization)
    return console_render(
        request,
        membership,
        "console/disclosures.html",
        {
            "section": "disclosures",
            "filter_form": form,
            "page": page,
            "rows": selectors.disclosure_rows(records=page.object_list),
            "query": query_without_page(request),
            "csv_query": query_with_csv_format(request.GET.copy()),
            "digest": digest,
            "new_since_digest": filters.get("after") is not None,
        },
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


def _disclosures_csv(organization, records):
    def rows():
        # Keyset over the sequence: the rows are append-only and newest first.
        last = None
        while True:
            batch = records if last is None else records.filter(seq__lt=last)
            batch = list(batch[:1000])
            if not batch:
                return
            for row in selectors.disclosure_rows(records=batch):
                record = row["record"]
                yield [
                    csv_time(record.disclosed_at),
                    row["email"] or "",
                    "; ".join(row["teams"]),
                    record.domain,
                    "yes" if row["erased"] else "",
                    str(record.disclosure_id),
                ]
            last = batch[-1].seq

    return csv_download(
        header=["disclosed_at_utc", "email", "teams", "domain", "person_erased", "disclosure_id"],
        rows=rows(),
        filename=f"{organization.slug}-email-disclosures.csv",
    )
