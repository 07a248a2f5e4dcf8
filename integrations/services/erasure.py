"""What erasure (issue 9) does to integrations."""

import json

from django.db import connection, transaction

from ..models import Installation, SharingEvent, SubprocessorSubscription, WebhookDelivery
from .installations import installation_remove

_ERASED_RECORD = {"erased": True}


def person_erase_integration_data(*, user, subject_key) -> dict:
    """What erasure does to integrations (core.register): the person's
    own integrations are removed (the provider is told, without personal data);
    the integrations they added for a team stay with the team; none stays linked
    to them; and their record inside every delivery's content is replaced by a
    note that they were erased. The sharing events stay (evidence, unlinked)."""
    counts = {"integrations_removed": 0}
    for installation in Installation.objects.filter(
        installed_by=user, audience=Installation.Audience.ME, status=Installation.Status.ACTIVE
    ):
        installation_remove(user=user, installation=installation)
        counts["integrations_removed"] += 1
    with transaction.atomic():
        counts["integrations_unlinked"] = Installation.objects.filter(installed_by=user).update(
            installed_by=None
        )
        counts["delivery_records_erased"] = _delivery_records_erase(subject_key=subject_key)
        # Sub-processor notices: a subscription by the person's address goes; an
        # organisation's stays with the organisation.
        counts["subprocessor_subscriptions_deleted"] = SubprocessorSubscription.objects.filter(
            email__iexact=user.email
        ).delete()[0]
        counts["subprocessor_subscriptions_unlinked"] = SubprocessorSubscription.objects.filter(
            subscribed_by=user
        ).update(subscribed_by=None)
    return counts


def _delivery_records_erase(*, subject_key) -> int:
    """A delivery's ``people`` are in the order of its sharing events (one per
    person, written together): the person's event's rank is their record's place."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                WITH mine AS (
                    SELECT DISTINCT installation_id, delivery_id FROM integrations_sharingevent
                    WHERE subject_key = %(key)s AND delivery_id IS NOT NULL
                ), ranked AS (
                    SELECT e.delivery_id, e.subject_key,
                           row_number() OVER (PARTITION BY e.delivery_id ORDER BY e.seq) - 1 AS place
                    FROM integrations_sharingevent e
                    JOIN mine m ON e.installation_id = m.installation_id AND e.delivery_id = m.delivery_id
                )
                UPDATE integrations_webhookdelivery d
                SET payload = jsonb_set(d.payload, ARRAY['people', r.place::text], %(erased)s::jsonb, false)
                FROM ranked r
                WHERE r.subject_key = %(key)s AND d.id = r.delivery_id AND d.kind = %(kind)s
                """,
                {
                    "key": subject_key,
                    "erased": json.dumps(_ERASED_RECORD),
                    "kind": WebhookDelivery.Kind.DATA_SHARED,
                },
            )
            return cursor.rowcount
    delivery_ids = sorted(
        set(
            SharingEvent.objects.filter(subject_key=subject_key, delivery_id__isnull=False).values_list(
                "delivery_id", flat=True
            )
        )
    )
    erased = 0
    for start in range(0, len(delivery_ids), 500):
        chunk = delivery_ids[start : start + 500]
        places: dict[int, int] = {}
        seen: dict[int, int] = {}
        for delivery_id, key in (
            SharingEvent.objects.filter(delivery_id__in=chunk)
            .order_by("seq")
            .values_list("delivery_id", "subject_key")
        ):
            if key == subject_key:
                places[delivery_id] = seen.get(delivery_id, 0)
            seen[delivery_id] = seen.get(delivery_id, 0) + 1
        for delivery in WebhookDelivery.objects.filter(pk__in=chunk, kind=WebhookDelivery.Kind.DATA_SHARED):
            delivery.payload["people"][places[delivery.pk]] = _ERASED_RECORD
            delivery.save(update_fields=["payload"])
            erased += 1
    return erased
