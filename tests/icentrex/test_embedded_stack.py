"""The first README command, run for real: bin/run with no PostgreSQL, no Redis
and no mail server starts the web server, a Celery worker, Celery beat and
the transparency log integrator on the embedded broker, and the app does all
its background work — a consent decision is in a signed checkpoint within
seconds, policy notices reach the local mailbox and their run is sealed, a
webhook is delivered to the demo receiver with a checked signature, one to a
dead endpoint is retried with back-off (no recursion, the request returns at
once) — and one Ctrl-C stops the whole process tree."""

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
import requests

from tests.waiting import wait_for
from tools.net import free_port

ROOT = Path(__file__).resolve().parents[2]
# What the test profile exports for the suite and bin/run must not see: with none
# of these the app falls back to its embedded defaults.
SERVER_SETTINGS = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CACHE_URL",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    state = tmp_path_factory.mktemp("embedded")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SERVER_SETTINGS}
    env.update(
        PORT=str(port),
        LOCAL_STATE_DIR=str(state / "var"),
        # The same SQLite default as a fresh clone, in a throw-away folder.
        DATABASE_URL=f"sqlite:///{state / 'db.sqlite3'}",
        SEAL_INTERVAL_SECONDS="1",
        SWEEP_INTERVAL_SECONDS="2",
        WEBHOOK_RETRY_SECONDS="1",
        WEBHOOK_MAX_ATTEMPTS="3",
        WEBHOOK_TIMEOUT_SECONDS="2",
        WEB_WORKERS="2",
        WORKER_CONCURRENCY="2",
    )
    log = (state / "run.log").open("w+")
    process = subprocess.Popen(
        ["bash", "bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        assert process.poll() is None, Path(log.name).read_text()[-3000:]
        try:
            return requests.get(base + "/", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or busy starting
            return False

    wait_for(up, timeout=300, what="bin/run to serve the home page")
    # The worker and beat print these once they are ready for work.
    wait_for(lambda: "celery@" in Path(log.name).read_text(), timeout=60, what="the worker")
    run_env = {**env, "DJANGO_SETTINGS_MODULE": "icentrex.settings.local", "SITE_URL": base}
    yield {"process": process, "base": base, "env": run_env, "state": state, "log": Path(log.name)}
    # After a failure: stop it as a person would, then make sure, by each process's own group
    # (honcho starts every process in a session of its own).
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    for pid in started_pids(Path(log.name)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    log.close()


def started_pids(log: Path) -> list[int]:
    """The processes honcho started, as it announced them ("web.1 started (pid=123)")."""
    return [int(pid) for pid in re.findall(r"\w+\.1 started \(pid=(\d+)\)", log.read_text())]


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def django(stack, code: str):
    """Run code in the stack's own Django (its settings, its SQLite file); it prints one JSON line."""
    result = subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=stack["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def token_for(stack, email: str) -> str:
    return django(
        stack,
        "import json; from accounts.models import User; from accounts.services import api_token_create;"
        f"u = User.objects.get(email={email!r}); print(json.dumps(api_token_create(actor=u, name='t')[1]))",
    )


def test_a_consent_decision_is_in_a_signed_checkpoint_within_seconds(stack):
    base = stack["base"]
    revision = requests.get(base + "/api/v1/cookies/declaration", timeout=10).json()["revision"]
    response = requests.post(
        base + "/api/v1/consent",
        json={"method": "banner_accept_all", "revision": revision, "page_url": base + "/"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    record_id = response.json()["record_id"]

    # The integrator process puts it in a signed checkpoint within seconds, on SQLite too.
    def logged():
        url = f"{base}/api/v1/transparency/consent/records/{record_id}/inclusion"
        return requests.get(url, timeout=10).status_code == 200

    wait_for(logged, timeout=30, what="the integrator to log the decision")


def test_a_policy_change_is_emailed_to_everyone_and_its_run_sealed(stack):
    people = django(
        stack,
        "import json; from datetime import timedelta; from django.utils import timezone;"
        "from accounts.models import User; from policies.models import PolicyDocument;"
        "from policies.services import policy_draft_create;"
        "officer = User.objects.get(email='privacy@icentrex.example');"
        "document = PolicyDocument.objects.get(slug='privacy');"
        "policy_draft_create(actor=officer, document=document, body='# New text\\n\\nEmbedded stack test.',"
        " summary='We changed how long we keep logs.', effective_at=timezone.now() + timedelta(days=30),"
        " material=True, publish=True);"
        "print(json.dumps(sorted(User.objects.filter(is_active=True).values_list('email', flat=True))))",
    )
    mailbox = stack["state"] / "var" / "mailbox"

    def notices_in_mailbox() -> set[str]:
        import email
        import email.policy

        found = set()
        for path in mailbox.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if "policy-notice-" in str(message.get("Message-ID", "")):
                found.add(str(message["To"]))
        return found

    wait_for(lambda: notices_in_mailbox() == set(people), timeout=90, what="a notice email to every person")

    def run_sealed():
        return django(
            stack,
            "import json; from policies.models import NoticeRun;"
            "run = NoticeRun.objects.latest('pk');"
            "print(json.dumps([run.version.notices.exclude(status='sent').count(), hasattr(run, 'seal') and"
            " run.seal is not None]))",
        )

    wait_for(lambda: run_sealed() == [0, True], timeout=90, what="every notice sent and the run sealed")
    # The mailbox page shows a notice, decoded, with a link that works.
    first = sorted(mailbox.glob("*.eml"))[-1].name
    key = _link_key(stack, first)
    page = requests.get(f"{stack['base']}/dev/mailbox/{first}?k={key}", timeout=10)
    assert page.status_code == 200 and "=3D" not in page.text
    assert "We changed how long we keep logs." in page.text or "iCentrex" in page.text


def _link_key(stack, name: str) -> str:
    code = f"import json; from icentrex.mailbox import mail_link_key as key; print(json.dumps(key({name!r})))"
    return django(stack, code)


def test_a_webhook_reaches_the_demo_receiver_with_a_checked_signature(stack):
    token = token_for(stack, "owner@acme.example")
    response = requests.post(
        stack["base"] + "/api/v1/me/integrations",
        json={"provider": "calendar-sync", "fields": ["identity.id", "identity.name"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    received = stack["state"] / "var" / "webhooks" / "calendar-sync"
    wait_for(lambda: any(received.glob("*.json")), timeout=60, what="the demo receiver to get the webhook")
    record = json.loads(next(received.glob("*.json")).read_text())
    assert record["signature"] == "verified"
    assert record["event"]["type"] and "Astrid Owner" in json.dumps(record["event"]["data"])


def test_a_dead_endpoint_is_retried_with_back_off_and_the_request_returns_at_once(stack):
    dead = free_port()  # nothing listens there
    django(
        stack,
        "import json; from integrations.models import Provider;"
        f"Provider.objects.filter(slug='standup-bot').update(webhook_url='http://127.0.0.1:{dead}/hook');"
        "Provider.objects.filter(slug='calendar-sync').update(webhook_url="
        f"'http://127.0.0.1:{dead}/hook'); print(json.dumps(True))",
    )
    token = token_for(stack, "member@acme.example")
    response = requests.post(
        stack["base"] + "/api/v1/me/integrations",
        json={"provider": "calendar-sync", "fields": ["identity.id", "identity.name"]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    state = (
        "import json; from integrations.models import WebhookDelivery;"
        "d = WebhookDelivery.objects.filter(installation__installed_by__email='member@acme.example').first();"
        "print(json.dumps([d.status, d.attempts, d.last_error]))"
    )
    # The request did not wait for any retry: when it answered, the worker had made one
    # attempt at most (read straight from the SQLite file, in milliseconds; the next
    # attempt is a second away).
    with sqlite3.connect(stack["state"] / "db.sqlite3") as db:
        status, attempts = db.execute(
            "SELECT status, attempts FROM integrations_webhookdelivery ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert attempts <= 1 and status in ("pending", "delivering"), (status, attempts)
    wait_for(lambda: django(stack, state)[0] == "failed", timeout=90, what="three attempts, then failed")
    status, attempts, error = django(stack, state)
    assert attempts == 3 and "Connection" in error
    log = stack["log"].read_text()
    # Each retry waited its countdown (1 s, then 2 s), in the worker, not in a recursion.
    assert "retrying in 1 s" in log and "retrying in 2 s" in log
    assert "RecursionError" not in log

    # A profile change shared with the same dead endpoint (issue 16: under eager execution a
    # PATCH /me held a web worker past its timeout) answers at once too.
    response = requests.patch(
        stack["base"] + "/api/v1/me",
        json={"name": "Maja M. Member"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    with sqlite3.connect(stack["state"] / "db.sqlite3") as db:
        rows = db.execute(
            "SELECT d.kind, d.attempts FROM integrations_webhookdelivery d"
            " JOIN integrations_installation i ON i.id = d.installation_id"
            " JOIN accounts_user u ON u.id = i.installed_by_id"
            " WHERE u.email = 'member@acme.example' ORDER BY d.id"
        ).fetchall()
    assert len(rows) == 2 and rows[1][1] <= 1, rows


def test_one_ctrl_c_stops_the_whole_process_tree(stack):
    process = stack["process"]
    log = stack["log"].read_text()
    for name in ("web.1", "worker.1", "beat.1", "integrator.1"):
        assert f"{name} started" in log
    children = started_pids(stack["log"])
    assert len(children) == 4 and all(group_alive(pid) for pid in children)
    # A terminal's Ctrl-C goes to the foreground process group: bin/run, which is honcho by then.
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    # Each process and everything it forked (gunicorn's and Celery's pool workers) is gone.
    wait_for(lambda: not any(group_alive(pid) for pid in children), timeout=30, what="every process to stop")
    assert not group_alive(process.pid)
    assert "Traceback" not in stack["log"].read_text()
