"""Evidence packs: a privacy officer makes one for one person with a stated
reason (audited, shown to the person); the ZIP holds the person's copy of
their data and a receipt with its proof for every evidence record about them,
which the verifier inside the pack accepts with the key inside the pack."""

import json
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from audit.events import EventType
from audit.models import AuditEvent
from audit.streams import logged_streams
from audit.transparency import log_integrate_all
from consent.services import consent_record
from cookies.selectors import current_revision
from data_requests import retention, services, tasks
from data_requests.erasure import erasure_continue
from data_requests.models import ErasureRequest, EvidencePack, SubjectRequest
from subjects.services import subject_key_for_user
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNALS = {
    "gpc": False,
    "dnt": None,
    "ip_prefix": "192.0.2.0",
    "ua_family": "Firefox",
    "ua_version": "140",
    "origin": "",
}


def _staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def officer():
    return _staff("privacy_officer")


def _with_evidence(user) -> None:
    """Two consent records about the person, one about someone else, all logged."""
    key = subject_key_for_user(user=user)
    for subject in (key, subject_key_for_user(user=UserFactory()), key):
        consent_record(
            subject_key=subject,
            subject_type="account",
            method="banner_reject_all",
            revision_hash=current_revision().content_hash,
            signals=SIGNALS,
        )
    for stream in logged_streams():
        log_integrate_all(stream.name, stream.log)


def test_a_pack_holds_the_copy_and_proofs_that_verify_without_us(
    client, officer, alice, tmp_path, django_capture_on_commit_callbacks
):
    _with_evidence(alice)
    asked = SubjectRequest.objects.create(
        kind="access",
        source="other",
        user=alice,
        received_at=timezone.now(),
        due_on=timezone.localdate() + timedelta(30),
    )
    client.force_login(officer)
    page = client.get(reverse("staff_evidence_packs"), {"request": str(asked.public_id)}).content.decode()
    assert 'value="alice@example.org"' in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("staff_evidence_packs"),
            {
                "email": "alice@example.org",
                "reason": "Complaint to the supervisory authority, case 2026-41.",
                "subject_request": str(asked.public_id),
            },
        )
    assert response.status_code == 302 and len(callbacks) == 1
    pack = EvidencePack.objects.get()
    assert pack.subject_request == asked and pack.requested_by == officer
    assert tasks.evidence_pack_build(pack.pk) == "done"
    assert tasks.evidence_pack_build(pack.pk) == "skipped"  # built once
    pack.refresh_from_db()
    assert pack.counts["proofs"]["consent"] == {"receipts": 2, "in_a_checkpoint": 2}

    download = client.get(reverse("staff_evidence_pack_download", args=[pack.public_id]))
    path = tmp_path / "pack.zip"
    path.write_bytes(b"".join(download.streaming_content))
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"your-data/consent.json", "your-data/index.html", "pack.json", "README.txt"} <= names
        assert {
            "verification/keys.txt",
            "verification/icentrex-verify.py",
            "proofs/consent.jsonl",
            "proofs/audit.jsonl",
        } <= names
        about = json.loads(archive.read("pack.json"))
        assert about["reason"].startswith("Complaint") and about["requested_by_role"] == "privacy_officer"
        receipt = json.loads(archive.read("proofs/consent.jsonl").splitlines()[0])
        (tmp_path / "receipt.json").write_text(json.dumps(receipt))
        (tmp_path / "verify.py").write_bytes(archive.read("verification/icentrex-verify.py"))
        key = archive.read("verification/keys.txt").decode().splitlines()[0]
    done = subprocess.run(
        [sys.executable, str(tmp_path / "verify.py"), str(tmp_path / "receipt.json"), "--key", key],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    # Made and downloaded: both are openings the person sees, with the reason.
    openings = AuditEvent.objects.filter(event_type=EventType.STAFF_OPENED_PERSONAL_DATA)
    assert openings.count() == 2 and {e.changes["screen"] for e in openings} == {"evidence_pack"}
    assert "reason" not in json.dumps([e.changes for e in openings])  # sealed for the person, not in clear
    client.force_login(alice)
    seen = client.get(reverse("privacy_access_log")).content.decode()
    assert (
        seen.count("Complaint to the supervisory authority, case 2026-41.") == 2
        and "A privacy officer" in seen
    )


@pytest.mark.parametrize(
    "data, error",
    [
        ({"email": "alice@example.org", "reason": "short"}, "at least 10 characters"),
        ({"email": "nobody@example.org", "reason": "A complaint about sharing."}, "no active account"),
        ({"email": "not-an-address", "reason": "A complaint about sharing."}, "valid email"),
    ],
)
def test_bad_input_is_a_400_and_writes_nothing(client, officer, alice, data, error):
    client.force_login(officer)
    response = client.post(reverse("staff_evidence_packs"), data)
    assert response.status_code == 400 and error in response.content.decode()
    assert not EvidencePack.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.STAFF_OPENED_PERSONAL_DATA).exists()


def test_support_agents_cannot_make_packs(alice):
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.evidence_pack_request(
            actor=_staff("support"), user=alice, reason="A complaint about sharing."
        )


def test_packs_expire_after_30_days_and_go_with_the_person(officer, alice, bob):
    old = services.evidence_pack_request(actor=officer, user=alice, reason="A complaint about sharing.")
    tasks.evidence_pack_build(old.pk)
    fresh = services.evidence_pack_request(actor=officer, user=bob, reason="A request for everything.")
    tasks.evidence_pack_build(fresh.pk)
    old.refresh_from_db()
    EvidencePack.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert retention.evidence_packs_expire() == 1
    assert list(EvidencePack.objects.all()) == [fresh]
    fresh.refresh_from_db()
    stored = fresh.file.name
    assert default_storage.exists(stored)
    erasure = ErasureRequest.objects.create(user=bob, status="running", scheduled_for=timezone.now())
    erasure_continue(erasure_id=erasure.pk)
    assert not EvidencePack.objects.exists()
