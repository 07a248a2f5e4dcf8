"""The organisation email disclosure job (issue 7, DESIGN.md "Background work").

The policy lets iCentrex tell an organisation which of its people use iCentrex:
the email address and team names of everyone whose *verified* address is at a
domain the organisation has *verified* as its own (never free webmail). This
module computes those rows for one range of user primary keys at a time:

- on PostgreSQL in one set-based statement per range: the address's domain,
  the closest verified claim covering it (the exact domain, or a parent claimed
  with its sub-domains), the person's team names, and a fingerprint of what the
  organisation would receive. An upsert on ``DisclosureState`` keeps only the
  rows whose fingerprint changed, so a re-run discloses nothing twice and a new
  address or new team names make a new disclosure;
- on other databases (the embedded SQLite default) by the same rules in Python
  (``_rows_portable``), checked against the SQL on the adversarial corpus.

Only addresses whose domain is plain ASCII are normalised by PostgreSQL (lower
case, one trailing dot dropped: the stored column ``accounts_user.email_domain``,
organizations migration 0006; ``ASCII_DOMAIN_RE`` admits exactly the spellings
for which that equals ``normalize_domain``). Every other spelling (Unicode, punycode, odd dots)
goes through ``normalize_domain`` in Python first, so a look-alike never equals
the ASCII domain it imitates.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from organizations.models import TeamMembership

from .models import DisclosureState, DomainClaim, EmailDisclosure
from .names import domain_of_email, is_free_webmail

ASCII_DOMAIN_RE = (
    r"^(?:(?=[a-z0-9-]{1,63}\.)[a-z0-9]+(?:-[a-z0-9]+)*\.)+"
    r"(?=[a-z0-9-]{1,63}\.?$)[a-z0-9]+(?:-[a-z0-9]+)*\.?$"
)


@dataclass(frozen=True)
class Claim:
    id: int
    domain: str
    include_subdomains: bool
    organization_id: int
    organization_name: str


@dataclass
class Row:
    """What one disclosure would carry."""

    user_id: int
    email: str
    claim_id: int
    domain: str
    organization_id: int
    organization_name: str
    teams: list[list[str]]
    is_new: bool = True


@dataclass
class ChunkResult:
    matched: int = 0
    rows: list[Row] = field(default_factory=list)


def eligible_claims(*, organization_id: int | None = None, include_waiting: bool = False) -> list[Claim]:
    """Verified claims whose addresses may be disclosed now (or, for a dry run,
    also those still in their waiting time). A domain that has become free
    webmail since it was verified (the list changes) is left out."""
    claims = DomainClaim.objects.filter(status=DomainClaim.Status.VERIFIED)
    if organization_id is not None:
        claims = claims.filter(organization_id=organization_id)
    if not include_waiting:
        claims = claims.filter(disclosures_from__lte=timezone.now())
    return [
        Claim(c.pk, c.domain, c.include_subdomains, c.organization_id, c.organization.name)
        for c in claims.select_related("organization").order_by("pk")
        if not is_free_webmail(c.domain)
    ]


def claim_covering(domain: str | None, claims_by_domain: dict[str, Claim]) -> Claim | None:
    """The closest claim covering a normalised domain: the domain itself, else
    the nearest parent claimed with its sub-domains."""
    if not domain:
        return None
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        claim = claims_by_domain.get(".".join(labels[i:]))
        if claim is not None and (i == 0 or claim.include_subdomains):
            return claim
    return None


def compute_rows(*, lo: int, hi: int, claims: list[Claim], write: bool) -> ChunkResult:
    """The disclosures for users ``lo``..``hi``. With ``write`` the state is
    updated and only rows whose fingerprint changed come back (to be written
    as evidence in the same transaction); without it nothing is written and
    every row that a real run would disclose comes back (a dry run)."""
    if not claims:
        return ChunkResult()
    if connection.vendor == "postgresql":
        return _rows_postgresql(lo=lo, hi=hi, claims=claims, write=write)
    return _rows_portable(lo=lo, hi=hi, claims=claims, write=write)


# --- PostgreSQL: one statement per range ---------------------------------------

_ROWS_SQL = """
WITH claims AS (
    SELECT * FROM unnest(%(claim_ids)s::bigint[], %(claim_domains)s::text[], %(claim_subs)s::bool[],
                         %(claim_orgs)s::bigint[], %(claim_org_names)s::text[])
        AS c(id, domain, include_subdomains, organization_id, organization_name)
),
overrides AS (
    SELECT * FROM unnest(%(ov_ids)s::bigint[], %(ov_domains)s::text[]) AS o(user_id, domain)
),
people AS (
    -- accounts_user.email_domain: see migration organizations 0006.
    SELECT u.id AS user_id, u.email, COALESCE(u.email_domain, o.domain) AS domain
    FROM accounts_user u
    LEFT JOIN overrides o ON o.user_id = u.id
    WHERE u.id BETWEEN %(lo)s AND %(hi)s AND u.is_active
      AND (%(domains)s::text[] IS NULL OR u.email_domain = ANY(%(domains)s)
           OR u.email_domain LIKE ANY(%(suffixes)s) OR o.user_id IS NOT NULL)
),
domains AS (SELECT DISTINCT domain FROM people WHERE domain IS NOT NULL),
covering AS (
    -- The closest claim covering each domain: suffix i = 1 is the domain itself.
    SELECT DISTINCT ON (d.domain) d.domain AS address_domain, c.id AS claim_id,
           c.domain AS claim_domain, c.organization_id, c.organization_name
    FROM domains d
    CROSS JOIN LATERAL generate_series(1, array_length(string_to_array(d.domain, '.'), 1) - 1) AS i
    JOIN claims c ON c.domain = array_to_string((string_to_array(d.domain, '.'))[i:], '.')
                 AND (i = 1 OR c.include_subdomains)
    ORDER BY d.domain, i
),
matched AS (
    SELECT p.user_id, p.email, c.claim_id, c.claim_domain, c.organization_id, c.organization_name
    FROM people p JOIN covering c ON c.address_domain = p.domain
    WHERE EXISTS (SELECT 1 FROM account_emailaddress e
                  WHERE e.user_id = p.user_id AND e.user_id BETWEEN %(lo)s AND %(hi)s
                    AND e.verified AND lower(e.email) = lower(p.email))
),
teams AS (
    SELECT m.user_id,
           json_agg(json_build_array(o.name, t.name) ORDER BY o.name, t.name, t.id) AS teams
    FROM matched mt
    JOIN organizations_membership m ON m.user_id = mt.user_id
    JOIN organizations_organization o ON o.id = m.organization_id
    JOIN organizations_teammembership tm ON tm.membership_id = m.id
    JOIN organizations_team t ON t.id = tm.team_id
    GROUP BY m.user_id
),
rows AS (
    SELECT mt.*, COALESCE(tn.teams, '[]'::json) AS teams,
           encode(sha256(convert_to(
               mt.organization_id::text || E'\\n' || mt.email || E'\\n' || COALESCE(tn.teams::text, '[]'),
               'UTF8')), 'hex') AS fingerprint
    FROM matched mt LEFT JOIN teams tn ON tn.user_id = mt.user_id
),
changed AS (
    SELECT r.*, s.id IS NULL AS is_new
    FROM rows r
    LEFT JOIN organizations_disclosurestate s
           ON s.user_id = r.user_id AND s.organization_id = r.organization_id
    WHERE s.fingerprint IS DISTINCT FROM r.fingerprint
)
"""

_ROW_JSON = """json_build_array(c.user_id, c.email, c.claim_id, c.claim_domain, c.organization_id,
                                c.organization_name, c.teams, c.is_new)"""

# The upsert's WHERE matters when two runs race on a person: the second waits
# for the first's row lock, then finds the fingerprint equal and returns nothing.
_WRITE_SQL = (
    _ROWS_SQL
    + f""",
