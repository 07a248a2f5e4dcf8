"""The replica router's rules, without a replica (test_replicas.py runs a real
one): one server per marked block, the primary inside transactions and for
values a process keeps, a block sent again to the primary when its replica
fails, and a server that is no replica never read from."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connections, transaction

from core import replicas
from core.hot_data import rechecked
from core.replicas import PrimaryReplicaRouter, reads_from_replica, replica_lag_seconds, replica_reads

ROOT = Path(__file__).resolve().parents[2]
router = PrimaryReplicaRouter()


@pytest.fixture
def two_replicas(settings, monkeypatch):
    """Two replicas, both caught up (their lag is never asked of a server), and a
    context like a fresh request's: earlier tests wrote (which pins what follows
    to the primary, as it should within a request) or ran a task in process."""
    fresh = replicas._pinned.set(False), replicas._wrote.set(False)
    settings.DATABASE_REPLICAS = ["replica1", "replica2"]
    monkeypatch.setattr(replicas, "replica_lag_seconds", lambda alias, **_: 0.0)
    closed: list[str] = []

    class Handler:  # the real handler for the primary; a replica only needs close()
        def __getitem__(self, alias):
            if alias == "default":
                return connections["default"]
            return type("Replica", (), {"close": lambda self: closed.append(alias)})()

    monkeypatch.setattr(replicas, "connections", Handler())
    yield closed
    replicas._pinned.reset(fresh[0])
    replicas._wrote.reset(fresh[1])


def test_every_read_of_a_block_comes_from_the_same_replica(two_replicas):
    for _ in range(4):  # whichever replica a block starts on, it stays there
        with reads_from_replica():
            first = router.db_for_read(None)
            assert first in ("replica1", "replica2")
            assert {router.db_for_read(None) for _ in range(10)} == {first}
            with reads_from_replica():  # a marked selector inside a marked view
                assert router.db_for_read(None) == first
    assert router.db_for_read(None) == "default"  # outside any block


@pytest.mark.django_db(transaction=True)
def test_a_transaction_and_a_kept_value_read_the_primary(two_replicas):
    @rechecked
    def kept(previous):
        return router.db_for_read(None)

    kept.forget()
    with reads_from_replica():
        assert kept() == "default"
        with transaction.atomic():
            assert router.db_for_read(None) == "default"
        assert router.db_for_read(None) != "default"


def test_a_block_whose_replica_fails_runs_again_on_the_primary(two_replicas):
    servers: list[str] = []

    @replica_reads
    def page():
        servers.append(router.db_for_read(None))
        if servers[-1] != "default":
            raise OperationalError("canceling statement due to conflict with recovery")
        return "served"

    assert page() == "served"
    assert servers[0] in ("replica1", "replica2") and servers[1:] == ["default"]
    assert two_replicas == [servers[0]]  # its broken connection dropped


def test_a_failure_on_the_primary_is_not_retried(two_replicas, monkeypatch):
    monkeypatch.setattr(replicas, "replica_lag_seconds", lambda alias, **_: float("inf"))
    calls = []

    @replica_reads
    def page():
        calls.append(router.db_for_read(None))
        raise OperationalError("the primary is down")

    with pytest.raises(OperationalError):
        page()
    assert calls == ["default"]


@pytest.mark.django_db
def test_a_server_that_is_not_a_replica_is_never_read_from():
    """The primary (not in recovery) asked as if it were a replica: infinitely
    behind, so the router skips it, however caught up it looks."""
    assert replica_lag_seconds("default", fresh=True) == float("inf")


def test_replicas_without_a_shared_cache_refuse_to_start():
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env["DATABASE_REPLICA_URLS"] = "postgres://postgres@127.0.0.1:5432/replica_of_nothing"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "DATABASE_REPLICA_URLS needs CACHE_URL" in result.stderr
