"""The provider register's starting set (a migration seeds it; tests re-seed
it after emptying tables). Fictional companies, realistic roles."""

import secrets

INTEGRATIONS = [
    {
        "slug": "calendar-sync",
        "name": "Calendar Sync",
        "description": "Shows your iCentrex meetings in your calendar app.",
        "purpose": "Match your calendar account to your iCentrex account and keep both in sync.",
        "fields": ["identity.id", "identity.name", "identity.email"],
        "webhook_url": "https://hooks.calendarsync.example/icentrex",
    },
    {
        "slug": "standup-bot",
        "name": "Standup Bot",
        "description": "Asks your team for a daily update and posts a summary.",
        "purpose": "Know who is in the team and how to address them in the daily round.",
        "fields": ["identity.id", "identity.name", "team.name", "team.role"],
        "webhook_url": "https://api.standupbot.example/webhooks/icentrex",
    },
    {
        "slug": "expense-reports",
        "name": "Expense Reports",
        "description": "Files expenses under your organisation's account.",
        "purpose": "Attribute expenses to you and your organisation, and route approvals by role.",
        "fields": ["identity.id", "identity.email", "organisation.name", "organisation.role"],
        "webhook_url": "https://expenses.example/hooks/icentrex",
    },
]

SERVICE_PROVIDERS = [
    {
        "slug": "northwind-hosting",
        "name": "Northwind Cloud",
        "service": "hosting",
        "purpose": "Runs the servers and databases iCentrex runs on.",
        "fields": ["identity.id", "identity.name", "identity.email", "profile.language", "profile.joined"],
        "agreement_reference": "DPA-2025-014",
        "country": "SE",
        "transfer_mechanism": "None needed: data stays in the EEA",
    },
    {
        "slug": "mailstream",
        "name": "Mailstream",
        "service": "email",
        "purpose": "Delivers the emails iCentrex sends you (notices, invitations, answers).",
        "fields": ["identity.email", "profile.language"],
        "agreement_reference": "DPA-2024-031",
        "country": "IE",
        "transfer_mechanism": "None needed: data stays in the EEA",
    },
    {
        "slug": "paybridge",
        "name": "Paybridge",
        "service": "payment",
        "purpose": "Processes organisations' subscription payments.",
        "fields": ["identity.name", "identity.email", "organisation.name"],
        "agreement_reference": "DPA-2025-002",
        "country": "NL",
        "transfer_mechanism": "None needed: data stays in the EEA",
    },
    {
        "slug": "sentinel-security",
        "name": "Sentinel Security",
        "service": "security",
        "purpose": "Investigates security incidents and tests our defences.",
        "fields": ["identity.id", "identity.email"],
        "agreement_reference": "DPA-2026-007",
        "country": "GB",
        "transfer_mechanism": "UK adequacy decision",
    },
    {
        "slug": "brightreach",
        "name": "Brightreach",
        "service": "marketing",
        "purpose": "Sends product news to people who asked for it.",
        "fields": ["identity.email", "profile.language"],
        "agreement_reference": "DPA-2026-019",
        "country": "US",
        "transfer_mechanism": "EU–US Data Privacy Framework; Standard Contractual Clauses as fallback",
    },
]


def seed_providers(provider_model, seal_secret) -> None:
    """Create the starting providers that do not exist yet (by slug)."""
    existing = set(provider_model.objects.values_list("slug", flat=True))
    for data in INTEGRATIONS:
        if data["slug"] not in existing:
            provider_model.objects.create(
                kind="integration", signing_secret_sealed=seal_secret(secrets.token_urlsafe(32)), **data
            )
    # A historical model from before the CCPA role (integrations 0003) has no such field.
    role = (
        {"role": "service_provider"} if "role" in {f.name for f in provider_model._meta.get_fields()} else {}
    )
    for data in SERVICE_PROVIDERS:
        if data["slug"] not in existing:
            provider_model.objects.create(kind="service_provider", **role, **data)


def ensure_providers() -> None:
    from subjects.services import secret_seal

    from .models import Provider

    seed_providers(Provider, secret_seal)
