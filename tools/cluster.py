"""A rehearsal of the production topology on this one machine (``bin/cluster``).

Starts, each as a process of its own:

    PostgreSQL primary ──streaming──▶ PostgreSQL replica        (tools/postgres.py)
    Redis with AOF on and maxmemory-policy noeviction           (broker, cache, beat's lock)
    web-1, web-2       gunicorn, 2 workers each, on two ports   (DATABASE_REPLICA_URLS set)
    worker-critical    celery -Q critical,celery                (logs, webhooks, emails)
    worker-bulk        celery -Q bulk                           (notice fan-out, exports)
    beat-1, beat-2     celery beat; one holds the lock, the other waits
    integrator         manage.py transparency_integrate --follow

then runs a smoke scenario through all of it: consent decisions sent to both web
servers, a material policy change emailed to every person by the bulk worker,
and, mid-run, the bulk worker and the active beat killed with SIGKILL (a
supervisor then starts a new bulk worker, as systemd would). It waits for the
work to finish and checks that nothing was lost or duplicated: every decision
in the database and in its transparency log once, one notice per person, every
evidence stream verifying, both web servers ready, the standby beat in charge.
A JSON report goes to standard output, and each process's name and PID to
standard error as it starts; every process it started is stopped by its PID at
the end, whatever happened (SIGTERM and SIGHUP included).

    bin/cluster                 the rehearsal (about a minute)
    bin/cluster --people 2000   more people to notify
    bin/cluster --keep          keep the logs of every process and the mailbox, even if it fails
"""

import argparse
import contextlib
import email
import email.policy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.net import free_port  # noqa: E402
from tools.postgres import primary_and_replica  # noqa: E402

PYTHON = sys.executable


def announce(name: str, pid: int) -> None:
    print(f"started {name}, pid {pid}", file=sys.stderr, flush=True)


