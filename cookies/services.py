import json
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, RuleViolation
from subjects.services import subject_key_for_user

from .declaration import declaration_content, declaration_hash
from .models import (
    Cookie,
    CookieCategory,
    DeclarationRevision,
    DeclaredHost,
    TrackerSighting,
    missing_translations,
)
from .selectors import current_revision
from .trackers import host_covers, name_declared, suggest


def declaration_publish(*, actor, request=None) -> DeclarationRevision:
    """Record the declaration as it now stands as a new revision (no-op when
    nothing changed). Privacy officers call this after editing cookies."""
    content = declaration_content(CookieCategory)
    digest = declaration_hash(content)
    with transaction.atomic():
        existing = DeclarationRevision.objects.filter(content_hash=digest).first()
        latest = DeclarationRevision.objects.order_by("-id").first()
        if existing is not None and existing == latest:
            return existing
        revision = DeclarationRevision.objects.create(
            content=content,
            content_hash=digest,
            created_by_subject=subject_key_for_user(user=actor) if actor else None,
        )
        audit_record(
            event_type=EventType.COOKIE_DECLARATION_PUBLISHED,
            actor=actor,
            target=revision,
            changes={"hash": digest, "previous": latest.content_hash if latest else None},
            request=request,
        )
    current_revision.forget()
    return revision


# --- Undeclared-tracker discovery (issue 19) ---------------------------------------------


def _page_address(page_url: str) -> str:
    """Scheme, host and path only: a query or fragment may hold anything."""
    parts = urlsplit(page_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:300]


def undeclared_items(*, revision, cookies, storage, hosts, first_party_hosts) -> list[tuple[str, str]]:
    """(kind, name) of what a page reported that the declaration does not list."""
    declared_names = [cookie["name"] for c in revision.content["categories"] for cookie in c["cookies"]]
    declared_hosts = [host["host"] for c in revision.content["categories"] for host in c.get("hosts", ())]
    found = [("cookie", name) for name in cookies if not name_declared(name, declared_names)]
    found += [("storage", name) for name in storage if not name_declared(name, declared_names)]
    found += [
        ("host", host)
        for host in hosts
        # A declared host covers its subdomains; the sites themselves only their own name.
        if host not in first_party_hosts
        and not any(host_covers(declared, host) for declared in declared_hosts)
    ]
    return list(dict.fromkeys(found))


def tracker_report_record(*, origin: str, page_url: str, cookies, storage, hosts, first_party_hosts) -> dict:
    """Count one page's report: a sighting per undeclared name (or host) and
    origin, created the first time and counted after that. One statement on
    PostgreSQL whatever the report holds, and none when everything is declared."""
    items = undeclared_items(
        revision=current_revision(),
        cookies=cookies,
        storage=storage,
        hosts=hosts,
        first_party_hosts=first_party_hosts,
    )
    if not items:
        return {"undeclared": 0, "created": 0}
    rows = [
        TrackerSighting(
            kind=kind, name=name, origin=origin, pages=[page] if (page := _page_address(page_url)) else []
        )
        for kind, name in sorted(items)  # one lock order for every report: no deadlock between two
    ]
    now = timezone.now()
    for row in rows:
        row.first_seen = row.last_seen = now
        row.suggested_category, row.suggested_provider = suggest(row.kind, row.name)
    created = _count_sightings(rows) if connection.vendor == "postgresql" else _count_sightings_portably(rows)
    return {"undeclared": len(items), "created": created}


_COUNT_SIGHTINGS = """
INSERT INTO cookies_trackersighting AS seen (kind, name, origin, first_seen, last_seen, reports, pages,
    suggested_category, suggested_provider, status)
VALUES {values}
ON CONFLICT (kind, name, origin) DO UPDATE SET
    reports = seen.reports + 1,
    last_seen = EXCLUDED.last_seen,
    pages = CASE WHEN seen.pages @> EXCLUDED.pages OR jsonb_array_length(seen.pages) >= %s
                 THEN seen.pages ELSE seen.pages || EXCLUDED.pages END
RETURNING xmax = 0
"""


