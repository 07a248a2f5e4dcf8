"""A person's copy of their data: a ZIP with one JSON file per kind of data
(``register.EXPORT_KINDS``) and a readable ``index.html``.

Written as it is read: rows come from server-side cursors and go straight into
the compressed ZIP entry, so memory does not grow with the number of rows
(with 50,000 consent records and 100,000 sharing events the worker grows by about
a dozen MB; see bench/data_requests.py). Progress is saved every ``PROGRESS_EVERY`` rows.

Progress is measured in rows of the large streams (``STREAMS``) only, fixed by
``export_plan`` when the build starts: the total counts them up to their last
row at that moment and the writers copy exactly those rows, so the two are
counted on the same basis and "processed" never passes "total". Rows added while
the export runs belong to the next copy."""

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from zipfile import ZIP_DEFLATED, ZipFile

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, QuerySet
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.register import EXPORT_KINDS

PROGRESS_EVERY = 5000
_ITERATOR_CHUNK = 2000


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)


class _JsonObjectWriter:
    """Writes one JSON object into a ZIP entry, a key at a time; lists are
    written row by row. The output is ordinary JSON (indent-free, one row a line)."""

    def __init__(self, stream, tick):
        self._stream = stream
        self._tick = tick
        self._first = True
        self._stream.write(b"{")

    def _key(self, key: str) -> None:
        self._stream.write(("\n" if self._first else ",\n").encode() + _dumps(key).encode() + b": ")
        self._first = False

    def value(self, key: str, value) -> None:
        self._key(key)
        self._stream.write(_dumps(value).encode())

    def rows(self, key: str, rows: Iterable[dict]) -> int:
        self._key(key)
        self._stream.write(b"[")
        count, buffer = 0, []
        for row in rows:
            buffer.append(("\n" if count == 0 else ",\n") + _dumps(row))
            count += 1
            if len(buffer) == 500:
                self._stream.write("".join(buffer).encode())
                buffer.clear()
                self._tick(500, key)
        self._stream.write("".join(buffer).encode() + b"]")
        self._tick(len(buffer), key)
        return count

    def close(self) -> None:
        self._stream.write(b"\n}\n")


# --- What each kind holds --------------------------------------------------------


class _Person:
    """The person and the keys their data is filed under, looked up once."""

    def __init__(self, user, plan: "ExportPlan | None" = None):
        from allauth.account.models import EmailAddress

        from consent.selectors import subject_keys_of_user
        from subjects.services import subject_key_for_user

        self.user = user
        self.subject_key = subject_key_for_user(user=user)
        self.consent_keys = subject_keys_of_user(user=user)
        self.addresses = sorted(
            {
                user.email.lower(),
                *(a.lower() for a in EmailAddress.objects.filter(user=user).values_list("email", flat=True)),
            }
        )
        self.plan = plan

    def stream(self, kind: str, section: str) -> QuerySet:
        """A large stream's rows, up to its last row when the export was planned."""
        rows_of, order = STREAMS[kind, section]
        rows = rows_of(self)
        if self.plan is None:
            return rows
        last = self.plan.last_rows.get((kind, section))
        return rows.none() if last is None else rows.filter(**{f"{order}__lte": last})


# --- The large streams (progress is counted in their rows) ---------------------------


def _consent_records(person: _Person) -> QuerySet:
    from consent.models import ConsentRecord

    return ConsentRecord.objects.filter(subject_key__in=person.consent_keys)


def _sharing_events(person: _Person) -> QuerySet:
    from integrations.models import SharingEvent

    return SharingEvent.objects.filter(subject_key=person.subject_key)


def _email_disclosures(person: _Person) -> QuerySet:
    from domains.models import EmailDisclosure

    return EmailDisclosure.objects.filter(subject_key=person.subject_key)


def _subject_audit_events(person: _Person) -> QuerySet:
    from audit.selectors import audit_events_for_subject

    return audit_events_for_subject(subject_key=person.subject_key)


# (kind, section in that kind's file) -> (its rows, the ever-growing column they are copied in order of)
STREAMS: dict[tuple[str, str], tuple[Callable[[_Person], QuerySet], str]] = {
    ("consent", "records"): (_consent_records, "seq"),
    ("data_sharing", "shares"): (_sharing_events, "seq"),
    ("disclosures", "disclosures"): (_email_disclosures, "seq"),
    ("audit_events", "events"): (_subject_audit_events, "id"),
}


@dataclass(frozen=True)
class ExportPlan:
    """The large streams' last rows when the build started, and how many rows they make."""

    total: int
    last_rows: dict[tuple[str, str], int | None]


