"""The controller: the legal entity responsible for personal data, named the
same way wherever it is named (footer, policies, emails, consent receipts)."""

from django.conf import settings


def controller() -> dict[str, str]:
    return {
        "name": settings.CONTROLLER_NAME,
        "address": settings.CONTROLLER_ADDRESS,
        "email": settings.CONTROLLER_EMAIL,
        "phone": settings.CONTROLLER_PHONE,
    }


def controller_context(request) -> dict:
    """Template context processor: ``controller`` on every page."""
    return {"controller": controller()}
