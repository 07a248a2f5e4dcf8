"""Time-critical, ordinary and bulk work on separate queues: a bulk backlog never
delays the transparency logs or webhook deliveries."""

import pytest

from audit.events import EventType
from audit.models import LogState
from audit.services import audit_record
from icentrex.celery import app
from icentrex.queues import queue_depths
from tests.waiting import wait_for

CRITICAL = {
    "audit.tasks.evidence_seal",
    "audit.tasks.partitions_ahead",
    "audit.tasks.transparency_integrate",
    "integrations.tasks.webhook_deliver",
    "integrations.tasks.webhook_sweep",
}
BULK = {
    "audit.tasks.evidence_verify",
    "policies.tasks.notices_fan_out",
    "policies.tasks.notices_deliver_chunk",
    "policies.tasks.notices_sweep",
    "organizations.tasks.disclosure_lane_process",
    "organizations.tasks.disclosure_scheduled_run",
    "organizations.tasks.disclosure_sweep",
    "organizations.tasks.disclosure_digests_send",
    "organizations.tasks.disclosure_digest_email",
    "domains.tasks.disclosure_letters_send",
    "data_requests.tasks.organization_export_build",
    "data_requests.tasks.personal_export_build",
    "data_requests.tasks.evidence_pack_build",
    "data_requests.tasks.retention_daily",
    "data_requests.tasks.organization_retention_apply",
    "integrations.tasks.subprocessor_notices_plan",
    "integrations.tasks.subprocessor_notices_send",
    "registers.tasks.record_editions_daily",
}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_every_task_goes_to_the_queue_its_urgency_asks_for():
    app.loader.import_default_modules()  # every app's tasks module, as a worker loads them
    ours = sorted(name for name in app.tasks if not name.startswith("celery."))
    assert CRITICAL | BULK <= set(ours), (CRITICAL | BULK) - set(ours)
    for name in ours:
        expected = "critical" if name in CRITICAL else "bulk" if name in BULK else "celery"
        assert queue_of(name) == expected, name


def test_periodic_jobs_are_routed_too():
    from django.conf import settings

    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"]) in {"critical", "celery", "bulk"}
    assert queue_of(settings.CELERY_BEAT_SCHEDULE["transparency-integrate"]["task"]) == "critical"


@pytest.mark.worker
def test_a_worker_on_the_critical_queue_logs_evidence_behind_a_bulk_backlog(start_celery_worker):
    backlog = 500
    for _ in range(backlog):
        app.send_task("policies.tasks.notices_sweep")  # a fan-out's worth of bulk work, waiting
    assert queue_depths()["bulk"] == backlog
    start_celery_worker(queues="critical")
    before = LogState.objects.filter(stream="audit").values_list("size", flat=True).first() or 0
    audit_record(event_type=EventType.USER_SIGN_IN_FAILED, changes={"account": "unknown"})
    app.send_task("audit.tasks.transparency_integrate")
    wait_for(
        lambda: (
            (LogState.objects.filter(stream="audit").values_list("size", flat=True).first() or 0) > before
        ),
        timeout=30,
        what="the critical worker to log the event",
    )
    # Not one bulk message was taken: that pool is somebody else's.
    assert queue_depths()["bulk"] == backlog
    app.control.purge()
