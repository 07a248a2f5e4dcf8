"""The access matrix for the staff console: every URL pattern of the console
(composed in icentrex/urls.py from each app's staff_urls) x every kind of
person. Signed out → the sign-in page; signed in without the page's staff
permission → 403 and nothing changes; with it → the page works (never 403,
404 or 5xx). Who holds which permission is accounts/staff_roles.py's table, so
the expectations follow it rather than repeating it.
A staff URL without an entry in STAFF fails the completeness test."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.staff_roles import StaffPermission as P
from accounts.staff_roles import staff_has_permission
from cookies.models import TrackerSighting
from data_requests.models import SubjectRequest
from icentrex.urls import staff_console
from organizations.models import Organization
from policies.models import NoticeRun, PolicyDocument, PolicyVersion
from support.models import MinorReport, PrivacyQuestion, SupportCase
from tests.factories import UserFactory


@dataclass(frozen=True)
class Page:
    permission: P
    method: str = "GET"
    kwargs: tuple = ()  # names of world values, or (url kwarg, world value) pairs
    data: dict = field(default_factory=dict)


STAFF = {
    "staff_home": Page(P.STAFF_CONSOLE_OPEN),
    "staff_minor_reports": Page(P.MINOR_REPORTS_HANDLE),
    "staff_minor_report": Page(P.MINOR_REPORTS_HANDLE, kwargs=("report_id",)),
    "staff_minor_report_suspend": Page(P.MINOR_REPORTS_HANDLE, "POST", ("report_id",)),
    "staff_minor_report_delete": Page(P.MINOR_REPORTS_HANDLE, "POST", ("report_id",)),
    "staff_minor_report_dismiss": Page(P.MINOR_REPORTS_HANDLE, "POST", ("report_id",)),
    "staff_privacy_questions": Page(P.PRIVACY_QUESTIONS_HANDLE),
    "staff_privacy_question": Page(P.PRIVACY_QUESTIONS_HANDLE, kwargs=("question_id",)),
    "staff_privacy_question_close": Page(P.PRIVACY_QUESTIONS_HANDLE, "POST", ("question_id",)),
    "staff_privacy_question_reopen": Page(P.PRIVACY_QUESTIONS_HANDLE, "POST", ("question_id",)),
    "staff_cases": Page(P.SUPPORT_CASES_HANDLE),
    "staff_case": Page(P.SUPPORT_CASES_HANDLE, kwargs=("case_id",)),
    "staff_case_assign": Page(P.SUPPORT_CASES_HANDLE, "POST", ("case_id",)),
    "staff_case_status": Page(P.SUPPORT_CASES_HANDLE, "POST", ("case_id",), {"status": "closed"}),
    "staff_case_note": Page(P.SUPPORT_CASES_HANDLE, "POST", ("case_id",), {"body": "Checked the logs."}),
    "staff_case_share": Page(P.SUPPORT_CASES_HANDLE, kwargs=("case_id",)),
    "staff_consent": Page(P.CONSENT_FIGURES_READ),
    "staff_trackers": Page(P.DECLARATION_MANAGE),
    "staff_tracker_declare": Page(P.DECLARATION_MANAGE, kwargs=(("pk", "sighting"),)),
    "staff_tracker_dismiss": Page(P.DECLARATION_MANAGE, "POST", (("pk", "sighting"),)),
    "staff_policy_notice_runs": Page(P.POLICIES_PUBLISH),
    "staff_policy_notices": Page(P.POLICIES_PUBLISH, kwargs=(("version_id", "published"),)),
    "staff_policy_drafts": Page(P.POLICIES_PUBLISH, kwargs=(("slug", "policy"),)),
    "staff_policy_draft": Page(P.POLICIES_PUBLISH, kwargs=(("slug", "policy"), ("version_id", "draft"))),
    "staff_policy_publish": Page(P.POLICIES_PUBLISH, "POST", (("slug", "policy"), ("version_id", "draft"))),
    "staff_providers": Page(P.PROVIDERS_MANAGE),
    "staff_subprocessor_changes": Page(P.PROVIDERS_MANAGE),
    "staff_provider_create": Page(P.PROVIDERS_MANAGE, kwargs=(("kind", "provider_kind"),)),
    "staff_provider": Page(P.PROVIDERS_MANAGE, kwargs=(("slug", "provider"),)),
    "staff_provider_rotate_secret": Page(P.PROVIDERS_MANAGE, "POST", (("slug", "provider"),)),
    "staff_subject_requests": Page(P.SUBJECT_REQUESTS_MANAGE),
    "staff_subject_request_new": Page(P.SUBJECT_REQUESTS_MANAGE),
    "staff_subject_request_figures": Page(P.SUBJECT_REQUESTS_MANAGE),
    "staff_subject_request": Page(P.SUBJECT_REQUESTS_MANAGE, kwargs=("public_id",)),
    "staff_subject_request_identity": Page(
        P.SUBJECT_REQUESTS_MANAGE, "POST", ("public_id",), {"identity": "verified"}
    ),
    "staff_subject_request_extend": Page(
        P.SUBJECT_REQUESTS_MANAGE, "POST", ("public_id",), {"months": 1, "reason": "Complex."}
    ),
    "staff_subject_request_close": Page(
        P.SUBJECT_REQUESTS_MANAGE, "POST", ("public_id",), {"outcome": "complied"}
    ),
    "staff_subject_request_classify": Page(
        P.SUBJECT_REQUESTS_CLASSIFY,
        "POST",
        (("source", "question_source"), ("ref_id", "question_id")),
        {"kind": "access"},
    ),
    "staff_evidence_packs": Page(P.EVIDENCE_PACKS_MAKE),
    "staff_evidence_pack_download": Page(P.EVIDENCE_PACKS_MAKE, kwargs=(("public_id", "pack_id"),)),
    "staff_records": Page(P.RECORDS_READ),
    "staff_processor_records": Page(P.RECORDS_READ),
    "staff_processor_record": Page(P.RECORDS_READ, kwargs=(("slug", "org_slug"),)),
    "staff_record_editions": Page(P.RECORDS_READ),
    "staff_record_edition": Page(P.RECORDS_READ, kwargs=("edition_id",)),
}

PERSONAS = ("anonymous", "customer", "staff_flag_only", "support", "privacy_officer", "superuser")


def test_every_staff_url_is_in_the_matrix():
    assert {pattern.name for pattern in staff_console} == set(STAFF)


def _person(persona: str):
    if persona == "anonymous":
        return None
    user = UserFactory(is_staff=persona != "customer", is_superuser=persona == "superuser")
    if persona in ("support", "privacy_officer"):
        user.groups.add(Group.objects.get_or_create(name=persona)[0])
    return user


@pytest.fixture
def world(db):
    reporter = UserFactory(email="reporter@example.org")
    acme = Organization.objects.create(name="Acme", slug="acme")
    privacy = PolicyDocument.objects.get(slug="privacy")
    published = PolicyVersion.objects.filter(document=privacy).exclude(published_at=None).first()
    NoticeRun.objects.get_or_create(version=published, defaults={"last_user_pk": 0})
    now = timezone.now()
    return {
        "report_id": MinorReport.objects.create(
            reporter_email="parent@example.org",
            reported_email="kid@example.org",
            description="Says she is 11.",
        ).pk,
        "question_id": PrivacyQuestion.objects.create(
            email="asker@example.org", subject="Where is my data?", message="Which country?"
        ).pk,
        "question_source": "privacy_question",
        "case_id": SupportCase.objects.create(
            reporter=reporter, subject="Export", body="Please help.", organization=acme
        ).pk,
        "sighting": TrackerSighting.objects.create(
            kind="cookie", name="_undeclared", origin="https://app.example", first_seen=now, last_seen=now
        ).pk,
        "policy": "privacy",
        "published": published.pk,
        "draft": PolicyVersion.objects.create(
            document=privacy, body="New text.", summary="Shorter.", effective_at=now + timedelta(days=40)
        ).pk,
        "provider": "standup-bot",
        "provider_kind": "integration",
        "org_slug": acme.slug,
        "pack_id": _a_pack(reporter),
        "edition_id": _an_edition(),
        "public_id": SubjectRequest.objects.create(
            kind="access",
            source="other",
            contact_email="asker@example.org",
            received_at=now,
            due_on=timezone.localdate() + timedelta(days=30),
        ).public_id,
    }


def _a_pack(person):
    from django.core.files.base import ContentFile

    from data_requests.models import EvidencePack

    pack = EvidencePack(user=person, reason="A complaint about sharing.", status=EvidencePack.Status.DONE)
    pack.file.save("matrix-pack.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)
    pack.save()
    return pack.public_id


def _an_edition() -> int:
    from registers.models import RecordEdition
    from registers.services import record_editions_daily

    record_editions_daily(language=settings.LANGUAGE_CODE)
    return RecordEdition.objects.earliest("pk").pk


def _url(name: str, page: Page, world: dict) -> str:
    kwargs = {}
    for item in page.kwargs:
        key, value = item if isinstance(item, tuple) else (item, item)
        kwargs[key] = world[value]
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(STAFF))
def test_the_staff_console_access_matrix(name, world):
    page = STAFF[name]
    url = _url(name, page, world)
    for persona in PERSONAS:
        person = _person(persona)
        client = Client()
        if person is not None:
            client.force_login(person)
        # Each persona's request in its own savepoint, rolled back: one's action never hides another's.
        with transaction.atomic():
            response = getattr(client, page.method.lower())(url, page.data)
            transaction.set_rollback(True)
        status = response.status_code
        if person is None:
            assert status == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL)), name
        elif staff_has_permission(person, page.permission):
            assert status not in (403, 404) and status < 500, (name, persona, status)
        else:
            assert status == 403, (name, persona, status)


def test_who_may_what_in_the_registers():
    """The issue's rule: privacy officers alone for the request queue, figures and
    registers; support staff may classify requests."""
    support, officer = _person_roles("support"), _person_roles("privacy_officer")
    assert P.SUBJECT_REQUESTS_CLASSIFY in support and P.SUBJECT_REQUESTS_MANAGE not in support
    assert {P.SUBJECT_REQUESTS_CLASSIFY, P.SUBJECT_REQUESTS_MANAGE} <= officer


def _person_roles(role: str):
    from accounts.staff_roles import STAFF_ROLE_PERMISSIONS

    return STAFF_ROLE_PERMISSIONS[role]