upserted AS (
    INSERT INTO organizations_disclosurestate (user_id, organization_id, fingerprint, disclosed_at)
    SELECT user_id, organization_id, fingerprint, %(now)s FROM changed
    ON CONFLICT (user_id, organization_id) DO UPDATE
        SET fingerprint = EXCLUDED.fingerprint, disclosed_at = EXCLUDED.disclosed_at
        WHERE organizations_disclosurestate.fingerprint <> EXCLUDED.fingerprint
    RETURNING user_id, organization_id
)
SELECT (SELECT count(*) FROM rows), NULL::json
UNION ALL
SELECT NULL, {_ROW_JSON}
FROM changed c JOIN upserted u ON u.user_id = c.user_id AND u.organization_id = c.organization_id
"""
)

_DRY_RUN_SQL = (
    _ROWS_SQL
    + f"""
SELECT (SELECT count(*) FROM rows), NULL::json
UNION ALL
SELECT NULL, {_ROW_JSON} FROM changed c
"""
)


def _overrides(lo: int, hi: int) -> tuple[list[int], list[str | None]]:
    """Users in the range whose domain PostgreSQL left to Python (NULL
    ``email_domain``), with the domain in normal form (None: not a domain)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, email FROM accounts_user WHERE email_domain IS NULL AND id BETWEEN %s AND %s",
            [lo, hi],
        )
        found = cursor.fetchall()
    return [pk for pk, _email in found], [domain_of_email(email) for _pk, email in found]