class Processes:
    """Everything started, by name; stopped by PID (process group) at the end."""

    def __init__(self, folder: Path, env: dict):
        self.folder, self.env, self.running = folder, env, {}
        self.stopped: list[int] = []

    def start(self, name: str, *command: str) -> subprocess.Popen:
        with (self.folder / f"{name}.log").open("w") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.running[name] = process
        announce(name, process.pid)
        return process

    def kill(self, name: str) -> None:
        """SIGKILL to the process and its children (a worker's pool): no chance to clean up."""
        process = self.running[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        del self.running[name]  # only now: had it outlived the wait, stop_all would still stop it

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        """SIGTERM to every process group, and SIGKILL to whatever is left in each 20 s later
        (a child its leader left behind too). A process that will not go does not keep the
        others from being stopped."""
        processes = list(self.running.values())
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        self.stopped += [process.pid for process in processes]
        self.running.clear()


class ExitOnSignals:
    """SIGTERM (a CI job's timeout, kill) and SIGHUP (a closed terminal) would end this
    process without its clean-up, and every process it started would run on in a session
    of its own (PostgreSQL detached by pg_ctl): inside this block they raise SystemExit
    instead. Once the clean-up has begun, a signal waits until the block ends: raised in
    the middle of the clean-up, it would skip the rest of it. A signal the caller ignores
    (nohup's SIGHUP) stays ignored."""

    def __enter__(self) -> "ExitOnSignals":
        self.cleaning_up, self.held = False, None
        self.previous = {
            number: signal.getsignal(number)
            for number in (signal.SIGTERM, signal.SIGHUP)
            if signal.getsignal(number) is not signal.SIG_IGN
        }
        for number in self.previous:
            signal.signal(number, self._received)
        return self

    def _received(self, number: int, _frame) -> None:
        if self.cleaning_up:
            self.held = self.held or number
            return
        self.cleaning_up = True
        raise SystemExit(128 + number)

    def clean_up_begins(self) -> None:
        self.cleaning_up = True

    def __exit__(self, *_exc_info) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        if self.held:
            raise SystemExit(128 + self.held)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.5)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def django(env: dict, code: str):
    """Run code in the cluster's Django; it prints one JSON line."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


_SEED = """
import json
from django.contrib.auth.models import Group
from accounts.models import User
officer = User.objects.create_user("privacy@cluster.example", None, name="Petra Officer")
officer.groups.add(Group.objects.get_or_create(name="privacy_officer")[0])
User.objects.bulk_create(
    User(email=f"person{{n}}@cluster.example", name=f"Person {{n}}", language="en") for n in range({people})
)
print(json.dumps(User.objects.filter(is_active=True).count()))
"""

_PUBLISH = """
import json
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from policies.models import PolicyDocument
from policies.services import policy_draft_create
version = policy_draft_create(
    actor=User.objects.get(email="privacy@cluster.example"),
    document=PolicyDocument.objects.get(slug="privacy"),
    body="# Privacy policy\\n\\nThe rehearsal's new text.",
    summary="We changed how long we keep logs.",
    effective_at=timezone.now() + timedelta(days=30),
    material=True,
    publish=True,
)
print(json.dumps(version.pk))
"""

_STATE = """
import json
from django.db.models import Count
from audit.models import LogLeaf
from consent.models import ConsentRecord
from policies.models import NoticeRun, PolicyNotice
run = NoticeRun.objects.filter(version_id={version}).first()
notices = PolicyNotice.objects.filter(version_id={version}, channel="email")
leaves = LogLeaf.objects.filter(stream="consent")
print(json.dumps({{
    "consent_records": ConsentRecord.objects.count(),
    "consent_leaves": leaves.count(),
    "consent_leaves_distinct": leaves.values("record_seq").distinct().count(),
    "run": run.status if run else None,
    "notices": notices.count(),
    "notices_sent": notices.filter(status="sent").count(),
    "people_with_two_notices": notices.values("subject_key").annotate(n=Count("pk")).filter(n__gt=1).count(),
}}))
"""


def notice_mail(mailbox: Path) -> list[tuple[str, str]]:
    """(recipient, Message-ID) of every policy notice in the mailbox."""
    found = []
    for path in mailbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if "policy-notice-" in str(message.get("Message-ID", "")):
            found.append((str(message["To"]), str(message["Message-ID"])))
    return found


def decide_many(bases: list[str], count: int) -> dict:
    """``count`` consent decisions by new visitors, alternating between the web servers."""
    revision = requests.get(bases[0] + "/api/v1/cookies/declaration", timeout=30).json()["revision"]
    body = {"method": "banner_accept_all", "revision": revision, "page_url": bases[0] + "/"}
    tally = {"created": 0, "failed": 0}
    lock = threading.Lock()

    def send(offset: int):
        created = failed = 0
        for number in range(offset, count, 8):
            response = requests.post(bases[number % len(bases)] + "/api/v1/consent", json=body, timeout=30)
            created += response.status_code == 201
            failed += response.status_code != 201
        with lock:
            tally["created"] += created
            tally["failed"] += failed

    threads = [threading.Thread(target=send, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


# What points a process at a service or folder outside the rehearsal: the caller's databases,
# broker (also CELERY_BROKER_READ_URL and _WRITE_URL, which Celery reads straight from the
# environment), result backend, cache, beat's schedule and lock (REDBEAT_REDIS_URL, under the
# real deployment's key prefix), mail server, or a metrics folder gunicorn empties as it
# starts. None of it reaches the rehearsal's processes; what they need is set explicitly.
OUTSIDE = ("DATABASE_", "CELERY_", "CACHE_", "EMAIL_", "REDBEAT_", "REDIS", "PROMETHEUS_MULTIPROC_DIR")


def outside_settings_in_dotenv(env: dict) -> list[str]:
    """What the repository's .env would still point outside the rehearsal: the settings read it
    for every variable the environment lacks, the scrubbed ones included."""
    dotenv = ROOT / ".env"
    if not dotenv.exists():
        return []
    names = re.findall(r"^\s*(?:export\s+)?([A-Za-z_]\w*)\s*=", dotenv.read_text(), re.MULTILINE)
    return sorted({name for name in names if name.startswith(OUTSIDE) and name not in env})


def rehearse(people: int, decisions: int, keep: bool = False) -> dict:
    began = time.monotonic()
    state = Path(tempfile.mkdtemp(prefix="icentrex-cluster-"))
    report: dict = {"state": str(state)} if keep else {}
    with ExitOnSignals() as signals, contextlib.ExitStack() as clean_up:
        if keep:
            print(f"logs and mailbox in {state}", file=sys.stderr, flush=True)
        else:
            clean_up.callback(shutil.rmtree, state, ignore_errors=True)
        primary, replica = clean_up.enter_context(primary_and_replica(durable=True))
        announce("postgres-primary", primary.pid)
        announce("postgres-replica", replica.pid)
        redis_port = free_port()
        redis_url = f"redis://127.0.0.1:{redis_port}"
        ports = [free_port(), free_port()]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(OUTSIDE)},
            "DJANGO_SETTINGS_MODULE": "icentrex.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": primary.url(),
            "DATABASE_REPLICA_URLS": replica.url(),
            "CELERY_BROKER_URL": f"{redis_url}/0",
            "REDBEAT_REDIS_URL": f"{redis_url}/0",
            "CACHE_URL": f"{redis_url}/1",
            "LOCAL_STATE_DIR": str(state / "var"),
            "SITE_URL": f"http://127.0.0.1:{ports[0]}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Short periods, so a rehearsal takes minutes: sweeps every 2 s, a claimed range taken
            # back after 10 s, beat's lock given up 10 s after its holder dies.
            "SWEEP_INTERVAL_SECONDS": "2",
            "POLICY_NOTICE_STALE_SECONDS": "10",
            "POLICY_NOTICE_CHUNK_SIZE": "50",
            "POLICY_NOTICE_EMAILS_PER_SECOND": "100",
            "BEAT_LOCK_TIMEOUT_SECONDS": "10",
            "BEAT_MAX_INTERVAL_SECONDS": "2",
            "ACCESS_LOG_LEVEL": "WARNING",
        }
        if leaks := outside_settings_in_dotenv(env):
            raise SystemExit(
                f"{ROOT / '.env'} sets {', '.join(leaks)}, which the rehearsal's processes would read "
                "and follow outside it: set them aside to rehearse"
            )
        # Unwound in reverse: signals held first, then the app's processes stopped, then Redis
        # (so that none of them hangs on losing its broker), then PostgreSQL, then the folder.
        redis = Processes(state, env)
        clean_up.callback(redis.stop_all)
        processes = Processes(state, env)
        clean_up.callback(processes.stop_all)
        clean_up.callback(signals.clean_up_begins)
        redis.start(
            "redis", "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
            "--dir", str(state), "--appendonly", "yes", "--appendfsync", "everysec",
            "--maxmemory", "256mb", "--maxmemory-policy", "noeviction", "--save", "",
        )  # fmt: skip
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        report["people"] = django(env, _SEED.format(people=people))
        celery = [PYTHON, "-m", "celery", "-A", "icentrex"]
        worker = [*celery, "worker", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
        for number, port in enumerate(ports, start=1):
            processes.start(
                f"web-{number}",
                PYTHON,
                "-m",
                "gunicorn",
                "icentrex.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
            )
        processes.start(
            "worker-critical", *worker, "-Q", "critical,celery", "-c", "2", "-n", "critical@cluster"
        )
        processes.start("worker-bulk", *worker, "-Q", "bulk", "-c", "2", "-n", "bulk@cluster")
        processes.start("beat-1", *celery, "beat", "--loglevel", "INFO")
        processes.start("beat-2", *celery, "beat", "--loglevel", "INFO")
        processes.start("integrator", PYTHON, "manage.py", "transparency_integrate", "--follow")
        bases = [f"http://127.0.0.1:{port}" for port in ports]

        def ready():
            try:
                return all(requests.get(base + "/readyz", timeout=5).status_code == 200 for base in bases)
            except requests.RequestException:
                return False

        wait_for(ready, 120, "both web servers to be ready")
        active_beat = wait_for(
            lambda: next((b for b in ("beat-1", "beat-2") if "Acquired lock" in processes.log(b)), None),
            60,
            "a beat to take the lock",
        )
        report["decisions"] = decide_many(bases, decisions)
        version = django(env, _PUBLISH)
        mailbox = state / "var" / "mailbox"
        wait_for(lambda: len(notice_mail(mailbox)) >= min(100, people // 4), 120, "the first notices")
        sent_before_kill = len(notice_mail(mailbox))
        processes.kill("worker-bulk")
        processes.kill(active_beat)
        killed_at = time.monotonic()
        report["killed"] = {
            "worker-bulk": f"mid-run, after {sent_before_kill} of {report['people']} notice emails",
            active_beat: "the beat holding the lock",
        }
        standby = "beat-2" if active_beat == "beat-1" else "beat-1"
        processes.start("worker-bulk-2", *worker, "-Q", "bulk", "-c", "2", "-n", "bulk2@cluster")
        wait_for(lambda: "Acquired lock" in processes.log(standby), 60, "the standby beat to take over")
        report["standby_beat_took_over_after_seconds"] = round(time.monotonic() - killed_at, 1)

        def finished():
            now = django(env, _STATE.format(version=version))
            done = now["run"] == "done" and now["notices_sent"] == report["people"]
            logged = now["consent_leaves"] == now["consent_records"]
            return now if done and logged else None

        final = wait_for(finished, 300, "every notice sent and every decision logged")
        mail = notice_mail(mailbox)
        recipients = [to for to, _id in mail]
        message_ids = [message_id for _to, message_id in mail]
        report["result"] = {
            **final,
            "decisions_accepted": report["decisions"]["created"],
            "notice_emails": len(mail),
            "people_emailed": len(set(recipients)),
            "people_emailed_twice_with_one_message_id": len(recipients) - len(set(recipients)),
            "distinct_message_ids": len(set(message_ids)),
        }
        verify = subprocess.run(
            [PYTHON, "manage.py", "evidence_verify"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        report["evidence_verify"] = "intact" if verify.returncode == 0 else verify.stdout[-2000:]
        report["ready_after"] = ready()
        result = report["result"]
        report["nothing_lost_or_duplicated"] = (
            result["consent_records"] == result["decisions_accepted"] == result["consent_leaves_distinct"]
            and result["consent_leaves"] == result["consent_leaves_distinct"]
            and result["notices"] == result["notices_sent"] == report["people"]
            and result["people_with_two_notices"] == 0
            and result["people_emailed"] == report["people"]
            and result["distinct_message_ids"] == report["people"]
            and report["evidence_verify"] == "intact"
            and report["ready_after"]
        )
    report["processes_stopped"] = not any(_alive(pid) for pid in redis.stopped + processes.stopped)
    report["seconds"] = round(time.monotonic() - began, 1)
    return report


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=600, help="people to notify of the policy change")
    parser.add_argument("--decisions", type=int, default=1000, help="consent decisions to send")
    parser.add_argument("--keep", action="store_true", help="keep the processes' logs and the mailbox")
    options = parser.parse_args(argv)
    report = rehearse(options.people, options.decisions, options.keep)
    print(json.dumps(report, indent=2))
    return 0 if report.get("nothing_lost_or_duplicated") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
