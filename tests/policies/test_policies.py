from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.events import EventType
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden, RuleViolation
from policies import selectors, services
from policies.models import PolicyDocument, PolicyVersion, PublishedVersionError
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    user = UserFactory(email="po@icentrex.example", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


@pytest.fixture
def privacy():
    return PolicyDocument.objects.get(slug="privacy")


def draft(officer, privacy, body, material=False, **extra):
    return services.policy_draft_create(
        actor=officer,
        document=privacy,
        body=body,
        summary=extra.get("summary", ""),
        effective_at=extra.get("effective_at", timezone.now()),
        material=material,
    )


def test_seeded_documents_have_a_version_in_force():
    for slug in ["privacy", "cookies", "terms"]:
        version = selectors.version_in_force(document=PolicyDocument.objects.get(slug=slug))
        assert version.number == 1 and version.content_hash == version.compute_hash()


def test_publishing_numbers_fingerprints_and_audits(officer, privacy):
    body = selectors.version_in_force(document=privacy).body + "\n## New section\n\nWe added this.\n"
    version = services.policy_publish(actor=officer, version=draft(officer, privacy, body, material=True))
    assert (version.number, version.status, version.material) == (2, "published", True)
    assert version.content_hash == version.compute_hash()
    assert AuditEvent.objects.filter(event_type=EventType.POLICY_PUBLISHED).count() == 1
    assert selectors.version_in_force(document=privacy) == version


def test_a_published_version_is_immutable(officer, privacy):
    version = selectors.version_in_force(document=privacy)
    version.body = "changed"
    with pytest.raises(PublishedVersionError):
        version.save()
    with pytest.raises(PublishedVersionError):
        version.delete()
    for sql in [
        "UPDATE policies_policyversion SET body = 'x' WHERE status = 'published'",
        "DELETE FROM policies_policyversion WHERE status = 'published'",
    ]:
        with pytest.raises(DatabaseError, match="is published"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)


@pytest.mark.parametrize(
    ("body", "error", "code"),
    [("   ", RuleViolation, "empty_version"), (None, Conflict, "unchanged_version")],
)
def test_empty_or_unchanged_versions_are_refused(officer, privacy, body, error, code):
    text = body if body is not None else selectors.version_in_force(document=privacy).body
    with pytest.raises(error) as caught:
        services.policy_publish(
            actor=officer,
            version=PolicyVersion.objects.create(document=privacy, body=text, effective_at=timezone.now()),
        )
    assert caught.value.code == code
    assert selectors.published_versions(document=privacy).count() == 1


def test_only_privacy_officers_publish(alice, privacy):
    with pytest.raises(Forbidden):
        services.policy_draft_create(
            actor=alice, document=privacy, body="x", summary="", effective_at=timezone.now(), material=False
        )


def test_markdown_is_sanitised():
    html = str(
        selectors.render_policy(
            "## Title\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1))"
            " <img src=x onerror=alert(1)>\n\n<a href='https://ok.example' onclick='evil()'>ok</a>"
        )
    )
    assert "<h2>Title</h2>" in html
    for bad in ["<script", "javascript:", "onerror", "onclick", "<img"]:
        assert bad not in html


def test_policy_page_shows_version_date_controller_and_history(client, officer, privacy):
    old = selectors.version_in_force(document=privacy)
    services.policy_publish(
        actor=officer,
        version=draft(
            officer,
            privacy,
            old.body.replace("## Children", "## Children and teenagers"),
            summary="Clearer age rules.",
        ),
    )
    html = client.get(reverse("policy", args=["privacy"])).content.decode()
    assert "Version 2" in html and "Updated" in html and "Clearer age rules." in html
    assert "iCentrex Sweden AB" in html and "privacy@icentrex.example" in html
    assert reverse("policy_version", args=["privacy", 1]) in html
    diff = client.get(reverse("policy_diff", args=["privacy"]), {"from": 1, "to": 2}).content.decode()
    assert "<h2>Children <ins>and teenagers</ins></h2>" in diff


def test_a_future_version_is_not_in_force_yet(officer, privacy):
    future = services.policy_publish(
        actor=officer,
        version=draft(
            officer, privacy, "## Next year\n\nNew text.", effective_at=timezone.now() + timedelta(days=30)
        ),
    )
    assert selectors.version_in_force(document=privacy).number == 1
    assert future.number == 2


def test_policy_api_is_public(client):
    documents = client.get("/api/v1/policies/").json()["results"]
    assert [d["slug"] for d in documents] == ["privacy", "cookies", "terms"]
    versions = client.get("/api/v1/policies/privacy/versions/").json()["results"]
    assert versions[0]["number"] == 1 and "<h2>" in versions[0]["html"]
    assert client.get("/api/v1/policies/nope/versions/").status_code == 404


def test_officers_draft_preview_and_publish_in_the_staff_console(client, officer, privacy, password):
    client.post(reverse("account_login"), {"login": officer.email, "password": password})
    page = client.get(reverse("staff_policy_drafts", args=["privacy"]))
    assert page.status_code == 200 and "Who we are" in page.content.decode()  # starts from the text in force
    response = client.post(
        reverse("staff_policy_drafts", args=["privacy"]),
        {
            "body": "## Shorter\n\nA new text. <script>x()</script>",
            "summary": "Rewritten.",
            "effective_at": timezone.now().strftime("%Y-%m-%dT%H:%M"),
            "material": "on",
        },
    )
    draft = PolicyVersion.objects.get(status="draft")
    assert response.status_code == 302
    preview = client.get(reverse("staff_policy_draft", args=["privacy", draft.pk])).content.decode()
    assert "<h2>Shorter</h2>" in preview and "<script>x()" not in preview
    response = client.post(reverse("staff_policy_publish", args=["privacy", draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.material) == ("published", 2, True)


def test_unchanged_text_is_a_clear_409_in_the_console(client, officer, privacy, password):
    client.post(reverse("account_login"), {"login": officer.email, "password": password})
    same = PolicyVersion.objects.create(
        document=privacy, body=selectors.version_in_force(document=privacy).body, effective_at=timezone.now()
    )
    response = client.post(reverse("staff_policy_publish", args=["privacy", same.pk]))
    assert response.status_code == 409 and "same as the version in force" in response.content.decode()


def test_the_staff_console_is_for_privacy_officers(client, alice, password, privacy):
    client.post(reverse("account_login"), {"login": alice.email, "password": password})
    assert client.get(reverse("staff_policy_drafts", args=["privacy"])).status_code == 403
