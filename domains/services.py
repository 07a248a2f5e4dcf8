"""Email-domain claims and the disclosure of addresses at verified domains
to the organisation that verified them (issue 7). Every change to a claim
writes its audit event in the same transaction; disclosure runs hand their
lanes to workers after commit (tasks.disclosure_lane_process)."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.events import EventType
from audit.services import audit_record
from core.errors import Conflict, RuleViolation
from core.tasks import enqueue_on_commit
from organizations.models import Membership
from organizations.roles import Scope
from organizations.selectors import require_scope
from subjects.services import subject_sealers_for

from . import tasks
from .disclosures import chunk_size, compute_rows, eligible_claims, insert_disclosures, new_disclosures
from .models import (
    DisclosureDigest,
    DisclosureLane,
    DisclosureLetter,
    DisclosureRun,
    DisclosureState,
    DomainClaim,
    EmailDisclosure,
)
from .names import (
    DnsCheckFailed,
    InvalidDomain,
    IpAddressNotDomain,
    domain_of_email,
    is_free_webmail,
    new_verification_token,
    normalize_claim_domain,
    token_published,
)
from .selectors import verified_claim_for_domain

# --- Email-domain claims (issue 7) ----------------------------------------------


def domain_claim_create(*, actor: Membership, domain: str, include_subdomains: bool = False, request=None):
    """Claim a domain for the organisation (owners): stored in normal form with
    a fresh token to publish in DNS. Refused for free webmail and for a domain
    another organisation has verified."""
    require_scope(actor, Scope.DOMAINS_WRITE)
    try:
        normal = normalize_claim_domain(domain)
    except IpAddressNotDomain:
        raise RuleViolation(
            _("%(value)s is an IP address. Enter the domain name your addresses end with, e.g. example.com.")
            % {"value": domain.strip()},
            code="ip_address_not_domain",
        ) from None
    except InvalidDomain:
        raise RuleViolation(_("That is not a domain name."), code="invalid_domain") from None
    if is_free_webmail(normal):
        raise RuleViolation(
            _("%(domain)s is a free email service: nobody can claim it.") % {"domain": normal},
            code="free_webmail_domain",
        )
    _refuse_if_verified_elsewhere(actor=actor, domain=normal)
    try:
        with transaction.atomic():
            claim = DomainClaim.objects.create(
                organization=actor.organization,
                domain=normal,
                include_subdomains=include_subdomains,
                token=new_verification_token(),
                created_by=actor.user,
            )
            audit_record(
                event_type=EventType.DOMAIN_CLAIMED,
                actor=actor.user,
                organization_id=actor.organization_id,
                target=claim,
                changes={"domain": normal, "include_subdomains": include_subdomains},
                request=request,
            )
    except IntegrityError:
        raise Conflict(
            _("Your organisation already claims this domain."), code="domain_already_claimed"
        ) from None
    return claim


def _refuse_if_verified_elsewhere(*, actor: Membership, domain: str) -> None:
    if (
        DomainClaim.objects.filter(domain=domain, status=DomainClaim.Status.VERIFIED)
        .exclude(organization_id=actor.organization_id)
        .exists()
    ):
        raise Conflict(_("Another organisation has verified this domain."), code="domain_verified_elsewhere")


def domain_claim_verify(*, actor: Membership, claim, request=None):
    """Look for the claim's token in DNS; verified when found. The outcome of
    every check is kept on the claim (verified, wrong_token, no_record,
    timeout, dns_error)."""
    require_scope(actor, Scope.DOMAINS_WRITE)
    if claim.status != DomainClaim.Status.PENDING:
        raise Conflict(_("Only a claim waiting for verification can be verified."), code="not_pending")
    _refuse_if_verified_elsewhere(actor=actor, domain=claim.domain)
    try:
        result = "verified" if token_published(claim.domain, claim.token) else "wrong_token"
    except DnsCheckFailed as failure:
        result = str(failure)
    now = timezone.now()
    try:
        with transaction.atomic():
            claim = DomainClaim.objects.select_for_update().get(pk=claim.pk)
            claim.last_checked_at, claim.last_check_result = now, result
            fields = ["last_checked_at", "last_check_result"]
            if result == "verified" and claim.status == DomainClaim.Status.PENDING:
                delay = timedelta(hours=settings.EMAIL_DISCLOSURE_DELAY_HOURS)
                claim.status, claim.verified_at, claim.disclosures_from = (
                    DomainClaim.Status.VERIFIED,
                    now,
                    now + delay,
                )
                fields += ["status", "verified_at", "disclosures_from"]
                if not delay:  # otherwise the hourly run starts once the waiting time is over
                    disclosure_run_start(
                        trigger=DisclosureRun.Trigger.DOMAIN_VERIFIED, organization=actor.organization
                    )
                audit_record(
                    event_type=EventType.DOMAIN_VERIFIED,
                    actor=actor.user,
                    organization_id=actor.organization_id,
                    target=claim,
                    changes={"domain": claim.domain},
                    request=request,
                )
            claim.save(update_fields=fields)
    except IntegrityError:  # another organisation verified it a moment ago
        raise Conflict(
            _("Another organisation has verified this domain."), code="domain_verified_elsewhere"
        ) from None
    return claim


def domain_claim_revoke(*, actor: Membership, claim, request=None):
    require_scope(actor, Scope.DOMAINS_WRITE)
    if claim.status == DomainClaim.Status.REVOKED:
        return claim
    with transaction.atomic():
        claim.status, claim.revoked_at = DomainClaim.Status.REVOKED, timezone.now()
        claim.save(update_fields=["status", "revoked_at"])
        audit_record(
            event_type=EventType.DOMAIN_REVOKED,
            actor=actor.user,
            organization_id=actor.organization_id,
            target=claim,
            changes={"domain": claim.domain},
            request=request,
        )
    return claim


# --- Email disclosure to the organisation that verified a domain (issue 7) -------


def disclosure_run_start(*, trigger: str, organization=None, user=None, requested_by=None):
    """Record a disclosure run and hand its lanes to workers after commit. An
    organisation's run covers its claims only; a person's run (sign-up, email
    change) covers that person only; otherwise every verified claim and person."""
    if user is not None:
        first = last = user.pk
    else:
        bounds = User.objects.aggregate(first=Min("pk"), last=Max("pk"))
        first, last = bounds["first"] or 0, bounds["last"] or -1
    size = chunk_size()
    ranges = max(1, -(-(last - first + 1) // size))
    lanes = min(settings.EMAIL_DISCLOSURE_LANES, ranges)
    run = DisclosureRun.objects.create(
        trigger=trigger,
        organization=organization,
        user=user,
        requested_by=requested_by,
        first_user_id=first,
        last_user_id=last,
        range_size=size,
        lane_count=lanes,
    )
    DisclosureLane.objects.bulk_create(
        DisclosureLane(run=run, number=n, next_user_id=first + n * size) for n in range(lanes)
    )
    for lane in range(lanes):
        enqueue_on_commit(tasks.disclosure_lane_process, run.pk, lane)
    return run


def _letters_write(*, run: DisclosureRun, rows) -> None:
    """One letter per person of the range, naming every organisation that
    received their address, in the transaction of the disclosures; sent once
    the run finishes (and by the sweep, if that message is lost)."""
    by_person: dict[int, list[list[str]]] = {}
    for row in rows:
        by_person.setdefault(row.user_id, []).append([row.organization_name, row.domain])
    DisclosureLetter.objects.bulk_create(
        [
            DisclosureLetter(run=run, user_id=user_id, organizations=named)
            for user_id, named in by_person.items()
        ],
        ignore_conflicts=True,
    )


def disclosure_run_for_person(*, user):
    """After sign-up or an email change: disclose the person's new address if
    a verified claim covers it (and no run for them is under way already)."""
    user = type(user).objects.filter(pk=user.pk, is_active=True).first()  # the address as committed
    if user is None or verified_claim_for_domain(domain=domain_of_email(user.email) or "") is None:
        return None
    if DisclosureRun.objects.filter(user=user, status=DisclosureRun.Status.RUNNING, dry_run=False).exists():
        return None
    return disclosure_run_start(trigger=DisclosureRun.Trigger.EMAIL_CONFIRMED, user=user)


def disclosure_lane_step(*, run_id: int, lane: int) -> bool:
    """Disclose for the lane's next range of users, in one transaction with
    the lane's new position, so a crash loses nothing and repeats nothing; the
    lane's row lock keeps two workers from taking the same range. Returns
    whether the lane has ranges left."""
    with transaction.atomic():
        position = (
            DisclosureLane.objects.select_for_update(of=("self",))
            .select_related("run")
            .filter(
                run_id=run_id, number=lane, finished_at__isnull=True, run__status=DisclosureRun.Status.RUNNING
            )
            .first()
        )
        if position is None:
            return False
        run, now = position.run, timezone.now()
        lo = position.next_user_id
        hi = min(lo + run.range_size - 1, run.last_user_id)
        if lo <= hi:
            claims = eligible_claims(organization_id=run.organization_id)
            result = compute_rows(lo=lo, hi=hi, claims=claims, write=True)
            if result.rows:
                sealers = subject_sealers_for(user_ids=[row.user_id for row in result.rows])
                insert_disclosures(new_disclosures(rows=result.rows, run_id=run.pk, sealers=sealers))
                _letters_write(run=run, rows=result.rows)
            # Last, so the lock on the run row is held only while committing.
            DisclosureRun.objects.filter(pk=run.pk).update(
                people_matched=F("people_matched") + result.matched,
                disclosed=F("disclosed") + len(result.rows),
            )
        position.next_user_id = lo + run.lane_count * run.range_size
        position.heartbeat_at = now
        if position.next_user_id > run.last_user_id:
            position.finished_at = now
        position.save()
    if position.finished_at:
        disclosure_run_finish(run_id=run_id)
        return False
    return True


def disclosure_run_finish(*, run_id: int) -> None:
    """Mark the run finished once every lane is. Under the run's row lock, so
    of two lanes finishing at once the second sees the first's lane done."""
    running = DisclosureRun.objects.filter(pk=run_id, status=DisclosureRun.Status.RUNNING)
    with transaction.atomic():
        if running.select_for_update().values_list("pk", flat=True).first() is None:
            return
        if not DisclosureLane.objects.filter(run_id=run_id, finished_at__isnull=True).exists():
            running.update(status=DisclosureRun.Status.FINISHED, finished_at=timezone.now())
            # The run's letters go out now, one sending chain after its lanes: sending
            # them as each range committed queued them ahead of the next run's lanes.
            enqueue_on_commit(tasks.disclosure_letters_send)


