import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from accounts.services import api_token_create

from .factories import PASSWORD, UserFactory

# live_server runs in a thread beside Playwright's sync API.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# --- People ------------------------------------------------------------------


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.org", name="Alice Andersson")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@example.org", name="Bob Berg")


# --- Clients -----------------------------------------------------------------


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def alice_token(alice):
    _token, clear = api_token_create(actor=alice, name="test script")
    return clear


@pytest.fixture
def alice_api(alice_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {alice_token}")
    return client


@pytest.fixture
def account_mail(monkeypatch, django_capture_on_commit_callbacks):
    """Account emails are sent by a task after the request commits
    (accounts.adapter). ``with account_mail():`` around a request commits it and
    runs that task in this process (a unit test's shortcut, said here), so the
    email lands in Django's outbox. Live-server tests commit for real."""
    from accounts.tasks import account_email_send

    def run_here(message):
        return account_email_send.apply(args=(message,))

    monkeypatch.setattr(account_email_send, "delay", run_here)
    return lambda: django_capture_on_commit_callbacks(execute=True)


def assert_error(response, status: int, code: str | None = None):
    """Every API error has the documented shape; check it along with the status."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}, body
    if code is not None:
        assert body["code"] == code, body
    return body


# --- Browser -----------------------------------------------------------------


def _chromium():
    return os.environ.get("CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": _chromium(), "args": CHROMIUM_ARGS}


def pytest_collection_modifyitems(config, items):
    if _chromium():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError("REQUIRE_BROWSER is set but chromium is not installed")
    skip = pytest.mark.skip(reason="chromium is not installed (Debian: apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under artifacts/ to look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


# --- Celery worker -------------------------------------------------------------


@pytest.fixture
def worker_env():
    """Extra environment for the worker subprocess (e.g. EMAIL_URL of an SMTP sink)."""
    return {}


@pytest.fixture
def start_celery_worker(transactional_db, settings, worker_env):
    """Start real Celery workers in their own processes, against the test
    database and the test broker (``start(queues="critical", **extra_env)``;
    every queue when none is named). Stopped by PID."""
    from django.db import connection

    from icentrex.celery import app

    app.control.purge()
    started: list[subprocess.Popen] = []

    def start(queues: str | None = None, **extra_env) -> subprocess.Popen:
        hostname = f"test-{os.getpid()}-{len(started)}@localhost"
        env = {
            **os.environ,
            **worker_env,
            "DJANGO_SETTINGS_MODULE": "icentrex.settings.test",
            "DATABASE_URL": _database_url(connection.settings_dict),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
            **extra_env,
        }
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "icentrex",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                "--hostname",
                hostname,
                *(["--queues", queues] if queues else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("Celery worker exited early:\n" + process.stdout.read())
            # A worker on another broker answers if this process's app points there too.
            try:
                # A solo worker answers between tasks: wait longer than a task takes (a
                # fan-out's range ~1 s), or a busy worker never seems to come up.
                if app.control.inspect(destination=[hostname], timeout=2).ping():
                    break
            except OperationalError:  # a broker the test has just started may not listen yet
                time.sleep(0.2)
        else:
            process.kill()
            pytest.fail("Celery worker did not come up within 30 s:\n" + process.communicate()[0][-3000:])
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def celery_worker_process(start_celery_worker):
    """One real Celery worker (see start_celery_worker)."""
    return start_celery_worker()


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture(autouse=True)
def _cookie_declaration(request):
    """The cookie declaration, the policies and the provider register are seeded by migrations;
    transactional tests empty the tables afterwards, so put them back for tests
    that use the database."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("db")
        from cookies.seed import ensure_declaration
        from cookies.selectors import current_revision
        from integrations.seed import ensure_providers
        from policies.seed import ensure_documents

        ensure_declaration()
        ensure_documents()
        ensure_providers()
        current_revision.forget()  # the database may have been emptied and re-seeded


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the (real, Redis) cache: start each test clean."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def page(page):
    """Fail fast: a missing element should not cost 30 s."""
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def smtp_sink():
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""
    import socket

    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.url = f"smtp://127.0.0.1:{port}"
    yield handler
    controller.stop()


# --- DNS -----------------------------------------------------------------------


class _Zone:
    """The zone of a real local DNS server (dnslib): TXT answers from a dict;
    names in ``slow`` answer only after the client gave up."""

    def __init__(self):
        self.txt: dict[str, list[str]] = {}
        self.slow: set[str] = set()

    def resolve(self, request, handler):
        from dnslib import QTYPE, RR, TXT

        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if name in self.slow:
            time.sleep(1.5)
        if request.q.qtype == QTYPE.TXT:
            for value in self.txt.get(name, []):
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        if not reply.rr:
            reply.header.rcode = 3  # NXDOMAIN
        return reply


@pytest.fixture(scope="session")
def _dns_server_process_wide():
    """One real DNS server (dnslib, UDP on a free local port) for the whole run:
    stopping one waits for its poll interval, too slow to pay per test."""
    from dnslib.server import DNSServer

    zone = _Zone()
    server = DNSServer(zone, port=0, address="127.0.0.1", tcp=False)
    server.start_thread()
    yield zone, server.server.server_address[1]
    server.stop()


@pytest.fixture
def dns_server(_dns_server_process_wide, settings):
    """The app pointed at the local DNS server, with an empty zone for this test."""
    zone, port = _dns_server_process_wide
    zone.txt.clear()
    zone.slow.clear()
    settings.DNS_RESOLVER_NAMESERVERS = [f"127.0.0.1:{port}"]
    settings.DNS_RESOLVER_TIMEOUT_SECONDS = 0.7
    return zone


# Organisation personas (acme with owner, admin, member, guest...; outsider in globex).
from .org_personas import *  # noqa: E402, F401, F403
