import pytest

from audit.events import EventType
from audit.services import audit_record
from audit.tasks import audit_verify_chain


@pytest.mark.worker
def test_nightly_verification_runs_on_a_real_worker(celery_worker_process, alice):
    for _ in range(3):
        audit_record(event_type=EventType.USER_SIGNED_IN, actor=alice)
    result = audit_verify_chain.delay()
    assert result.get(timeout=30) == {"checked": 3, "broken_at": None}
