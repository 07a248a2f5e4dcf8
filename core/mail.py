from django.conf import settings
from django.core.mail import EmailMessage
from django.template import Context, engines
from django.utils import translation

from .controller import controller


def with_controller_footer(body: str) -> str:
    """The body with the controller named at its foot, in the active language:
    every email says who is responsible for the data and where to ask."""
    footer = render_plain_text("includes/email_footer.txt", {"controller": controller()})
    return body.rstrip() + "\n\n" + footer.strip() + "\n"


def render_plain_text(template_name: str, context: dict) -> str:
    """A plain-text template (an email's subject or body) rendered without HTML
    escaping: a text email is not HTML, so a name like ``O'Brien & <Co>`` must
    arrive as written, not as ``O&#x27;Brien &amp; &lt;Co&gt;``. Every email goes
    through here, so no template has to remember ``{% autoescape off %}``."""
    template = engines["django"].get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def render_subject(template_name: str, context: dict) -> str:
    """A subject on one line: any line breaks (from a template or a name) are
    collapsed, so they can never become extra mail headers."""
    return " ".join(render_plain_text(template_name, context).split())


def send_templated_email(*, template: str, context: dict, to: str | list[str], language: str) -> None:
    """One email from ``<template>_subject.txt`` and ``<template>_body.txt``, in
    the recipient's language. Answers go to the privacy mailbox, where staff read them.
    ``to`` may list several addresses: they get the one message (one send)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_subject(f"{template}_subject.txt", context)
        body = with_controller_footer(render_plain_text(f"{template}_body.txt", context))
    recipients = [to] if isinstance(to, str) else list(to)
    EmailMessage(subject, body, None, recipients, reply_to=[settings.CONTROLLER_EMAIL]).send()


def delivery_error(error: Exception) -> str:
    """What went wrong sending an email, fit to store and log: the error's kind and
    the SMTP reply code, never its text (a refusal quotes the address back)."""
    import smtplib

    code = getattr(error, "smtp_code", None)
    if code is None and isinstance(error, smtplib.SMTPRecipientsRefused):
        code = next((reply[0] for reply in error.recipients.values()), None)
    return type(error).__name__ + (f" (SMTP {code})" if code else "")
