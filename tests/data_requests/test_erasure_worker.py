"""A real Celery worker killed in the middle of an erasure: the step it was in
rolls back, the sweep resumes the job on a new worker, and it finishes with
nothing of the person left and every chain verifying."""

import signal
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from data_requests import services, tasks
from data_requests.models import ErasureRequest
from organizations.models import Membership
from support.models import SupportCase
from support.services import case_open
from tests.waiting import wait_for

from .people import scan_for
from .test_erasure import _every_chain_verifies

pytestmark = pytest.mark.worker


def _lock_waiters(database: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = %s AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
            [database],
        )
        return [pid for (pid,) in cursor.fetchall()]


def test_a_worker_killed_mid_erasure_resumes_and_finishes(start_celery_worker, alice, acme, owner):
    Membership.objects.create(organization=acme, user=alice, role="member")
    case = case_open(actor=alice, subject="Help", body="From Alice Andersson, alice@example.org")
    erasure = services.erasure_request(actor=alice)
    ErasureRequest.objects.filter(pk=erasure.pk).update(scheduled_for=timezone.now() - timedelta(seconds=1))
    settings_dict = connection.settings_dict
    database = settings_dict["NAME"]

    # Another session holds the case's row: the worker's support step will wait on it.
    blocker = psycopg.connect(
        host=settings_dict["HOST"] or "127.0.0.1", port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"] or "postgres", dbname=database,
    )  # fmt: skip
    blocker.execute("SELECT 1 FROM support_supportcase WHERE id = %s FOR UPDATE", [case.pk])
    worker = start_celery_worker()
    assert tasks.data_requests_sweep.run()["started"] == 1  # enqueues the job for the worker

    wait_for(lambda: _lock_waiters(database), what="the erasure to block in its support step")
    erasure.refresh_from_db()
    assert (erasure.status, erasure.steps_done) == ("running", 2)  # lock-out and organisations committed

    # The worker dies mid-step; its database session goes with it.
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    with connection.cursor() as cursor:
        for pid in _lock_waiters(database):
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    blocker.rollback()
    blocker.close()

    # Nothing of the interrupted step happened, and the account is already locked.
    erasure.refresh_from_db()
    assert (erasure.status, erasure.steps_done) == ("running", 2)
    assert SupportCase.objects.filter(pk=case.pk).exists()
    assert not User.objects.get(pk=alice.pk).is_active
    assert not Membership.objects.filter(user=alice).exists()

    # A new worker, and the sweep finding a job that stopped moving.
    start_celery_worker()
    assert tasks.data_requests_sweep.run(stale_after=timedelta(0))["erasures_resumed"] == 1

    def finished():
        erasure.refresh_from_db()
        return erasure.status == "done"

    wait_for(finished, what="the resumed erasure to finish")
    assert erasure.steps_done == 7
    assert not SupportCase.objects.filter(pk=case.pk).exists()
    assert scan_for("alice@example.org", "Alice Andersson", "Andersson") == []
    _every_chain_verifies()
