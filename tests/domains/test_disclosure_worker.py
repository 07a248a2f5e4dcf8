"""The disclosure job through a real Celery worker and Redis: a worker killed
mid-run (SIGKILL) loses and duplicates no disclosure once the sweep resumes
the run, and a redelivered task discloses nothing more."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from domains.models import DisclosureRun, DisclosureState, DomainClaim, EmailDisclosure
from domains.services import disclosure_run_start
from domains.tasks import disclosure_lane_process, disclosure_sweep
from organizations.models import Organization
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    acme = Organization.objects.create(name="Acme", slug="acme")
    now = timezone.now()
    DomainClaim.objects.create(
        organization=acme, domain="acme.test", token="t", status="verified", verified_at=now,
        disclosures_from=now - timedelta(minutes=1),
    )  # fmt: skip
    users = User.objects.bulk_create([User(email=f"p{i}@acme.test") for i in range(2000)], batch_size=1000)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=1000
    )
    return len(users)


def assert_disclosed_exactly_once(people: int) -> None:
    assert EmailDisclosure.objects.count() == people == DisclosureState.objects.count()
    assert not EmailDisclosure.objects.values("subject_key").annotate(n=Count("seq")).filter(n__gt=1).exists()


def test_a_killed_worker_loses_and_duplicates_no_disclosure(start_celery_worker, people, settings):
    settings.EMAIL_DISCLOSURE_CHUNK_USERS = 100  # the run carries its range size to the workers
    worker = start_celery_worker()
    run = disclosure_run_start(trigger=DisclosureRun.Trigger.SCHEDULE)
    wait_for(lambda: EmailDisclosure.objects.count() >= 300, 60, "the first ranges")
    worker.kill()  # SIGKILL: the task stays unacknowledged, the run "running"
    worker.wait()
    run.refresh_from_db()
    assert run.status == "running" and run.disclosed == EmailDisclosure.objects.count() < people

    start_celery_worker()
    settings.EMAIL_DISCLOSURE_STALE_SECONDS = 0  # the beat sweep, once the run has gone quiet
    assert (run.pk, 0) in disclosure_sweep()["resumed"]
    wait_for(lambda: DisclosureRun.objects.get(pk=run.pk).status == "finished", 90, "the resumed run")
    assert_disclosed_exactly_once(people)
    run.refresh_from_db()
    assert run.disclosed == people

    # The same task delivered again, and a whole new run: nothing more.
    assert disclosure_lane_process.delay(run.pk, 0).get(timeout=30) == "done"
    again = disclosure_run_start(trigger=DisclosureRun.Trigger.SCHEDULE)
    wait_for(lambda: DisclosureRun.objects.get(pk=again.pk).status == "finished", 60, "the second run")
    assert DisclosureRun.objects.get(pk=again.pk).disclosed == 0
    assert_disclosed_exactly_once(people)
