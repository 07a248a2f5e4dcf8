"""Structured logs: JSON lines, a request id that follows the work into Celery,
and no personal data in anything logged."""

import email
import io
import json
import logging
import re
import signal
import sys
import time
from datetime import date
from email.policy import default as default_policy

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse

from core.logs import (
    JsonLineFormatter,
    PersonalDataFilter,
    RequestContextFilter,
    request_id_var,
    without_personal_data,
)

PASSWORD = "Ridge-lantern-Quietly-73"
NAME = "Ingrid Vasquez-Lundqvist"
EMAIL = "ingrid.vasquez@lundqvist-consulting.example"


@pytest.fixture
def log_output():
    """What the configured console handler (settings.LOGGING: its filters, its
    JSON formatter) writes, caught in a buffer instead of the process's stderr."""
    [handler] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@pytest.mark.django_db
def test_a_request_id_is_made_or_taken_from_the_client_and_returned(client):
    made = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/").headers["X-Request-ID"] != made
    given = client.get("/", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001").headers["X-Request-ID"]
    assert given == "lb-7f3a9c21-0001"
    # Something that is not an id (spaces, markup, 500 characters) is replaced, not echoed.
    for bad in ("has spaces in it", "<script>alert(1)</script>", "a" * 500, "short"):
        returned = client.get("/", HTTP_X_REQUEST_ID=bad).headers["X-Request-ID"]
        assert returned != bad and re.fullmatch(r"[0-9a-f]{32}", returned)


@pytest.mark.django_db
def test_each_request_writes_one_json_line_with_its_id_and_route(client, log_output):
    response = client.get("/invitations/0b6c1f3e-5a4f-4e55-9d3a-6f1c2b7e8a90/?token=abc123secret")
    access = [line for line in json_lines(log_output.getvalue()) if line["logger"] == "icentrex.access"]
    assert len(access) == 1
    [line] = access
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["route"] == "/invitations/<uuid:public_id>/"
    assert line["status"] == response.status_code and line["method"] == "GET"
    assert {"time", "level", "message", "duration_ms"} <= set(line)
    assert "0b6c1f3e" not in json.dumps(line) and "abc123secret" not in json.dumps(line)


def test_a_failed_request_is_logged_by_its_route_and_without_the_request_object():
    request = RequestFactory().get("/invitations/0b6c1f3e-5a4f-4e55-9d3a-6f1c2b7e8a90/")
    request.resolver_match = resolve(request.path)
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (request.path,), None
    )
    record.request = request
    record.status_code = 500
    assert PersonalDataFilter().filter(record) and RequestContextFilter().filter(record)
    line = json.loads(JsonLineFormatter(["levelname", "message", "request_id"]).format(record))
    assert line["message"] == "Internal Server Error: /invitations/<uuid:public_id>/"
    assert "request" not in line


def test_addresses_are_removed_from_messages_and_exceptions():
    try:
        raise RuntimeError("SMTP refused ingrid.vasquez@lundqvist-consulting.example: 550 no such user")
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "policies",
            logging.WARNING,
            __file__,
            1,
            "notice %s: %s",
            (7, "to <eva@example.org> refused"),
            sys.exc_info(),
        )
    PersonalDataFilter().filter(record)
    RequestContextFilter().filter(record)
    text = JsonLineFormatter(["levelname", "message"]).format(record)
    assert "@" not in text.replace("[email]", "")
    assert "notice 7: to <[email]> refused" in text


@pytest.mark.parametrize(
    "logged, written",
    [
        (
            "POST https://hooks.slack.com/services/T0/B0/s3cr3t?token=t0k3n failed",
            "POST https://hooks.slack.com failed",
        ),
        ("see <https://ingrid:pa55@files.example:8443/a/b#frag>.", "see <https://files.example:8443>."),
        ("(via http://[2001:db8::1]/export/s3cr3t).", "(via http://[2001:db8::1])."),
        (
            "Max retries exceeded with url: /hooks?token=t0k3n&x=1 (Caused by",
            "Max retries exceeded with url: /hooks (Caused by",
        ),
        ("refused user@пример.рф", "refused [email]"),
        ("refused ингрид.васкес@example.org", "refused [email]"),
        ("refused bob@xn--e1afmkfd.xn--p1ai", "refused [email]"),
        ("/signup?email=alice%40example.org&next=/", "/signup"),
        ("unsubscribe alice%40example.org now", "unsubscribe [email] now"),
        ("mailto:eva@example.org", "mailto:[email]"),
        # Unchanged: a route, one with a regex's "?", a question.
        ("GET /invitations/<uuid:public_id>/ 200", "GET /invitations/<uuid:public_id>/ 200"),
        ("GET ^api/(?:v1/)?(?P<x>[^/]+)$ 200", "GET ^api/(?:v1/)?(?P<x>[^/]+)$ 200"),
        ("Is the worker up? It is.", "Is the worker up? It is."),
    ],
)
def test_urls_lose_their_path_and_query_and_addresses_in_every_spelling_are_removed(logged, written):
    assert without_personal_data(logged) == written