def export_plan(user) -> ExportPlan:
    """Count the large streams as the writers will copy them: each stream's count
    and last row come from one query, so rows that arrive later are in neither."""
    person = _Person(user)
    total, last_rows = 0, {}
    for key, (rows_of, order) in STREAMS.items():
        seen = rows_of(person).order_by().aggregate(rows=Count("pk"), last=Max(order))
        total += seen["rows"]
        last_rows[key] = seen["last"]
    return ExportPlan(total=total, last_rows=last_rows)


def _profile(person: _Person, out: _JsonObjectWriter) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from accounts.models import PersonalAccessToken

    from .models import ErasureRequest, PersonalExport, SubjectRequest

    user = person.user
    out.value(
        "account",
        {
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "age_check_passed_at": user.age_check_passed_at,
            "active": user.is_active,
        },
    )
    out.value("subject_key", person.subject_key)
    counts = {
        "email_addresses": out.rows(
            "email_addresses",
            EmailAddress.objects.filter(user=user).order_by("pk").values("email", "verified", "primary"),
        ),
        "two_factor_methods": out.rows(
            "two_factor_methods",
            Authenticator.objects.filter(user=user)
            .order_by("pk")
            .values("type", "created_at", "last_used_at"),
        ),
        "api_tokens": out.rows(
            "api_tokens",
            PersonalAccessToken.objects.filter(user=user)
            .order_by("pk")
            .values("name", "hint", "created_at", "last_used_at", "expires_at", "revoked_at"),
        ),
        "copies_of_your_data": out.rows(
            "copies_of_your_data",
            PersonalExport.objects.filter(user=user)
            .order_by("pk")
            .values("public_id", "status", "created_at", "finished_at", "link_sent_at", "downloaded_at"),
        ),
        "deletion_requests": out.rows(
            "deletion_requests",
            ErasureRequest.objects.filter(user=user)
            .order_by("pk")
            .values("public_id", "status", "requested_at", "scheduled_for", "cancelled_at"),
        ),
        "data_subject_requests": out.rows(
            "data_subject_requests",
            SubjectRequest.objects.filter(user=user)
            .order_by("pk")
            .values(
                "public_id",
                "kind",
                "source",
                "received_at",
                "due_on",
                "extension_months",
                "extension_reason",
                "identity",
                "outcome",
                "closed_at",
            ),
        ),
    }
    return counts


def _memberships(person: _Person, out: _JsonObjectWriter) -> dict:
    from organizations.models import Invitation, Membership, TeamMembership
    from organizations.selectors import reviews_of_my_data

    teams: dict[int, list[dict]] = {}
    for tm in (
        TeamMembership.objects.filter(membership__user=person.user)
        .select_related("team")
        .order_by("team__name")
    ):
        teams.setdefault(tm.membership_id, []).append({"team": tm.team.name, "role": tm.role})
    memberships = (
        Membership.objects.filter(user=person.user)
        .select_related("organization")
        .order_by("organization__name")
    )
    return {
        "organisations": out.rows(
            "organisations",
            (
                {
                    "organisation": m.organization.name,
                    "short_name": m.organization.slug,
                    "role": m.role,
                    "primary_owner": m.is_primary_owner,
                    "joined_at": m.joined_at,
                    "teams": teams.get(m.pk, []),
                }
                for m in memberships
            ),
        ),
        "invitations": out.rows(
            "invitations",
            (
                {
                    "organisation": i.organization.name,
                    "email": i.email,
                    "role": i.role,
                    "status": i.status,
                    "created_at": i.created_at,
                    "expires_at": i.expires_at,
                    "responded_at": i.responded_at,
                }
                for i in Invitation.objects.filter(email__in=person.addresses)
                .select_related("organization")
                .order_by("pk")
            ),
        ),
        "reviews_of_your_data": out.rows(
            "reviews_of_your_data",
            (
                {
                    "organisation": r["organization"].name if r["organization"] else None,
                    "reviewer": r["reviewer"].get_full_name() if r["reviewer"] else None,
                    "reviewed_at": r["reviewed_at"],
                    "reason": r["reason"],
                }
                for r in reviews_of_my_data(user=person.user)
            ),
        ),
    }


def _consent(person: _Person, out: _JsonObjectWriter) -> dict:
    from audit.models import LogLeaf
    from consent.models import ConsentLink, ConsentState

    state = ConsentState.objects.filter(subject_key=person.subject_key).first()
    out.value(
        "current_choices",
        {"choices": state.choices, "record_id": state.record_id, "updated_at": state.updated_at}
        if state
        else None,
    )
    records = (
        person.stream("consent", "records")
        # "sealed": in the transparency log, under a signed checkpoint.
        .annotate(sealed=Exists(LogLeaf.objects.filter(stream="consent", record_seq=OuterRef("seq"))))
        .order_by("seq")
        .iterator(chunk_size=_ITERATOR_CHUNK)
    )
    return {
        "linked_devices": out.rows(
            "linked_devices",
            ConsentLink.objects.filter(account_subject_key=person.subject_key)
            .order_by("linked_at")
            .values("visitor_key", "linked_at"),
        ),
        "records": out.rows(
            "records",
            ({**r.hashed_content(), "record_hash": r.record_hash, "sealed": r.sealed} for r in records),
        ),
    }