@dataclass
class DryRun:
    run: "object"
    would_disclose: int = 0
    new_people: int = 0
    sample: list = field(default_factory=list)


def disclosure_dry_run(*, actor: Membership, sample_size: int = 100, request=None) -> DryRun:
    """What the next real run would disclose to the actor's organisation (also
    for claims still in their waiting time), computed now and written nowhere:
    no disclosure, no state. Only the run itself is recorded."""
    require_scope(actor, Scope.DOMAINS_WRITE)
    started = timezone.now()
    claims = eligible_claims(organization_id=actor.organization_id, include_waiting=True)
    bounds = User.objects.aggregate(first=Min("pk"), last=Max("pk"))
    first, last = bounds["first"] or 0, bounds["last"] or -1
    dry, matched = DryRun(run=None), 0
    for lo in range(first, last + 1, chunk_size()):
        result = compute_rows(lo=lo, hi=min(lo + chunk_size() - 1, last), claims=claims, write=False)
        matched += result.matched
        dry.would_disclose += len(result.rows)
        dry.new_people += sum(1 for row in result.rows if row.is_new)
        dry.sample.extend(result.rows[: sample_size - len(dry.sample)])
    dry.run = DisclosureRun.objects.create(
        started_at=started,
        trigger=DisclosureRun.Trigger.OWNER,
        organization_id=actor.organization_id,
        requested_by=actor.user,
        dry_run=True,
        status=DisclosureRun.Status.FINISHED,
        first_user_id=first,
        last_user_id=last,
        range_size=chunk_size(),
        lane_count=0,
        people_matched=matched,
        disclosed=dry.would_disclose,
        finished_at=timezone.now(),
    )
    return dry


