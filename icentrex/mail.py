from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from .controller import controller


def with_controller_footer(body: str) -> str:
    """The body with the controller named at its foot, in the active language:
    every email says who is responsible for the data and where to ask."""
    footer = render_to_string("includes/email_footer.txt", {"controller": controller()})
    return body.rstrip() + "\n\n" + footer.strip() + "\n"


def send_templated_email(*, template: str, context: dict, to: str, language: str) -> None:
    """One email from ``<template>_subject.txt`` and ``<template>_body.txt``, in
    the recipient's language. Answers go to the privacy mailbox, where staff read them."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = with_controller_footer(render_to_string(f"{template}_body.txt", context))
    EmailMessage(subject, body, None, [to], reply_to=[settings.CONTROLLER_EMAIL]).send()