def _policies(person: _Person, out: _JsonObjectWriter) -> dict:
    from policies.models import PolicyAcceptance, PolicyNotice

    return {
        "change_notices": out.rows(
            "change_notices",
            PolicyNotice.objects.filter(subject_key=person.subject_key)
            .order_by("pk")
            .values(
                "version__document__slug",
                "version__number",
                "channel",
                "status",
                "sent_at",
                "failure_reason",
                "created_at",
            ),
        ),
        "acceptances": out.rows(
            "acceptances",
            PolicyAcceptance.objects.filter(subject_key=person.subject_key)
            .order_by("pk")
            .values("version__document__slug", "version__number", "kind", "how", "accepted_at", "ip_prefix"),
        ),
    }


def _data_sharing(person: _Person, out: _JsonObjectWriter) -> dict:
    from integrations.models import Installation, Provider

    providers = dict(Provider.objects.values_list("pk", "name"))
    events = (
        person.stream("data_sharing", "shares")
        .order_by("seq")
        .values_list(
            "event_id",
            "provider_id",
            "categories",
            "fields",
            "purpose",
            "legal_basis",
            "organization_id",
            "team_id",
            "installation_id",
            "occurred_at",
            "record_hash",
        )
        .iterator(chunk_size=_ITERATOR_CHUNK)
    )
    return {
        "integrations_you_added": out.rows(
            "integrations_you_added",
            Installation.objects.filter(installed_by=person.user)
            .order_by("pk")
            .values(
                "public_id",
                "provider__name",
                "audience",
                "organization__name",
                "team__name",
                "granted_fields",
                "status",
                "created_at",
                "removed_at",
            ),
        ),
        "shares": out.rows(
            "shares",
            (
                {
                    "event_id": e[0],
                    "provider": providers.get(e[1]),
                    "categories": [c for c in e[2].split(",") if c],
                    "fields": e[3],
                    "purpose": e[4],
                    "legal_basis": e[5],
                    "organization_id": e[6],
                    "team_id": e[7],
                    "installation_id": e[8],
                    "occurred_at": e[9],
                    "record_hash": e[10],
                }
                for e in events
            ),
        ),
    }


def _disclosures(person: _Person, out: _JsonObjectWriter) -> dict:
    from subjects.services import Unsealer

    unseal = Unsealer()
    records = person.stream("disclosures", "disclosures").order_by("seq")
    return {
        "disclosures": out.rows(
            "disclosures",
            (
                {
                    "disclosure_id": d.disclosure_id,
                    "organisation": d.organization_name,
                    "domain": d.domain,
                    "disclosed_at": d.disclosed_at,
                    **(unseal(subject_key=d.subject_key, token=d.sealed) or {}),
                    "record_hash": d.record_hash,
                }
                for d in records.iterator(chunk_size=_ITERATOR_CHUNK)
            ),
        )
    }


def _support_cases(person: _Person, out: _JsonObjectWriter) -> dict:
    from support.models import CaseMessage, MinorReport, PrivacyQuestion, SharedCaseReply, SupportCase

    def cases() -> Iterator[dict]:
        # Internal notes are staff's working notes: the thread as the reporter sees it.
        visible = (
            CaseMessage.objects.filter(kind__in=CaseMessage.VISIBLE_TO_REPORTER)
            .select_related("share")
            .order_by("created_at", "id")
        )
        for case in (
            SupportCase.objects.filter(reporter=person.user)
            .select_related("organization")
            .prefetch_related(Prefetch("messages", queryset=visible))
            .order_by("pk")
        ):
            yield {
                "case_id": case.public_id,
                "subject": case.subject,
                "message": case.body,
                "organisation": case.organization.name if case.organization else None,
                "status": case.status,
                "opened_at": case.created_at,
                "updated_at": case.updated_at,
                "thread": [
                    {
                        "kind": m.kind,
                        "body": m.body,
                        "at": m.created_at,
                        **(
                            {
                                "shared_masked_subject": m.share.masked_subject,
                                "shared_masked_body": m.share.masked_body,
                                "shared_masked_replies": m.share.masked_replies,
                                "masked_counts": m.share.masked_counts,
                            }
                            if m.share
                            else {}
                        ),
                    }
                    for m in case.messages.all()
                ],
            }

    def questions() -> Iterator[dict]:
        asked = PrivacyQuestion.objects.annotate(address=Lower("email")).filter(address__in=person.addresses)
        for q in asked.prefetch_related("replies").order_by("pk"):
            yield {
                "name": q.name,
                "email": q.email,
                "subject": q.subject,
                "question": q.message,
                "status": q.status,
                "asked_at": q.created_at,
                "answers": [{"body": r.body, "at": r.created_at} for r in q.replies.all()],
            }

    return {
        "cases": out.rows("cases", cases()),
        "privacy_questions": out.rows("privacy_questions", questions()),
        "reports_you_sent": out.rows(
            "reports_you_sent",
            MinorReport.objects.annotate(sender=Lower("reporter_email"))
            .filter(sender__in=person.addresses)
            .order_by("pk")
            .values("created_at", "status", "reported_email", "reported_details", "description"),
        ),
        "shared_case_replies_you_wrote": out.rows(
            "shared_case_replies_you_wrote",
            SharedCaseReply.objects.filter(author=person.user)
            .order_by("pk")
            .values("share__organization__name", "body", "created_at"),
        ),
    }


