from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from core.mail import render_plain_text, render_subject, with_controller_footer
from core.tasks import EMAIL_TASK_OPTIONS

from .models import Invitation


@shared_task(**EMAIL_TASK_OPTIONS)
def invitation_send(self, invitation_id: int) -> str:
    """Email an invitation once. Re-reads the row: a revoked or answered
    invitation is not sent, and ``sent_at`` makes a retried or duplicated task
    a no-op (the row lock keeps two workers from both sending)."""
    with transaction.atomic():
        invitation = (
            # Lock only the invitation row (invited_by is a nullable outer join).
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.sent_at or invitation.status != Invitation.Status.PENDING:
            return "skipped"
        link = settings.SITE_URL.rstrip("/") + reverse("invitation_detail", args=[invitation.public_id])
        context = {"invitation": invitation, "link": link}
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_subject("organizations/email/invitation_subject.txt", context)
            body = with_controller_footer(
                render_plain_text("organizations/email/invitation_body.txt", context)
            )
        # Sent inside the lock: if sending fails the row stays unsent and the retry sends it.
        send_mail(subject, body, None, [invitation.email])
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    return "sent"
