"""Self-service erasure: what happens when a person's deletion request falls
due (after the grace period). The register (core.register) says what
each model's rows become; each app's service does it for its own models.

The job is a list of steps. Each step runs in one transaction, under the
request's row lock, together with the move of ``steps_done``: a worker killed
mid-step rolls that step back and the next run (the sweep re-enqueues a job
that stopped moving) starts it again, so no step is ever half done. The first
step locks the account (no sign-in, sessions and tokens end), so a partly
erased account is never used; the last removes the profile and deletes the
person's subject link and key, after which every evidence row about them
still verifies but no longer leads to them."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.services import deleted_account_email, user_erase_profile, user_lock_out_for_erasure
from audit.events import EventType
from audit.services import audit_record

from .models import ErasureRequest, EvidencePack, OrganizationExport, PersonalExport, SubjectRequest

# How long a due erasure that is still blocked waits before it is tried again.
_HOLD = timedelta(days=1)


def _addresses(user) -> list[str]:
    """Every address the person signs in or signed up with, lower case."""
    return sorted(
        {
            user.email.lower(),
            *(e.lower() for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)),
        }
    )


def _lock_out(user, erasure: ErasureRequest) -> dict:
    audit_record(
        event_type=EventType.ERASURE_STARTED,
        subject=user,
        target=erasure,
        changes={"requested_at": erasure.requested_at.isoformat()},
    )
    return user_lock_out_for_erasure(user=user)


def _organizations(user, erasure: ErasureRequest) -> dict:
    from domains.services import person_erase_domain_data
    from organizations.services import memberships_end_for_deleted_account, person_erase_organization_data

    return {
        **memberships_end_for_deleted_account(actor=user, user=user),
        **person_erase_organization_data(user=user, addresses=_addresses(user)),
        **person_erase_domain_data(user=user),
    }


def _support(user, erasure: ErasureRequest) -> dict:
    from support.services import person_erase_support_data

    return person_erase_support_data(
        user=user, addresses=_addresses(user), placeholder=deleted_account_email(user)
    )


def _integrations(user, erasure: ErasureRequest) -> dict:
    from integrations.services import person_erase_integration_data
    from subjects.services import subject_key_for_user

    return person_erase_integration_data(user=user, subject_key=subject_key_for_user(user=user))


def _consent(user, erasure: ErasureRequest) -> dict:
    from consent.services import consent_state_forget
    from subjects.services import subject_key_for_user

    return {"consent_state_deleted": consent_state_forget(subject_key=subject_key_for_user(user=user))}


def _data_requests(user, erasure: ErasureRequest) -> dict:
    exports = PersonalExport.objects.filter(user=user)
    packs = EvidencePack.objects.filter(user=user)
    files = [name for name in exports.exclude(file="").values_list("file", flat=True)]
    files += [name for name in packs.exclude(file="").values_list("file", flat=True)]
    counts = {
        "personal_exports_deleted": exports.delete()[0],
        "evidence_packs_deleted": packs.delete()[0],
        "evidence_packs_unlinked": EvidencePack.objects.filter(requested_by=user).update(requested_by=None),
        "organisation_exports_unlinked": OrganizationExport.objects.filter(requested_by=user).update(
            requested_by=None
        ),
        # The request log stays (dates, type, outcome) without the person.
        "subject_requests_unlinked": SubjectRequest.objects.filter(user=user).update(
            user=None, contact_email=""
        ),
    }
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return counts


def _profile(user, erasure: ErasureRequest) -> dict:
    # The confirmation goes to the address the person had, from memory and after
    # the commit: it is stored nowhere, not even in the broker's queue. If it
    # cannot be sent, the error is logged and nobody tries again: the address is gone.
    from .tasks import send_email

    address, language = user.email, user.language
    counts = user_erase_profile(user=user, request_id=erasure.public_id)
    transaction.on_commit(
        lambda: send_email(template="erasure_done", context={}, to=address, language=language), robust=True
    )
    return counts


STEPS = [
    ("lock_out", _lock_out),
    ("organizations", _organizations),
    ("support", _support),
    ("integrations", _integrations),
    ("consent", _consent),
    ("data_requests", _data_requests),
    ("profile", _profile),
]


def erasure_continue(*, erasure_id: int) -> str:
    """Run the remaining steps of a started erasure, one transaction each.
    Idempotent: a finished or cancelled request is left alone, and a second
    copy of the task waits for the row lock, then goes on from where the first
    stopped; the last step settles the request in the request log."""
    from .services import subject_request_settle

    while True:
        with transaction.atomic():
            erasure = (
                ErasureRequest.objects.select_for_update(of=("self",))
                .select_related("user")
                .filter(pk=erasure_id)
                .first()
            )
            if erasure is None or erasure.status != ErasureRequest.Status.RUNNING:
                return "skipped"
            name, step = STEPS[erasure.steps_done]
            counts = step(erasure.user, erasure)
            now = timezone.now()
            erasure.summary = {**erasure.summary, name: counts}
            erasure.steps_done += 1
            erasure.heartbeat_at = now
            if erasure.steps_done == len(STEPS):
                erasure.status, erasure.finished_at = ErasureRequest.Status.DONE, now
                subject_request_settle(source_ref=erasure.received_ref, outcome="complied")
            erasure.save(update_fields=["summary", "steps_done", "heartbeat_at", "status", "finished_at"])
        if erasure.status == ErasureRequest.Status.DONE:
            return "done"


def erasure_due_start(*, now=None) -> dict:
    """Start every erasure whose grace period has ended. One still blocked
    (the person became the only owner of an organisation with other members,
    say, by inheriting primary ownership) waits another day and says why."""
    from organizations.selectors import organizations_blocking_erasure

    from .tasks import erasure_run

    now = now or timezone.now()
    started, held = [], 0
    for erasure in ErasureRequest.objects.filter(
        status=ErasureRequest.Status.SCHEDULED, scheduled_for__lte=now
    ).select_related("user"):
        blockers = list(organizations_blocking_erasure(user=erasure.user).values_list("name", flat=True))
        if blockers:
            ErasureRequest.objects.filter(pk=erasure.pk, status=ErasureRequest.Status.SCHEDULED).update(
                scheduled_for=now + _HOLD,
                summary={**erasure.summary, "held_by_organizations": blockers},
            )
            held += 1
            continue
        claimed = ErasureRequest.objects.filter(pk=erasure.pk, status=ErasureRequest.Status.SCHEDULED).update(
            status=ErasureRequest.Status.RUNNING, started_at=now, heartbeat_at=now
        )
        if claimed:
            started.append(erasure.pk)
    for erasure_id in started:
        erasure_run.delay(erasure_id)
    return {"started": len(started), "held": held}