def _count_sightings(rows: list[TrackerSighting]) -> int:
    """Insert or count every row in one statement (its row locks last only as
    long as it does); the number created."""
    values, params = [], []
    for row in rows:
        values.append("(%s, %s, %s, %s, %s, 1, %s::jsonb, %s, %s, 'open')")
        params += [row.kind, row.name, row.origin, row.first_seen, row.last_seen, json.dumps(row.pages)]
        params += [row.suggested_category, row.suggested_provider]
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNT_SIGHTINGS.format(values=", ".join(values)), [*params, TrackerSighting.PAGES_KEPT]
        )
        return sum(1 for (inserted,) in cursor.fetchall() if inserted)


def _count_sightings_portably(rows: list[TrackerSighting]) -> int:
    """The same with the ORM (SQLite, for the embedded defaults)."""
    wanted = Q()
    for row in rows:
        wanted |= Q(kind=row.kind, name=row.name, origin=row.origin)
    with transaction.atomic():
        existing = {(s.kind, s.name): s for s in TrackerSighting.objects.select_for_update().filter(wanted)}
        new = [row for row in rows if (row.kind, row.name) not in existing]
        TrackerSighting.objects.bulk_create(new, ignore_conflicts=True)
        TrackerSighting.objects.filter(pk__in=[s.pk for s in existing.values()]).update(
            reports=F("reports") + 1, last_seen=rows[0].last_seen
        )
        page = rows[0].pages[:1]
        grown = [
            s
            for s in existing.values()
            if page and page[0] not in s.pages and len(s.pages) < TrackerSighting.PAGES_KEPT
        ]
        for sighting in grown:
            sighting.pages = [*sighting.pages, *page]
        TrackerSighting.objects.bulk_update(grown, ["pages"])
    return len(new)


def tracker_declare(
    *,
    actor,
    sighting: TrackerSighting,
    category: CookieCategory,
    provider: str,
    purpose: str,
    domain: str = "",
    lifetime_days: int | None = None,
    first_party: bool = False,
    translations: dict | None = None,
    request=None,
) -> DeclarationRevision:
    """Add what a sighting names to the declaration (a cookie or storage key, or
    a host) and publish it as a new revision; sightings of the same name on
    every origin are then declared."""
    if sighting.status == TrackerSighting.Status.DECLARED:
        raise Conflict(_("This is already in the declaration."), code="already_declared")
    translations = translations or {}
    missing = missing_translations(translations, ("purpose",))
    if missing:
        raise RuleViolation(
            _("Give the purpose in every language the site speaks; missing: %(missing)s.")
            % {"missing": ", ".join(missing)},
            code="missing_translation",
        )
    with transaction.atomic():
        if sighting.kind == TrackerSighting.Kind.HOST:
            if DeclaredHost.objects.filter(host=sighting.name).exists():
                raise Conflict(_("This host is already in the declaration."), code="already_declared")
            DeclaredHost.objects.create(
                category=category,
                host=sighting.name,
                provider=provider,
                purpose=purpose,
                translations=translations,
            )
        else:
            if Cookie.objects.filter(category=category, name=sighting.name).exists():
                raise Conflict(_("This name is already in that category."), code="already_declared")
            Cookie.objects.create(
                category=category,
                name=sighting.name,
                provider=provider,
                first_party=first_party,
                domain=domain or urlsplit(sighting.origin).hostname or "",
                lifetime_days=lifetime_days,
                purpose=purpose,
                translations=translations,
            )
        revision = declaration_publish(actor=actor, request=request)
        TrackerSighting.objects.filter(kind=sighting.kind, name=sighting.name).update(
            status=TrackerSighting.Status.DECLARED, declared_in=revision
        )
    return revision


def tracker_dismiss(*, sighting: TrackerSighting) -> None:
    """Not a tracker to declare (say, a test page's leftovers); kept, and counted
    again if pages keep reporting it, but out of the list to review."""
    TrackerSighting.objects.filter(pk=sighting.pk).update(status=TrackerSighting.Status.DISMISSED)
