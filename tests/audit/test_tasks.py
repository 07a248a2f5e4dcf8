import pytest

from audit.events import EventType
from audit.services import audit_record
from audit.tasks import evidence_verify


@pytest.mark.worker
def test_nightly_verification_runs_on_a_real_worker(celery_worker_process, alice):
    for _ in range(3):
        audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice)
    result = evidence_verify.delay("audit")
    report = result.get(timeout=30)["audit"]
    assert {key: report[key] for key in ("items", "seals", "broken")} == {
        "items": 3,
        "seals": 0,
        "broken": None,
    }
    assert report["log"]["broken"] is None
