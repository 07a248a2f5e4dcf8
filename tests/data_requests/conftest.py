import pytest

from data_requests import tasks

_ENQUEUED = (
    "erasure_run",
    "erasure_scheduled_notify",
    "personal_export_build",
    "personal_export_send_link",
    "organization_export_build",
    "organization_export_send_link",
    "organization_retention_apply",
    "subject_request_reminders_send",
)


@pytest.fixture(autouse=True)
def enqueued(request, monkeypatch):
    """What the code under test sends to the broker, by task name, instead of
    sending it (tests with a real worker send for real)."""
    sent: dict[str, list] = {name: [] for name in _ENQUEUED}
    if request.node.get_closest_marker("worker") is None:
        for name in _ENQUEUED:
            monkeypatch.setattr(getattr(tasks, name), "delay", sent[name].append)
    return sent
