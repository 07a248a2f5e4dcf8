"""Export progress is truthful: "processed" and "total" count the same rows,
fixed when the build starts, so progress never shows more done than there is
(it once showed 72 of 60), even while rows are added during the build."""

import json
import zipfile

import pytest

from audit.events import EventType
from audit.services import audit_record
from data_requests import personal_export, selectors, services, tasks
from data_requests.models import OrganizationExport
from organizations.models import Membership
from tests.factories import UserFactory

from .people import make_rich_person

pytestmark = pytest.mark.django_db


def test_members_who_join_during_an_organisation_export_do_not_push_it_past_its_total(
    acme, owner, monkeypatch
):
    for n in range(24):
        Membership.objects.create(organization=acme, user=UserFactory(email=f"m{n:02d}@acme.example"))
    monkeypatch.setattr(tasks, "CHUNK", 10)
    seen: list[tuple[int, int]] = []
    real_rows = selectors.member_export_rows

    def rows_while_people_join(**kwargs):
        export = OrganizationExport.objects.get()
        seen.append((export.processed, export.total))
        if len(seen) == 2:  # after the first chunk: ten people join
            for n in range(10):
                Membership.objects.create(organization=acme, user=UserFactory(email=f"late{n}@acme.example"))
        return real_rows(**kwargs)

    monkeypatch.setattr(selectors, "member_export_rows", rows_while_people_join)
    export = services.organization_export_request(actor=owner, format="json")
    assert tasks.organization_export_build(export.pk) == "done"
    export.refresh_from_db()

    assert all(processed <= total for processed, total in seen), seen
    assert (export.total, export.processed, export.percent) == (25, 25, 100)
    members = json.loads(export.file.read())["members"]
    assert len(members) == 25 and not any(m["email"].startswith("late") for m in members)


@pytest.fixture
def person(owner, admin, outsider):
    return make_rich_person(acme_owner=owner, acme_admin=admin, globex_owner=outsider)


def test_a_personal_export_counts_processed_and_total_on_the_same_basis(person):
    export = services.personal_export_request(actor=person.user)
    assert tasks.personal_export_build(export.pk) == "done"
    export.refresh_from_db()
    # Before: the total counted some kinds, progress every row of every kind (processed > total).
    assert export.total > 0 and export.processed == export.total


def test_rows_added_while_a_personal_export_runs_stay_out_of_its_progress_and_its_file(
    person, monkeypatch, tmp_path
):
    reports: list[int] = []
    plan = personal_export.export_plan(person.user)
    real_consent = personal_export.WRITERS["consent"]

    def consent_while_audit_events_arrive(who, out):
        # Events about the person arrive while the copy is being written.
        for _ in range(7):
            audit_record(event_type=EventType.USER_PROFILE_CHANGED, actor=person.user, changes={"n": 1})
        return real_consent(who, out)

    monkeypatch.setitem(personal_export.WRITERS, "consent", consent_while_audit_events_arrive)
    path = tmp_path / "export.zip"
    counts = personal_export.write_export(
        user=person.user, path=path, on_progress=lambda kind, rows: reports.append(rows), plan=plan
    )

    assert reports and max(reports) <= plan.total and reports[-1] == plan.total
    streamed = (
        counts["consent"]["records"]
        + counts["data_sharing"]["shares"]
        + counts["disclosures"]["disclosures"]
        + counts["audit_events"]["events"]
    )
    assert streamed == plan.total
    with zipfile.ZipFile(path) as archive:
        events = json.loads(archive.read("audit_events.json"))["events"]
    assert len(events) == counts["audit_events"]["events"]
