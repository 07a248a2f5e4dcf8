"""The organisation email disclosure job (issue 7): who is disclosed to whom
(never to the wrong organisation, whatever the spelling), idempotency and the
new-disclosure-on-change rule, dry runs that write nothing, resuming after a
crash, and the evidence (sealed per person, append-only, batch-sealed)."""

from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import User
from audit.streams import StreamCheck, stream_verify
from audit.tasks import evidence_seal
from domains import disclosures, selectors, services
from domains.models import DisclosureLane, DisclosureRun, DisclosureState, DomainClaim, EmailDisclosure
from domains.tasks import disclosure_scheduled_run, disclosure_sweep
from organizations.models import Membership, Organization, Team, TeamMembership
from subjects.services import subject_shred, subject_unseal
from tests.factories import UserFactory
from tests.tamper import bypass_triggers

from .disclosure_support import process_run, run_now

pytestmark = pytest.mark.django_db


def _org(slug):
    org = Organization.objects.create(name=slug.title(), slug=slug)
    owner = Membership.objects.create(
        organization=org,
        user=UserFactory(email=f"owner@{slug}.owner-mail.test"),
        role="owner",
        is_primary_owner=True,
    )
    return owner


def _claim(owner, domain, *, subdomains=False, status="verified", waiting=False):
    now = timezone.now()
    return DomainClaim.objects.create(
        organization=owner.organization,
        domain=domain,
        include_subdomains=subdomains,
        token="t0ken",
        status=status,
        verified_at=now if status != "pending" else None,
        disclosures_from=now + timedelta(hours=24) if waiting else now - timedelta(minutes=1),
    )


