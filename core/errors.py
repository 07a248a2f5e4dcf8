"""Errors services raise when a rule forbids an action. Views and the API turn
them into a 4xx with the error's stable ``code``; nothing has been written."""

from django.utils.translation import gettext_lazy as _


class RuleViolation(Exception):
    status_code = 400
    default_code = "invalid"
    default_message = _("This action is not allowed.")

    def __init__(self, message=None, *, code: str | None = None):
        self.message = message or self.default_message
        self.code = code or self.default_code
        super().__init__(str(self.message))


class Forbidden(RuleViolation):
    status_code = 403
    default_code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class Conflict(RuleViolation):
    status_code = 409
    default_code = "conflict"
    default_message = _("This conflicts with the current state.")


class TooManyRequests(RuleViolation):
    status_code = 429
    default_code = "rate_limited"
    default_message = _("Too many requests; try again later.")
