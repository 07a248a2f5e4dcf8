from django.shortcuts import render

from core.errors import RuleViolation


class RuleViolationMiddleware:
    """A rule a page's action broke (not allowed, a conflict) becomes a clear
    4xx page with the rule's message instead of a 500. The API has its own
    handler (core.api.exceptions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RuleViolation) and not request.path.startswith("/api/"):
            return render(request, "errors/rule.html", {"error": exception}, status=exception.status_code)
        return None
