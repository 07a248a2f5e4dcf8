"""Drafting and publishing through the API: privacy officers only; bad input
gets a clear 4xx and writes nothing."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from policies import selectors
from policies.models import NoticeRun, PolicyDocument, PolicyVersion
from tests.conftest import assert_error
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_api():
    officer = UserFactory(email="po@icentrex.example")
    officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    client = APIClient()
    client.force_authenticate(officer)
    return client


def versions_url(slug="terms"):
    return reverse("api-policy-versions", args=[slug])


def new_text(slug="terms"):
    return (
        selectors.version_in_force(document=PolicyDocument.objects.get(slug=slug)).body
        + "\n\nOne more line.\n"
    )


def payload(**overrides):
    return {
        "body": new_text(),
        "summary": "One more line.",
        "effective_at": timezone.now().isoformat(),
        **overrides,
    }


def nothing_written(before_versions: int, before_events: int) -> bool:
    return PolicyVersion.objects.count() == before_versions and AuditEvent.objects.count() == before_events


def test_an_officer_drafts_then_publishes(officer_api, django_capture_on_commit_callbacks):
    draft = officer_api.post(versions_url(), payload(), format="json")
    assert draft.status_code == 201 and draft.json()["status"] == "draft" and draft.json()["number"] is None
    publish_url = reverse("api-policy-version-publish", args=["terms", draft.json()["id"]])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        published = officer_api.post(publish_url)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["number"] == 2 and len(published.json()["content_hash"]) == 64
    assert NoticeRun.objects.filter(version_id=draft.json()["id"]).exists() and len(callbacks) == 1
    assert_error(officer_api.post(publish_url), 409, "already_published")
    public = APIClient().get(versions_url()).json()
    assert [v["number"] for v in public["results"]] == [2, 1]


def test_publishing_at_once_and_the_markdown_is_sanitised(officer_api):
    body = (
        new_text()
        + '\n<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror="alert(3)">\n'
    )
    response = officer_api.post(
        versions_url(), payload(body=body, publish=True, material=True), format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "published"
    html = response.json()["html"]
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"body": "   "}, 400, "invalid"),
        ({"body": ""}, 400, "invalid"),
        ({"effective_at": "next tuesday"}, 400, "invalid"),
        ({"material": "perhaps"}, 400, "invalid"),
        ({"status": "published"}, 400, "invalid"),  # unknown field
        ({"publish": True, "body": None}, 400, "invalid"),
    ],
)
def test_bad_drafts_are_refused_and_nothing_is_written(officer_api, change, status, code):
    before = PolicyVersion.objects.count(), AuditEvent.objects.count()
    body = {**payload(), **change}
    body = {k: v for k, v in body.items() if v is not None}
    assert_error(officer_api.post(versions_url(), body, format="json"), status, code)
    assert nothing_written(*before)


def test_publishing_an_unchanged_text_writes_nothing(officer_api):
    before = PolicyVersion.objects.count(), AuditEvent.objects.count()
    unchanged = selectors.version_in_force(document=PolicyDocument.objects.get(slug="terms")).body
    response = officer_api.post(versions_url(), payload(body=unchanged, publish=True), format="json")
    assert_error(response, 409, "unchanged_version")
    assert nothing_written(*before)  # not even the draft
    assert not NoticeRun.objects.exists()


def test_people_who_are_not_privacy_officers_cannot_draft_or_publish(officer_api):
    draft = officer_api.post(versions_url(), payload(), format="json").json()
    before = PolicyVersion.objects.count(), AuditEvent.objects.count()
    member = APIClient()
    member.force_authenticate(UserFactory(email="someone@example.org"))
    assert_error(
        member.post(versions_url(), payload(publish=True), format="json"), 403, "not_privacy_officer"
    )
    publish_url = reverse("api-policy-version-publish", args=["terms", draft["id"]])
    assert_error(member.post(publish_url), 403, "not_privacy_officer")
    assert_error(APIClient().post(versions_url(), payload(), format="json"), 401)
    assert nothing_written(*before)
    assert PolicyVersion.objects.get(pk=draft["id"]).status == "draft"


def test_unknown_documents_and_versions_are_404(officer_api):
    assert_error(officer_api.post(versions_url("nope"), payload(), format="json"), 404)
    assert_error(officer_api.post(reverse("api-policy-version-publish", args=["terms", 999999])), 404)
    assert_error(officer_api.get(reverse("api-policy-notice-progress", args=[999999])), 404)