def _person(email, *, verified=True, active=True):
    # Straight to the table, so spellings a form would refuse still reach the job.
    user = User.objects.create(email="placeholder@placeholder.test", is_active=active)
    User.objects.filter(pk=user.pk).update(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    user.email = email
    return user


_run = run_now


def _disclosed():
    """{email: organisation slug} of everything disclosed, read back from the evidence."""
    slugs = dict(Organization.objects.values_list("pk", "slug"))
    found = {}
    for record in EmailDisclosure.objects.order_by("seq"):
        value = subject_unseal(subject_key=record.subject_key, token=record.sealed)
        found[value["email"]] = slugs[record.organization_id]
    return found


@pytest.fixture
def corpus(settings):
    """Two organisations, their claims, and people at every adversarial spelling."""
    settings.FREE_WEBMAIL_EXTRA_DOMAINS = ["proton.me", "turned-webmail.test"]
    acme, evil = _org("acme"), _org("evil")
    _claim(acme, "example.com")
    _claim(evil, "evil.com")
    _claim(evil, "corp.test", subdomains=True)
    _claim(acme, "eu.corp.test")  # an exact claim inside evil's sub-domain claim
    _claim(acme, "pending.test", status="pending")
    _claim(acme, "revoked.test", status="revoked")
    _claim(acme, "later.test", waiting=True)
    # Verified before the domain became (or was found to be) free webmail.
    _claim(acme, "turned-webmail.test")
    DomainClaim.objects.create(
        organization=evil.organization, domain="gmail.com", token="x", status="verified",
        verified_at=timezone.now(), disclosures_from=timezone.now(),
    )  # fmt: skip
    expected = {
        "ann@example.com": "acme",
        "bob@example.com.": "acme",  # trailing dot: the same domain
        "gil@ｅｘａｍｐｌｅ．ｃｏｍ": "acme",  # full-width forms: the same domain under UTS 46
        "lee@x.corp.test": "evil",
        "max@deep.x.corp.test": "evil",
        "ned@eu.corp.test": "acme",  # exact claim
        "ola@dev.eu.corp.test": "evil",  # acme's eu.corp.test claim has no sub-domains
        "pat@evil.com": "evil",
        "vic@corp.test": "evil",  # a sub-domain claim covers the domain itself too
    }
    nobody = [
        "cat@example.com.evil.com",  # not a sub-domain claim of evil.com
        "dan@evilexample.com",
        "eve@sub.example.com",  # no sub-domain claim
        "fay@еxample.com",  # Cyrillic е
        "fay2@xn--xample-2of.com",  # its punycode
        "fay3@exаmple.com",  # Cyrillic а
        "ivy@pending.test",
        "jon@revoked.test",
        "kay@later.test",  # still in its waiting time
        "kim@gmail.com",
        "kim2@GMAIL.COM.",
        "tom@turned-webmail.test",
        "uma@corp.test.evil.com",
        "wes@example..com",
    ]
    people = {email: _person(email) for email in [*expected, *nobody]}
    _person("hal@example.com", verified=False)
    _person("ina@example.com", active=False)
    return acme, evil, expected, people


def test_only_verified_addresses_at_verified_domains_reach_the_right_organisation(corpus):
    acme, evil, expected, _people = corpus
    run = _run()
    assert run.status == "finished"
    assert _disclosed() == expected
    assert run.disclosed == run.people_matched == len(expected)


def test_the_sql_and_the_portable_rules_agree_on_the_corpus(corpus):
    claims = disclosures.eligible_claims()
    first, last = User.objects.order_by("pk").first().pk, User.objects.order_by("pk").last().pk
    sql = disclosures.compute_rows(lo=first, hi=last, claims=claims, write=False)
    portable = disclosures._rows_portable(lo=first, hi=last, claims=claims, write=False)
    as_set = lambda result: {(r.user_id, r.email, r.claim_id, r.organization_id) for r in result.rows}  # noqa: E731
    assert as_set(sql) == as_set(portable) and len(sql.rows) == len(corpus[2])
    assert sql.matched == portable.matched


SPELLINGS = [
    "example.com", "EXAMPLE.COM.", "a.b-c.example", "x" * 63 + ".com", "1.2.3.4", "example.com..",
    "ab--cd.com", "xn--bcher-kva.example", "bücher.example", "ｅｘａｍｐｌｅ．ｃｏｍ", "еxample.com",
    "-a.com", "a-.com", "a_b.com", "x" * 64 + ".com", "a..com", "com", ".example.com", "exa mple.com",
]  # fmt: skip


def test_postgresql_normalises_a_domain_only_where_it_equals_the_python_normal_form():
    """accounts_user.email_domain (migration 0006) is the Python normal form, or
    NULL and left to Python; never a different domain."""
    import re

    from domains.names import domain_of_email

    users = {f"u{n}@{spelling}": _person(f"u{n}@{spelling}") for n, spelling in enumerate(SPELLINGS)}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, email_domain FROM accounts_user WHERE id = ANY(%s)",
            [[u.pk for u in users.values()]],
        )
        stored = dict(cursor.fetchall())
    computed = {email for email, domain in stored.items() if domain is not None}
    assert {"u0@example.com", "u1@EXAMPLE.COM.", "u2@a.b-c.example"} <= computed
    for email, domain in stored.items():
        assert domain is None or domain == domain_of_email(email), email
        assert (domain is not None) == bool(
            re.match(disclosures.ASCII_DOMAIN_RE, email.rsplit("@", 1)[1].lower())
        )


def _team(owner, name, *members):
    team = Team.objects.create(organization=owner.organization, name=name, slug=name.lower())
    for user in members:
        membership, _ = Membership.objects.get_or_create(organization=owner.organization, user=user)
        TeamMembership.objects.create(team=team, membership=membership)
    return team


def test_rerunning_discloses_nothing_twice_and_changes_make_new_disclosures():
    acme, other = _org("acme"), _org("other")
    _claim(acme, "acme.test")
    ann, bob = _person("ann@acme.test"), _person("bob@acme.test")
    _team(other, "Design", ann)
    first = _run()
    assert first.disclosed == 2
    assert _run().disclosed == 0 and _run().people_matched == 2

    _team(acme, "Ops", ann)  # new team names: a new disclosure, the old one untouched
    User.objects.filter(pk=bob.pk).update(email="robert@acme.test")
    EmailAddress.objects.filter(user=bob).update(email="robert@acme.test")
    third = _run()
    assert third.disclosed == 2
    latest = {
        subject_unseal(subject_key=r.subject_key, token=r.sealed)["email"]: r
        for r in EmailDisclosure.objects.filter(run_id=third.pk)
    }
    assert set(latest) == {"ann@acme.test", "robert@acme.test"}
    ann_now = subject_unseal(
        subject_key=latest["ann@acme.test"].subject_key, token=latest["ann@acme.test"].sealed
    )
    assert ann_now["teams"] == [["Acme", "Ops"], ["Other", "Design"]]
    assert EmailDisclosure.objects.count() == 4 and _run().disclosed == 0


