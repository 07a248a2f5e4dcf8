"""A PostgreSQL primary and a streaming replica on this machine, each a cluster
of its own in a folder of its own, for the replica tests, the benchmark and
bin/cluster:

    with primary_and_replica() as (primary, replica):
        primary.url(), replica.url()

The replica is a base backup of the running primary (pg_basebackup -R) that
follows it by streaming replication. Both are stopped when the block ends, each
whatever happens to the other (pg_ctl, then by the PID in their postmaster.pid
if that does not end it), and their folder is removed once both are down. Run
as root, the servers run as the postgres user (PostgreSQL refuses root).
"""

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

from tools.net import free_port


def server_programs() -> Path:
    """The folder of initdb, pg_ctl and pg_basebackup."""
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
    candidates = [Path(found.stdout.strip())] if found.returncode == 0 else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists():
            return candidate
    raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl, pg_basebackup) are not installed")


class Cluster:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.bin = server_programs()

    def run(self, program: str, *args: str) -> str:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        self.run(
            "pg_ctl", "-D", str(self.folder), "-l", str(self.folder / "server.log"), "-w", "-t", "60", "start"
        )

    def stop(self) -> bool:
        """Stops the server; whether it is down."""
        pid = self.pid
        if pid is None:
            return True
        try:
            self.run("pg_ctl", "-D", str(self.folder), "-m", "fast", "-w", "stop")
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            # A fast shutdown that did not finish (a stuck backend, a hung pg_ctl), so by the PID:
            # SIGQUIT is PostgreSQL's immediate shutdown, which stops its own children; SIGKILL if
            # even that hangs, and the children exit on seeing their postmaster gone.
            for number in (signal.SIGQUIT, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, number)
                if _ended(pid, within=10):
                    return True
            return False
        return True

    @property
    def pid(self) -> int | None:
        pid_file = self.folder / "postmaster.pid"
        return int(pid_file.read_text().split()[0]) if pid_file.exists() else None

    def url(self, database: str = "icentrex") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "icentrex") -> list[tuple]:
        dsn = self.url(database).replace("postgres://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []


def _ended(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _configure(folder: Path, port: int, socket_folder: Path, durable: bool) -> None:
    with (folder / "postgresql.conf").open("a") as conf:
        conf.write(
            f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{socket_folder}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nshared_buffers = 128MB\n"
        )
        if not durable:  # a test's cluster: durability is not what it tests
            conf.write("fsync = off\nfull_page_writes = off\n")


@contextlib.contextmanager
def primary_and_replica(
    *, durable: bool = False, database: str = "icentrex"
) -> Iterator[tuple[Cluster, Cluster]]:
    base = Path(tempfile.mkdtemp(prefix="icentrex-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary = Cluster(base / "primary", free_port())
    replica = Cluster(base / "replica", free_port())
    try:
        primary.run(
            "initdb",
            "-D",
            str(primary.folder),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-instructions",
        )
        _configure(primary.folder, primary.port, base, durable)
        primary.start()
        primary.query(f"CREATE DATABASE {database}", database="postgres")
        primary.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(replica.folder), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        _configure(replica.folder, replica.port, base, durable)
        replica.start()
        if replica.query("SELECT pg_is_in_recovery()", database=database) != [(True,)]:
            raise RuntimeError("the replica is not in recovery")
        yield primary, replica
    finally:
        try:
            replica_down = replica.stop()
        finally:
            primary_down = primary.stop()
        # Removed under a running server, the folder would leave that server running with
        # nothing to find it by (its postmaster.pid).
        if not (replica_down and primary_down):
            raise RuntimeError(f"a PostgreSQL server in {base} would not stop: the folder is kept")
        shutil.rmtree(base, ignore_errors=True)
