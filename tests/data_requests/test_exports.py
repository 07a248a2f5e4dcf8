import csv
import io
import json
import time

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from rest_framework.test import APIClient

from audit.events import EventType
from audit.models import AuditEvent
from core.errors import Conflict, Forbidden
from data_requests import services, tasks
from data_requests.models import OrganizationExport
from organizations.models import DataPolicy, Membership, Team, TeamMembership
from organizations.roles import OrgRole
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_acme(acme, owner):
    """Acme with enough members to need several chunks."""
    team = Team.objects.create(organization=acme, name="Ops", slug="ops")
    for n in range(25):
        m = Membership.objects.create(organization=acme, user=UserFactory(email=f"p{n:02d}@acme.example"))
        if n % 2:
            TeamMembership.objects.create(team=team, membership=m)
    return acme


def test_owners_export_by_default_admins_do_not(owner, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        export = services.organization_export_request(actor=owner, format="json")
    assert len(callbacks) == 1 and export.status == "pending"
    assert AuditEvent.objects.filter(event_type=EventType.MEMBER_DATA_EXPORTED).count() == 1
    with pytest.raises(Forbidden) as caught:
        services.organization_export_request(actor=admin, format="json")
    assert caught.value.code == "export_not_allowed"


def test_nobody_exports_when_the_policy_says_nobody(owner, acme):
    DataPolicy.objects.create(organization=acme, export_allowed_for="nobody")
    with pytest.raises(Forbidden):
        services.organization_export_request(actor=owner, format="csv")


def test_one_export_at_a_time(owner):
    services.organization_export_request(actor=owner, format="json")
    with pytest.raises(Conflict) as caught:
        services.organization_export_request(actor=owner, format="csv")
    assert caught.value.code == "export_running"


def test_the_build_is_chunked_complete_and_idempotent(big_acme, owner, monkeypatch):
    monkeypatch.setattr(tasks, "CHUNK", 10)
    export = services.organization_export_request(actor=owner, format="json")
    assert tasks.organization_export_build(export.pk) == "done"
    assert tasks.organization_export_build(export.pk) == "skipped"  # a duplicate message does nothing
    export.refresh_from_db()
    assert (export.status, export.total, export.processed, export.percent) == ("done", 26, 26, 100)
    members = json.loads(export.file.read())["members"]
    assert len(members) == 26 and len({m["member_id"] for m in members}) == 26
    assert sum(1 for m in members if m["teams"] == ["Ops"]) == 12


def test_csv_export(big_acme, owner):
    export = services.organization_export_request(actor=owner, format="csv")
    tasks.organization_export_build(export.pk)
    export.refresh_from_db()
    rows = list(csv.reader(io.StringIO(export.file.read().decode())))
    assert rows[0] == ["member_id", "name", "email", "role", "primary_owner", "joined_at", "teams"]
    assert len(rows) == 27


def test_the_sweep_requeues_a_build_whose_worker_died(owner, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    export = services.organization_export_request(actor=owner, format="json")
    long_ago = timezone.now() - timedelta(hours=1)
    OrganizationExport.objects.filter(pk=export.pk).update(
        status="running", started_at=long_ago, created_at=long_ago
    )
    calls = []
    monkeypatch.setattr(tasks.organization_export_build, "delay", calls.append)  # what reaches the broker
    assert tasks.data_requests_sweep()["organizationexport_restarted"] == 1
    assert calls == [export.pk]
    export.refresh_from_db()
    assert export.status == "pending"


def test_the_link_is_emailed_to_whoever_asked_and_works_once(
    big_acme, owner, admin, client, password, mailoutbox
):
    DataPolicy.objects.create(organization=big_acme, export_allowed_for=DataPolicy.Who.OWNERS_AND_ADMINS)
    export = services.organization_export_request(actor=owner, format="csv")
    api = APIClient()
    api.force_authenticate(owner.user)
    assert api.get(f"/api/v1/orgs/acme/exports/{export.pk}").json()["link_state"] == "building"
    tasks.organization_export_build(export.pk)
    assert tasks.organization_export_send_link(export.pk) == "sent"
    assert tasks.organization_export_send_link(export.pk) == "skipped"  # once
    detail = api.get(f"/api/v1/orgs/acme/exports/{export.pk}").json()
    assert (detail["percent"], detail["link_state"]) == (100, "sent") and "download_url" not in detail
    [email] = mailoutbox
    assert email.to == [owner.user.email]
    url = next(line for line in email.body.splitlines() if "/download/" in line).strip()
    path = url.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    assert client.get(path).status_code == 302  # needs sign-in
    client.force_login(admin.user)  # another admin may export, but the link is not theirs
    client.post(reverse("org_sign_in", args=["acme"]))
    assert client.get(path).status_code == 404
    client.force_login(owner.user)
    client.post(reverse("org_sign_in", args=["acme"]))
    assert client.get(path.split("?")[0] + "?t=wrong").status_code == 404
    page = client.get(path)
    assert page.status_code == 200 and "works once" in page.content.decode()
    response = client.post(path)
    assert response.status_code == 200 and b"p00@acme.example" in b"".join(response.streaming_content)
    again = client.post(path)
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.MEMBER_DATA_EXPORT_DOWNLOADED).count() == 1
    export.refresh_from_db()
    assert export.downloaded_at and not default_storage.exists(
        export.file.name
    )  # the copy went with the link


def test_progress_partial_for_htmx(owner, client, password):
    services.organization_export_request(actor=owner, format="json")
    client.post(reverse("account_login"), {"login": owner.user.email, "password": password})
    html = client.get(reverse("org_exports", args=["acme"]), HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<section id="exports"') and 'hx-trigger="every 2s"' in html


@pytest.mark.worker
def test_a_real_worker_builds_the_export(celery_worker_process, acme, owner):
    for _ in range(5):
        Membership.objects.create(organization=acme, user=UserFactory(), role=OrgRole.MEMBER)
    export = services.organization_export_request(actor=owner, format="json")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        export.refresh_from_db()
        if export.status in ("done", "failed"):
            break
        time.sleep(0.2)
    assert export.status == "done" and export.processed == 6