def test_a_dry_run_writes_nothing_and_shows_what_would_be_disclosed(django_assert_max_num_queries):
    acme = _org("acme")
    _claim(acme, "acme.test", waiting=True)
    for n in range(3):
        _person(f"p{n}@acme.test")
    dry = services.disclosure_dry_run(actor=acme)
    assert dry.would_disclose == dry.new_people == 3
    assert sorted(row.email for row in dry.sample) == ["p0@acme.test", "p1@acme.test", "p2@acme.test"]
    assert not EmailDisclosure.objects.exists() and not DisclosureState.objects.exists()
    assert dry.run.dry_run and dry.run.status == "finished" and dry.run.requested_by == acme.user
    # The waiting time keeps real runs away; once over, they disclose what the dry run showed.
    assert _run().disclosed == 0
    DomainClaim.objects.update(disclosures_from=timezone.now())
    assert _run().disclosed == 3
    assert services.disclosure_dry_run(actor=acme).would_disclose == 0


def test_only_owners_dry_run():
    acme = _org("acme")
    admin = Membership.objects.create(organization=acme.organization, user=UserFactory(), role="admin")
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.disclosure_dry_run(actor=admin)
    assert not DisclosureRun.objects.exists()


def test_an_organisation_run_stays_within_its_own_claims():
    acme, evil = _org("acme"), _org("evil")
    _claim(acme, "acme.test")
    _claim(evil, "evil.test")
    _person("a@acme.test"), _person("e@evil.test")
    run = _run(trigger=DisclosureRun.Trigger.DOMAIN_VERIFIED, organization=acme.organization)
    assert _disclosed() == {"a@acme.test": "acme"} and run.disclosed == 1