def disclosures_acknowledge(*, user) -> int:
    """The person has read the notice about their latest disclosures."""
    now = timezone.now()
    return (
        DisclosureState.objects.filter(user=user)
        .filter(Q(acknowledged_at__isnull=True) | Q(acknowledged_at__lt=F("disclosed_at")))
        .update(acknowledged_at=now)
    )


def disclosure_digest_prepare(*, organization_id: int):
    """Record the next digest of an organisation's new disclosures (those after
    the previous digest), or None when there is nothing new. The unique
    (organisation, after_seq) makes a repeated call a no-op."""
    after = (
        DisclosureDigest.objects.filter(organization_id=organization_id)
        .order_by("-up_to_seq")
        .values_list("up_to_seq", flat=True)
        .first()
        or 0
    )
    new = EmailDisclosure.objects.filter(organization_id=organization_id, seq__gt=after).aggregate(
        count=Count("seq"), last=Max("seq")
    )
    if not new["count"]:
        return None
    try:
        with transaction.atomic():
            return DisclosureDigest.objects.create(
                organization_id=organization_id,
                after_seq=after,
                up_to_seq=new["last"],
                disclosures=new["count"],
                recipients=0,
            )
    except IntegrityError:
        return None


def person_erase_domain_data(*, user) -> dict:
    """What erasure does to the domain and disclosure records about a person:
    the claims and disclosure runs they started stay with the organisation, no
    longer linked to them; the disclosure bookkeeping about them goes
    (core.register). Part of erasure's organisations step (data_requests.erasure)."""
    with transaction.atomic():
        return {
            "domain_claims_unlinked": DomainClaim.objects.filter(created_by=user).update(created_by=None),
            "disclosure_runs_unlinked": DisclosureRun.objects.filter(user=user).update(user=None)
            + DisclosureRun.objects.filter(requested_by=user).update(requested_by=None),
            "disclosure_states_deleted": DisclosureState.objects.filter(user=user).delete()[0],
            "disclosure_letters_deleted": DisclosureLetter.objects.filter(user=user).delete()[0],
        }
