"""Reads: claims of an organisation (scoped to it, so another organisation's
claim is a 404), the claim an address falls under, and what was disclosed to
an organisation and about a person."""

from django.db.models import F, Q
from django.shortcuts import get_object_or_404

from organizations.models import Organization
from subjects.models import SubjectLink
from subjects.services import Unsealer

from .disclosures import claim_covering
from .models import DisclosureDigest, DisclosureRun, DisclosureState, DomainClaim, EmailDisclosure


def verified_claim_for_domain(*, domain: str):
    """The verified claim an address domain falls under: the exact domain, or
    the closest parent verified with its sub-domains (the disclosure job's
    rule, domains.disclosures.claim_covering). ``domain`` must already be
    in normal form (domains.names.normalize_domain)."""
    labels = domain.split(".")
    suffixes = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    claims = {
        claim.domain: claim
        for claim in DomainClaim.objects.filter(
            status=DomainClaim.Status.VERIFIED, domain__in=suffixes
        ).select_related("organization")
    }
    return claim_covering(domain, claims)


def domain_claims_of(*, organization: Organization):
    return DomainClaim.objects.filter(organization=organization).order_by("-created_at", "-id")


def access_domain_claim(*, organization: Organization, claim_id: int):
    return get_object_or_404(domain_claims_of(organization=organization), pk=claim_id)


# --- Email disclosures (issue 7) -------------------------------------------------


def disclosures_to_organization(
    *, organization: Organization, since=None, until=None, domain="", after_seq=None
):
    """What the organisation received, newest first (a ``since``/``until`` date
    is a whole UTC day; ``after_seq`` keeps those after an earlier digest)."""
    records = EmailDisclosure.objects.filter(organization_id=organization.pk)
    if since:
        records = records.filter(disclosed_at__date__gte=since)
    if until:
        records = records.filter(disclosed_at__date__lte=until)
    if domain:
        records = records.filter(domain=domain)
    if after_seq is not None:
        records = records.filter(seq__gt=after_seq)
    return records.order_by("-seq")


def disclosures_about(*, user):
    """Every disclosure of this person's address, newest first."""
    subject_key = SubjectLink.objects.filter(user=user).values_list("subject_key", flat=True).first()
    if subject_key is None:
        return EmailDisclosure.objects.none()
    return EmailDisclosure.objects.filter(subject_key=subject_key).order_by("-seq")


def disclosure_rows(*, records) -> list[dict]:
    """Disclosures with the address and team names unsealed (one key query for
    the whole page); an erased person's rows say so instead."""
    records = list(records)
    unseal = Unsealer().prefetch(record.subject_key for record in records)
    rows = []
    for record in records:
        value = unseal(subject_key=record.subject_key, token=record.sealed) or {}
        rows.append(
            {
                "record": record,
                "email": value.get("email"),
                "teams": [f"{team} ({org})" for org, team in value.get("teams", [])],
                "erased": not value,
            }
        )
    return rows


def disclosure_domains_of(*, organization: Organization) -> list[str]:
    return list(
        EmailDisclosure.objects.filter(organization_id=organization.pk)
        .values_list("domain", flat=True)
        .distinct()
        .order_by("domain")
    )


def last_disclosure_digest(*, organization: Organization):
    return DisclosureDigest.objects.filter(organization=organization).order_by("-up_to_seq").first()


def disclosure_runs_of(*, organization: Organization):
    return DisclosureRun.objects.filter(organization=organization).select_related("requested_by")


def unacknowledged_disclosures(*, user) -> list[str]:
    """Names of organisations that received the person's address since they
    last dismissed the notice."""
    return list(
        DisclosureState.objects.filter(user=user)
        .filter(Q(acknowledged_at__isnull=True) | Q(acknowledged_at__lt=F("disclosed_at")))
        .order_by("organization__name")
        .values_list("organization__name", flat=True)
    )