def test_verifying_without_a_waiting_time_starts_a_run(
    settings, dns_server, django_capture_on_commit_callbacks
):
    settings.EMAIL_DISCLOSURE_DELAY_HOURS = 0
    acme = _org("acme")
    _person("a@acme.test")
    claim = services.domain_claim_create(actor=acme, domain="acme.test")
    dns_server.txt["_icentrex-verification.acme.test"] = [f"icentrex-verification={claim.token}"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.domain_claim_verify(actor=acme, claim=claim)
    run = DisclosureRun.objects.get()
    assert run.trigger == "domain_verified" and run.organization == acme.organization and len(callbacks) == 1
    process_run(run.pk)
    assert _disclosed() == {"a@acme.test": "acme"}


def test_a_waiting_time_defers_the_first_disclosure(settings, dns_server):
    settings.EMAIL_DISCLOSURE_DELAY_HOURS = 24
    acme = _org("acme")
    claim = services.domain_claim_create(actor=acme, domain="acme.test")
    dns_server.txt["_icentrex-verification.acme.test"] = [f"icentrex-verification={claim.token}"]
    claim = services.domain_claim_verify(actor=acme, claim=claim)
    assert claim.disclosures_from - claim.verified_at == timedelta(hours=24)
    assert not DisclosureRun.objects.exists()


def test_confirming_an_address_at_a_claimed_domain_discloses_it(django_capture_on_commit_callbacks):
    acme = _org("acme")
    _claim(acme, "acme.test")
    user = _person("new@acme.test", verified=False)
    address = EmailAddress.objects.get(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        address.verified = True
        address.save()
        from allauth.account import signals

        signals.email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    run = DisclosureRun.objects.get()
    assert run.trigger == "email_confirmed" and run.user == user and run.first_user_id == run.last_user_id
    process_run(run.pk)
    assert _disclosed() == {"new@acme.test": "acme"}
    # An address at no claimed domain starts no run at all.
    other = _person("someone@elsewhere.test")
    assert services.disclosure_run_for_person(user=other) is None


def test_a_crashed_range_is_redone_once_and_the_sweep_resumes_the_run(settings, monkeypatch):
    settings.EMAIL_DISCLOSURE_CHUNK_USERS = 3
    acme = _org("acme")
    _claim(acme, "acme.test")
    people = [_person(f"p{n}@acme.test") for n in range(8)]
    run = services.disclosure_run_start(trigger=DisclosureRun.Trigger.SCHEDULE)
    assert run.lane_count == 2 and run.range_size == 3
    real = disclosures.new_disclosures
    calls = []

    def crash_on_second_range(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return real(**kwargs)

    from domains import tasks

    # The lane step (domains.services) calls the name it imported from domains.disclosures.
    monkeypatch.setattr(services, "new_disclosures", crash_on_second_range)
    with pytest.raises(RuntimeError):
        tasks.disclosure_lane_process(run.pk, 0)
    run.refresh_from_db()
    assert run.status == "running" and EmailDisclosure.objects.count() == run.disclosed > 0
    assert "worker died" in run.error
    # The sweep takes the quiet lanes up again where they stopped.
    settings.EMAIL_DISCLOSURE_STALE_SECONDS = 0
    monkeypatch.setattr(services, "new_disclosures", real)
    resumed = []
    monkeypatch.setattr(tasks.disclosure_lane_process, "delay", lambda *args: resumed.append(args))
    assert sorted(disclosure_sweep()["resumed"]) == [(run.pk, 0), (run.pk, 1)] == sorted(resumed)
    run = process_run(run.pk)
    assert run.status == "finished" and run.disclosed == len(people)
    assert sorted(_disclosed()) == sorted(p.email for p in people)


def test_a_scheduled_run_waits_for_the_previous_one():
    first = disclosure_scheduled_run()
    assert first is not None and disclosure_scheduled_run() is None
    process_run(first)
    assert disclosure_scheduled_run() not in (None, first)


def test_disclosures_are_sealed_per_person_append_only_and_verifiable():
    acme = _org("acme")
    _claim(acme, "acme.test")
    ann = _person("ann@acme.test")
    _person("bob@acme.test")
    _run()
    record = EmailDisclosure.objects.order_by("seq").first()
    assert "acme.test" not in record.sealed and record.compute_hash() == record.record_hash
    assert evidence_seal()["disclosures"] == 2
    assert stream_verify("disclosures") == StreamCheck("disclosures", items=2, seals=1, broken=None)
    out = StringIO()
    call_command("evidence_verify", "--stream", "disclosures", stdout=out)
    assert out.getvalue().splitlines()[0] == "disclosures: intact, 1 seal and 2 disclosures verified."
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE organizations_emaildisclosure SET domain = 'x.test'")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM organizations_emaildisclosure")
    # Erasure unlinks the person: the row stays, verifies, and no longer says who or which address.
    subject_shred(user=ann)
    assert stream_verify("disclosures").intact
    rows = selectors.disclosure_rows(
        records=selectors.disclosures_to_organization(organization=acme.organization)
    )
    assert sorted(row["email"] or "erased" for row in rows) == ["bob@acme.test", "erased"]
    bypass_triggers(
        "UPDATE organizations_emaildisclosure SET organization_id = 999 WHERE seq = %s", [record.seq]
    )
    assert "edited" in stream_verify("disclosures").broken.reason
    with pytest.raises(CommandError, match="edited"):
        call_command("evidence_verify", "--stream", "disclosures", stdout=StringIO())


def test_a_page_of_disclosures_costs_the_same_queries_whatever_its_size(django_assert_num_queries):
    acme = _org("acme")
    _claim(acme, "acme.test")
    for n in range(25):
        _person(f"p{n}@acme.test")
    _run()
    records = selectors.disclosures_to_organization(organization=acme.organization)
    with django_assert_num_queries(2):  # the page, the people's keys
        rows = selectors.disclosure_rows(records=records[:25])
    assert len(rows) == 25 and all(row["email"] for row in rows)


@pytest.mark.parametrize("people", [3, 60])
def test_a_range_costs_the_same_queries_whatever_its_size(people, django_assert_num_queries):
    acme = _org("acme")
    _claim(acme, "acme.test")
    for n in range(people):
        _person(f"p{n}@acme.test")
    run = services.disclosure_run_start(trigger=DisclosureRun.Trigger.SCHEDULE)
    assert run.lane_count == 1
    # Per range, never per person: the lane (locked), the claims, the addresses left to
    # Python, JIT off, the statement, subject links read and created, COPY, the letters to the
    # people disclosed, the run's counters, the lane's position, the run marked finished, and the
    # savepoints around them.
    with django_assert_num_queries(20):
        services.disclosure_lane_step(run_id=run.pk, lane=0)
    assert EmailDisclosure.objects.count() == people


def test_the_sweep_finishes_a_run_whose_worker_died_before_marking_it():
    run = services.disclosure_run_start(trigger=DisclosureRun.Trigger.SCHEDULE)
    DisclosureLane.objects.filter(run=run).update(finished_at=timezone.now())  # every range done
    assert DisclosureRun.objects.get(pk=run.pk).status == "running"
    disclosure_sweep()
    assert DisclosureRun.objects.get(pk=run.pk).status == "finished"


# --- People are told by email -------------------------------------------------------------------


def test_each_person_disclosed_is_emailed_once_naming_every_organisation(mailoutbox):
    from domains.models import DisclosureLetter
    from domains.tasks import disclosure_letters_send

    acme, evil = _org("acme"), _org("evil")
    _claim(acme, "acme.test")
    _claim(evil, "evil.test")
    ann, _bob = _person("ann@acme.test"), _person("bob@evil.test")
    _person("nobody@elsewhere.test")
    _run()
    assert disclosure_letters_send() == 2
    letters = {m.to[0]: m for m in mailoutbox}
    assert set(letters) == {"ann@acme.test", "bob@evil.test"}
    assert "Acme (your address at acme.test)" in letters["ann@acme.test"].body
    assert (
        "Evil" not in letters["ann@acme.test"].body
        and "/privacy/disclosures/" in letters["ann@acme.test"].body
    )
    assert letters["ann@acme.test"].extra_headers["Message-ID"].startswith("<disclosure-letter-")
    # Idempotent: sending again, or a run that discloses nothing new, sends nothing.
    assert disclosure_letters_send() == 0
    _run()
    assert disclosure_letters_send() == 0 and len(mailoutbox) == 2
    # A change that makes a new disclosure makes a new letter.
    _team(acme, "Ops", ann)
    _run()
    assert disclosure_letters_send() == 1 and mailoutbox[-1].to == ["ann@acme.test"]
    assert DisclosureLetter.objects.filter(sent_at__isnull=True).count() == 0


def test_a_failed_send_leaves_the_letters_for_the_sweep(mailoutbox, monkeypatch, settings):
    from domains.models import DisclosureLetter
    from domains.tasks import disclosure_letters_send
    from icentrex.settings.base import _mailer_from_url

    acme = _org("acme")
    _claim(acme, "acme.test")
    _person("ann@acme.test")
    _run()
    locmem = settings.MAILERS
    settings.MAILERS = {"default": _mailer_from_url("smtp://127.0.0.1:9")}  # nothing listens there
    with pytest.raises(ConnectionRefusedError):
        disclosure_letters_send.run()
    assert DisclosureLetter.objects.get().sent_at is None
    settings.MAILERS = locmem
    settings.EMAIL_DISCLOSURE_STALE_SECONDS = 0
    sent = []
    monkeypatch.setattr(
        "domains.tasks.disclosure_letters_send.delay", lambda: sent.append(disclosure_letters_send())
    )
    assert disclosure_sweep()["letters"] is True and sent == [1]
    assert DisclosureLetter.objects.get().sent_at is not None and len(mailoutbox) == 1


def test_erasure_deletes_the_persons_letters():
    from domains.models import DisclosureLetter

    acme = _org("acme")
    _claim(acme, "acme.test")
    ann = _person("ann@acme.test")
    _run()
    assert services.person_erase_domain_data(user=ann)["disclosure_letters_deleted"] == 1
    assert not DisclosureLetter.objects.exists()