def _audit_events(person: _Person, out: _JsonObjectWriter) -> dict:
    from subjects.services import Unsealer

    unseal = Unsealer().prefetch([person.subject_key])
    events = person.stream("audit_events", "events").order_by("id")

    def rows():
        for e in events.iterator(chunk_size=_ITERATOR_CHUNK):
            # Values sealed for someone else (staff acting on another account) stay theirs.
            mine = e.subject_key == person.subject_key
            yield {
                "at": e.occurred_at,
                "event": e.event_type,
                "description": e.get_event_type_display(),
                "by_you": e.actor_subject == person.subject_key,
                "about_you": mine,
                "organization_id": e.organization_id,
                "target": f"{e.target_type}:{e.target_id}" if e.target_type else "",
                "changes": e.changes,
                "personal_changes": unseal(subject_key=e.subject_key, token=e.sealed_changes)
                if mine
                else None,
                "network": e.ip_prefix,
                "hash": e.hash,
            }

    return {"events": out.rows("events", rows())}


WRITERS = {
    "profile": _profile,
    "memberships": _memberships,
    "consent": _consent,
    "policies": _policies,
    "data_sharing": _data_sharing,
    "disclosures": _disclosures,
    "support_cases": _support_cases,
    "audit_events": _audit_events,
}
assert list(WRITERS) == list(EXPORT_KINDS)


def write_export(*, user, path, on_progress, plan: ExportPlan | None = None) -> dict[str, dict]:
    """Write the ZIP to ``path`` with the large streams' rows as of ``plan``
    (planned now when not given); ``on_progress(kind, rows_so_far)`` is called as
    it goes, counting those rows only. Returns the row counts per kind and section."""
    with ZipFile(path, "w", compression=ZIP_DEFLATED, compresslevel=6) as archive:
        return write_export_into(archive, user=user, on_progress=on_progress, plan=plan)


def write_export_into(
    archive: ZipFile, *, user, on_progress, plan: ExportPlan | None = None, folder: str = ""
) -> dict[str, dict]:
    """The same files, into an open ZIP under ``folder`` (an evidence pack
    holds the person's copy beside the proofs)."""
    plan = plan or export_plan(user)
    person = _Person(user, plan)
    counts: dict[str, dict] = {}
    written = 0
    last = time.monotonic()

    def report(kind: str) -> None:
        # A row committed late under an earlier number could still slip in: never report more than planned.
        on_progress(kind, min(written, plan.total))

    def tick(n: int, kind: str, section: str) -> None:
        nonlocal written, last
        if (kind, section) not in STREAMS:
            return
        written += n
        if n and (written % PROGRESS_EVERY < n or time.monotonic() - last > 2):
            last = time.monotonic()
            report(kind)

    for kind, writer in WRITERS.items():
        report(kind)
        with archive.open(f"{folder}{kind}.json", "w", force_zip64=True) as stream:
            out = _JsonObjectWriter(stream, lambda n, section, kind=kind: tick(n, kind, section))
            out.value("kind", kind)
            out.value("generated_at", timezone.now())
            counts[kind] = writer(person, out)
            out.close()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        archive.writestr(
            f"{folder}index.html",
            render_to_string(
                "data_requests/export_summary.html",
                {
                    "user": user,
                    "generated_at": timezone.now(),
                    "kinds": [
                        {
                            "file": f"{kind}.json",
                            "description": EXPORT_KINDS[kind],
                            "counts": counts[kind],
                        }
                        for kind in EXPORT_KINDS
                    ],
                },
            ),
        )
    report("")
    return counts
