from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def send_templated_email(*, template: str, context: dict, to: str | list[str], language: str) -> None:
    """One email from ``<template>_subject.txt`` and ``<template>_body.txt``, in
    the recipient's language. Answers go to the privacy mailbox, where staff read them.
    ``to`` may list several addresses: they get the one message (one send)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    recipients = [to] if isinstance(to, str) else list(to)
    EmailMessage(subject, body, None, recipients, reply_to=[settings.POLICY_CONTACT_EMAIL]).send()
