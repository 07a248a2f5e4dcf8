from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from core.tasks import EMAIL_TASK_OPTIONS


@shared_task(**EMAIL_TASK_OPTIONS)
def account_email_send(self, message: dict) -> str:
    """Send one account email (sign-up, confirmation, password reset...) that
    the request rendered: the request never waits for the mail server, so a
    sign-up with a taken address and one with a new address cost the same."""
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
        headers=message["headers"],
    )
    email.content_subtype = message["content_subtype"]
    for content, mimetype in message["alternatives"]:
        email.attach_alternative(content, mimetype)
    email.send()
    return "sent"