def test_urls_in_messages_and_exceptions_keep_only_their_host():
    try:
        raise ConnectionError("POST https://hooks.example/services/T0/B0/s3cr3t?token=t0k3n: refused")
    except ConnectionError:
        record = logging.LogRecord(
            "integrations",
            logging.WARNING,
            __file__,
            1,
            "delivery to %s failed",
            ("https://hooks.example/x/s3cr3t",),
            sys.exc_info(),
        )
    PersonalDataFilter().filter(record)
    RequestContextFilter().filter(record)
    text = JsonLineFormatter(["levelname", "message"]).format(record)
    assert "s3cr3t" not in text and "t0k3n" not in text
    assert "delivery to https://hooks.example failed" in text
    assert "POST https://hooks.example: refused" in text


def test_a_log_call_whose_arguments_do_not_fit_is_written_and_raises_nothing(log_output):
    class Unprintable:
        def __str__(self):
            raise RuntimeError("no text")

    logger = logging.getLogger("tests.icentrex.broken")
    logger.warning("sent %s to %s", "ingrid@example.org")
    logger.warning(Unprintable())
    logger.warning("notice %d", "seven")
    messages = [
        line["message"] for line in json_lines(log_output.getvalue()) if line["logger"] == logger.name
    ]
    assert messages == [
        "sent %s to %s [log arguments did not fit: TypeError]",
        "Unprintable [log arguments did not fit: RuntimeError]",
        "notice %d [log arguments did not fit: TypeError]",
    ]


def test_the_request_id_is_in_every_record_logged_during_the_request():
    token = request_id_var.set("req-0123456789abcdef")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", (), None)
        RequestContextFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert record.request_id == "req-0123456789abcdef" and record.task_id == ""


# --- A whole flow, a real worker, every line scanned ---------------------------------------------


@pytest.fixture
def worker_env(smtp_sink):
    return {"EMAIL_URL": smtp_sink.url}


def _mail_bodies(sink) -> list[str]:
    bodies = []
    for envelope in sink.messages:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        bodies.append(message.get_body(("plain",)).get_content())
    return bodies


def _wait_for_mail(sink, count: int, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(sink.messages) >= count, f"{len(sink.messages)} of {count} emails arrived"
    return _mail_bodies(sink)


def _link(body: str, path_start: str) -> str:
    return re.search(rf"https?://[^/\s]+({re.escape(path_start)}[^\s]*)", body).group(1)


@pytest.mark.worker
def test_a_whole_flow_logs_nobody_s_address_name_or_secrets(
    celery_worker_process, smtp_sink, client, log_output
):
    """Sign up, confirm by email, sign in, make an API token and use it, decide on
    cookies, get a copy of one's data by an emailed link, reset the password:
    every line the web side and the worker wrote is then searched for the
    person's address, name, password and every secret they were sent."""
    signup = client.post(
        reverse("account_signup"),
        {
            "name": NAME,
            "email": EMAIL,
            "date_of_birth": date(1988, 4, 12).isoformat(),
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        HTTP_X_REQUEST_ID="signup-request-0001",
    )
    assert signup.status_code == 302
    [welcome] = _wait_for_mail(smtp_sink, 1)
    confirm = _link(welcome, "/accounts/confirm-email/")
    assert client.post(confirm).status_code == 302
    assert client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD}).status_code == 302

    made = client.post(
        reverse("api-tokens"), {"name": "laptop", "expires_in_days": 30}, content_type="application/json"
    )
    assert made.status_code == 201
    api_token = made.json()["token"]
    me = client.get(reverse("api-me"), HTTP_AUTHORIZATION=f"Bearer {api_token}")
    assert me.status_code == 200 and me.json()["email"] == EMAIL

    assert client.post(reverse("privacy_export_request")).status_code in (302, 200)
    bodies = _wait_for_mail(smtp_sink, 2)
    export_link = _link(bodies[1], "/privacy/data/exports/")
    assert client.post(export_link).status_code == 200

    client.post(reverse("account_logout"))
    assert client.post(reverse("account_reset_password"), {"email": EMAIL}).status_code == 302
    bodies = _wait_for_mail(smtp_sink, 3)
    reset_link = _link(bodies[2], "/accounts/password/reset/key/")
    assert client.get(reset_link).status_code in (200, 302)
    client.get("/accounts/password/reset/key/not-a-real-key-" + api_token[-12:] + "/")

    # Stop the worker so everything it wrote is in.
    celery_worker_process.send_signal(signal.SIGTERM)
    worker_output = celery_worker_process.communicate(timeout=30)[0]
    web_output = log_output.getvalue()
    everything = web_output + worker_output

    secrets = {
        "address": EMAIL,
        "address, as typed in the mail's local part": EMAIL.split("@")[0],
        "given name": NAME.split()[0],
        "family name": NAME.split()[1],
        "password": PASSWORD,
        "API token": api_token,
        "confirmation key": confirm.rstrip("/").rsplit("/", 1)[-1],
        "export link token": export_link.split("t=")[-1],
        "reset key": reset_link.rstrip("/").rsplit("/", 1)[-1],
        "session cookie": client.cookies["sessionid"].value if "sessionid" in client.cookies else "",
    }
    found = {what: value for what, value in secrets.items() if value and value.lower() in everything.lower()}
    leaking = [
        line for line in everything.splitlines() if any(v.lower() in line.lower() for v in found.values())
    ]
    assert found == {}, leaking[:5]

    # The lines are JSON, and the worker's lines of the signup's email carry the signup's request id.
    lines = json_lines(web_output) + json_lines(worker_output)
    assert len(lines) > 20
    task_lines = [line for line in lines if line.get("task_id")]
    assert any(line["request_id"] == "signup-request-0001" for line in task_lines), task_lines[:5]
