"""Email-domain and disclosure pages, by surface; the roof (icentrex/urls.py) mounts each list."""

from django.urls import path

from . import console, views

privacy_centre_urls = [
    path("disclosures/", views.my_disclosures, name="privacy_disclosures"),
    path(
        "disclosures/acknowledge/", views.my_disclosures_acknowledge, name="privacy_disclosures_acknowledge"
    ),
]

console_urls = [
    path("domains/", console.domains, name="org_domains"),
    path("domains/<int:domain_id>/verify/", console.domain_verify, name="org_domain_verify"),
    path("domains/<int:domain_id>/revoke/", console.domain_revoke, name="org_domain_revoke"),
    path("domains/dry-run/", console.disclosure_dry_run, name="org_disclosure_dry_run"),
    path("disclosures/", console.disclosures, name="org_disclosures"),
]
