"""Change notices through a real Celery worker, a real Redis and a real SMTP
server: crash recovery (SIGKILL), a broker outage while publishing, and
duplicate task delivery."""

import shutil
import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from policies import services
from policies.models import NoticeRun, PolicyDocument, PolicyNotice
from policies.selectors import version_in_force
from policies.tasks import notices_deliver_chunk, notices_fan_out
from tests.factories import UserFactory
from tests.waiting import wait_for
from tools.net import free_port

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EMAIL_BATCH = 50


@pytest.fixture
def worker_env(smtp_sink):
    return {
        "EMAIL_URL": smtp_sink.url,
        "POLICY_NOTICE_CHUNK_SIZE": "250",
        "POLICY_NOTICE_EMAIL_BATCH": str(EMAIL_BATCH),
        "POLICY_NOTICE_EMAILS_PER_SECOND": "500",
    }


@pytest.fixture
def officer():
    user = UserFactory(email="po@icentrex.example", date_joined=timezone.now() - timedelta(days=9))
    user.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
    return user


def make_users(count: int) -> None:
    User.objects.bulk_create([User(email=f"member{i}@example.org") for i in range(count)], batch_size=1000)


def publish(officer):
    document = PolicyDocument.objects.get(slug="terms")
    return services.policy_draft_create(
        actor=officer,
        document=document,
        body=version_in_force(document=document).body + f"\n\nChanged {timezone.now().isoformat()}.\n",
        summary="Clearer words.",
        effective_at=timezone.now(),
        material=False,
        publish=True,
    )


def run_done(version) -> bool:
    return NoticeRun.objects.filter(version=version, status=NoticeRun.Status.DONE).exists()


def assert_everyone_notified_exactly_once(version, smtp_sink, people: int) -> int:
    """One notice per person and channel, all sent; every person got the email.
    Returns how many emails went out more than once (at-least-once delivery
    of the batch a killed worker had in flight)."""
    notices = PolicyNotice.objects.filter(version=version)
    assert notices.count() == people * 2
    assert not notices.values("subject_key", "channel").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert set(notices.values_list("status", flat=True)) == {"sent"}
    recipients = [rcpt for envelope in smtp_sink.messages for rcpt in envelope.rcpt_tos]
    expected = set(User.objects.filter(is_active=True).values_list("email", flat=True))
    assert set(recipients) == expected
    return len(recipients) - len(expected)


def test_notices_go_out_through_a_worker_and_a_duplicate_delivery_sends_nothing_more(
    start_celery_worker, smtp_sink, officer
):
    start_celery_worker()
    make_users(600)
    version = publish(officer)
    wait_for(lambda: run_done(version), 60, "the fan-out to finish")
    assert assert_everyone_notified_exactly_once(version, smtp_sink, 601) == 0

    # Every message delivered again (a broker redelivery, a retried publish...).
    run = NoticeRun.objects.get(version=version)
    notices_fan_out.delay(run.pk).get(timeout=30)
    for chunk_id in run.chunks.values_list("pk", flat=True):
        notices_deliver_chunk.delay(chunk_id).get(timeout=30)
    assert len(smtp_sink.messages) == 601


def test_a_worker_killed_mid_fan_out_loses_and_duplicates_no_notice(start_celery_worker, smtp_sink, officer):
    worker = start_celery_worker()
    make_users(3000)
    version = publish(officer)
    sent = PolicyNotice.objects.filter(version=version, channel="email", status="sent")
    wait_for(lambda: sent.count() >= 600, 60, "a fifth of the emails")
    worker.kill()  # SIGKILL: no clean-up, claimed rows stay "sending"
    worker.wait()
    killed_at = timezone.now()
    assert not run_done(version)
    assert PolicyNotice.objects.filter(version=version).count() < 6002

    start_celery_worker()
    time.sleep(0.5)
    # The beat sweep, with a threshold that only counts work from before the kill as stale.
    services.notices_sweep(stale_after=timezone.now() - killed_at)
    wait_for(lambda: run_done(version), 90, "the fan-out to finish after the restart")
    resent = assert_everyone_notified_exactly_once(version, smtp_sink, 3001)
    assert resent <= EMAIL_BATCH  # at most the batch in flight at the kill, with its original Message-ID


@contextmanager
def broker(url: str):
    """Point this process's Celery app at another broker for a while."""
    from icentrex.celery import app

    names = ("broker_url", "broker_read_url", "broker_write_url")
    previous = {name: app.conf[name] for name in names}

    def point_at(urls: dict):
        app.conf.update(urls)
        app._pool = None
        app.amqp._producer_pool = None

    point_at(dict.fromkeys(names, url))
    try:
        yield
    finally:
        point_at(previous)


@pytest.mark.skipif(
    not shutil.which("redis-server"), reason="needs redis-server to start a broker of its own"
)
def test_publishing_while_redis_is_down_succeeds_and_notices_follow_when_it_is_back(
    start_celery_worker, smtp_sink, officer, client
):
    make_users(40)
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    client.force_login(officer)
    with broker(url):  # nothing listens there: Redis is down
        response = client.post(
            reverse("api-policy-versions", args=["terms"]),
            {
                "body": version_in_force(document=PolicyDocument.objects.get(slug="terms")).body
                + "\n\nNew.\n",
                "summary": "Clearer words.",
                "effective_at": timezone.now().isoformat(),
                "publish": True,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        run = NoticeRun.objects.get(version_id=response.json()["id"])
        assert run.status == NoticeRun.Status.PENDING  # the outbox row waits
        assert not PolicyNotice.objects.exists()

        redis = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        worker = None
        try:
            worker = start_celery_worker(CELERY_BROKER_URL=url, CELERY_RESULT_BACKEND=url)
            assert services.notices_sweep(stale_after=timedelta(0))["relayed_runs"] == 1
            wait_for(lambda: run_done(run.version), 60, "the relayed fan-out")
        finally:
            if worker is not None:  # before its broker goes away
                worker.terminate()
                worker.wait(timeout=15)
            redis.terminate()
            redis.wait(timeout=10)
    assert assert_everyone_notified_exactly_once(run.version, smtp_sink, 41) == 0