def _rows_postgresql(*, lo: int, hi: int, claims: list[Claim], write: bool) -> ChunkResult:
    ov_ids, ov_domains = _overrides(lo, hi)
    # An organisation's own run looks only at addresses its few claims could cover.
    few = len(claims) <= 20
    params = {
        "claim_ids": [c.id for c in claims],
        "claim_domains": [c.domain for c in claims],
        "claim_subs": [c.include_subdomains for c in claims],
        "claim_orgs": [c.organization_id for c in claims],
        "claim_org_names": [c.organization_name for c in claims],
        "ov_ids": ov_ids,
        "ov_domains": ov_domains,
        "domains": [c.domain for c in claims] if few else None,
        "suffixes": [f"%.{c.domain}" for c in claims if c.include_subdomains] if few else None,
        "lo": lo,
        "hi": hi,
        "now": timezone.now(),
    }
    result = ChunkResult()
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner's row estimates for this statement are far too high, and
        # JIT compiling it cost more than running it (1.5 s of 3.4 s a range).
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_WRITE_SQL if write else _DRY_RUN_SQL, params)
        for count, payload in cursor.fetchall():
            if payload is None:
                result.matched = count
                continue
            if isinstance(payload, str):
                payload = json.loads(payload)
            result.rows.append(Row(*payload))
    return result


# --- Other databases: the same rules in Python ---------------------------------


def fingerprint(*, organization_id: int, email: str, teams: list[list[str]]) -> str:
    text = f"{organization_id}\n{email}\n{json.dumps(teams, ensure_ascii=False)}"
    return hashlib.sha256(text.encode()).hexdigest()


def _rows_portable(*, lo: int, hi: int, claims: list[Claim], write: bool) -> ChunkResult:
    by_domain = {c.domain: c for c in claims}
    people = (
        User.objects.filter(pk__range=(lo, hi), is_active=True)
        .alias(email_lower=Lower("email"))
        .filter(
            Exists(
                EmailAddress.objects.alias(lower=Lower("email")).filter(
                    user=OuterRef("pk"), verified=True, lower=OuterRef("email_lower")
                )
            )
        )
        .values_list("pk", "email")
    )
    matched = {}
    for pk, email in people:
        claim = claim_covering(domain_of_email(email), by_domain)
        if claim is not None:
            matched[pk] = (email, claim)
    teams: dict[int, list[list[str]]] = {}
    for user_id, org_name, team_name in (
        TeamMembership.objects.filter(membership__user_id__in=matched)
        .order_by("membership__organization__name", "team__name", "team_id")
        .values_list("membership__user_id", "membership__organization__name", "team__name")
    ):
        teams.setdefault(user_id, []).append([org_name, team_name])
    states = {(s.user_id, s.organization_id): s for s in DisclosureState.objects.filter(user_id__in=matched)}
    result, now = ChunkResult(matched=len(matched)), timezone.now()
    for pk, (email, claim) in sorted(matched.items()):
        mark = fingerprint(organization_id=claim.organization_id, email=email, teams=teams.get(pk, []))
        state = states.get((pk, claim.organization_id))
        if state is not None and state.fingerprint == mark:
            continue
        if write:
            DisclosureState.objects.update_or_create(
                user_id=pk,
                organization_id=claim.organization_id,
                defaults={"fingerprint": mark, "disclosed_at": now},
            )
        result.rows.append(
            Row(
                pk,
                email,
                claim.id,
                claim.domain,
                claim.organization_id,
                claim.organization_name,
                teams.get(pk, []),
                is_new=state is None,
            )
        )
    return result


def new_disclosures(*, rows: list[Row], run_id: int, sealers: dict) -> list[dict]:
    """The column values of the evidence rows for ``rows``; ``sealers`` maps
    user id to (subject key, the person's Fernet) as
    subjects.services.subject_sealers_for returns."""
    now = timezone.now()
    records = []
    for row in rows:
        subject_key, fernet = sealers[row.user_id]
        record = {
            "disclosure_id": uuid.uuid4(),
            "organization_id": row.organization_id,
            "organization_name": row.organization_name,
            "claim_id": row.claim_id,
            "domain": row.domain,
            "run_id": run_id,
            "subject_key": subject_key,
            "sealed": fernet.encrypt(
                json.dumps({"email": row.email, "teams": row.teams}, ensure_ascii=False).encode()
            ).decode(),
            "disclosed_at": now,
        }
        record["record_hash"] = EmailDisclosure.hash_of(record)
        records.append(record)
    return records


def insert_disclosures(records: list[dict]) -> None:
    """Write the evidence rows: COPY on PostgreSQL (five times faster than a
    multi-row INSERT of ten thousand rows), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        EmailDisclosure.objects.bulk_create(
            [EmailDisclosure(**record) for record in records], batch_size=2000
        )
        return
    columns = [*EmailDisclosure.HASHED_FIELDS, "record_hash"]
    statement = f"COPY {EmailDisclosure._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for record in records:
            copy.write_row([record[column] for column in columns])


def chunk_size() -> int:
    return settings.EMAIL_DISCLOSURE_CHUNK_USERS
